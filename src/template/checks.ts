/**
 * System checks of the TEMPLATES setting (`templates.E001`, `templates.W002`, tag `templates`),
 * as Django's `django.core.checks.templates`: a backend or context processor that cannot be
 * loaded, a DIRS folder that does not exist.
 */
import { settings } from '../conf/index.ts';
import { Error_, Warning, type CheckMessage } from '../core/checks/messages.ts';
import { register, Tags } from '../core/checks/registry.ts';
import { engines } from './engines.ts';
import { isDirectory } from '../utils/fs.ts';

/** Problems with TEMPLATES: a backend or context processor that can't load, missing DIRS. */
export function checkTemplates(): CheckMessage[] {
  const out: CheckMessage[] = [];
  try {
    for (const engine of engines().values()) {
      const processors = (engine as { contextProcessors?: unknown }).contextProcessors;
      void processors; // resolving them is the check: a bad dotted name throws here
    }
  } catch (error) {
    out.push(Error_(`The TEMPLATES setting can't be used: ${(error as Error).message}`, { id: 'templates.E001' }));
    return out;
  }
  for (const entry of settings.TEMPLATES ?? []) {
    for (const dir of entry.DIRS ?? []) {
      if (!isDirectory(dir))
        out.push(
          Warning(`The template directory '${dir}' in TEMPLATES DIRS does not exist.`, {
            hint: 'Create it, or remove it from DIRS.',
            id: 'templates.W002',
          }),
        );
    }
  }
  return out;
}

/** Registers them with the system check registry (tag `templates`). */
export function registerTemplateChecks(): void {
  register(checkTemplates, [Tags.templates]);
}
