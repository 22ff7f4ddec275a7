/**
 * Running the system checks for a command and reporting them as Django does; the registry and
 * the checks themselves live in `src/core/checks/`.
 */
import { settings } from '../../conf/index.ts';
import {
  CheckMessage,
  CRITICAL,
  DEBUG,
  ERROR,
  INFO,
  WARNING,
  registry,
  registerSecurityChecks,
} from '../checks/index.ts';
import { SystemCheckError, type CommandIO } from './base.ts';

let registered = false;

/** Registers the built-in checks once: security (deploy), static files, templates, and those of the URL dispatcher. */
async function registerBuiltinChecks(): Promise<void> {
  if (registered) return;
  registered = true;
  registerSecurityChecks();
  // As Django's staticfiles app registers its checks in its ready().
  if ((settings.INSTALLED_APPS as unknown[]).includes('tsgi.staticfiles'))
    (await import('../../staticfiles/checks.ts')).registerStaticfilesChecks();
  if (Object.keys((settings.DATABASES as object | undefined) ?? {}).length > 0) {
    // The database and model checks, with a project that has databases (src/db/checks.ts).
    (await import('../../db/checks.ts')).registerDatabaseChecks();
    // Unapplied migrations and model changes without a migration (check --deploy).
    (await import('../../db/migrations/checks.ts')).registerMigrationChecks();
  }
  // Those of TEMPLATES (templates.E001, templates.W002), when an engine is configured.
  if ((settings.TEMPLATES ?? []).length > 0) (await import('../../template/checks.ts')).registerTemplateChecks();
  try {
    const urls = (await import('../../urls/index.ts')) as { checkUrlConfig?: () => unknown[] | Promise<unknown[]> };
    if (urls.checkUrlConfig) {
      const check = urls.checkUrlConfig;
      registry.register(async () => (await check()).map(toCheckMessage), ['urls']);
    }
  } catch {
    // The URL dispatcher is optional for a settings-only project.
  }
}

/** The URL checks return plain `{ id, level, msg, hint }` objects; give them the message class. */
function toCheckMessage(value: unknown): CheckMessage {
  if (value instanceof CheckMessage) return value;
  const m = value as {
    id?: string;
    level?: number | string;
    msg?: string;
    message?: string;
    hint?: string;
    obj?: unknown;
  };
  const level =
    typeof m.level === 'number'
      ? m.level
      : (({ DEBUG, INFO, WARNING, ERROR, CRITICAL } as Record<string, number>)[String(m.level).toUpperCase()] ??
        WARNING);
  return new CheckMessage(level, m.msg ?? m.message ?? String(value), { id: m.id, hint: m.hint, obj: m.obj });
}

const HEADINGS: Array<[number, string]> = [
  [CRITICAL, 'CRITICALS'],
  [ERROR, 'ERRORS'],
  [WARNING, 'WARNINGS'],
  [INFO, 'INFOS'],
  [DEBUG, 'DEBUGS'],
];

/**
 * Runs the checks and writes the report; throws `SystemCheckError` when a message reaches
 * `failLevel` (ERROR by default), as Django's `BaseCommand.check()`.
 */
export async function runSystemChecks(
  io: CommandIO,
  options: { tags?: readonly string[]; deploy?: boolean; failLevel?: number; displayNumIssues?: boolean } = {},
): Promise<CheckMessage[]> {
  await registerBuiltinChecks();
  const all = await registry.runChecks({ tags: options.tags, includeDeploymentChecks: options.deploy });
  const silencedIds = (settings as unknown as { SILENCED_SYSTEM_CHECKS?: string[] }).SILENCED_SYSTEM_CHECKS ?? [];
  const visible = all.filter((m) => !m.isSilenced(silencedIds));
  const silenced = all.length - visible.length;
  const failLevel = options.failLevel ?? ERROR;
  let body = '';
  for (const [level, heading] of HEADINGS) {
    const group = visible.filter((m) =>
      level === CRITICAL ? m.level >= CRITICAL : m.level >= level && m.level < level + 10,
    );
    if (!group.length) continue;
    const style = level >= ERROR ? io.style.ERROR : io.style.WARNING;
    body += `\n${heading}:\n${group.map((m) => (m.level >= ERROR ? style(String(m)) : String(m))).join('\n')}\n`;
  }
  const header = visible.length ? 'System check identified some issues:\n' : '';
  const count = visible.length === 0 ? 'no issues' : visible.length === 1 ? '1 issue' : `${visible.length} issues`;
  const footer =
    options.displayNumIssues === false && !visible.length
      ? ''
      : `\nSystem check identified ${count} (${silenced} silenced).\n`;
  const message = `${header}${body}${footer}`;
  if (visible.some((m) => m.level >= failLevel)) throw new SystemCheckError(`SystemCheckError: ${message.trimEnd()}`);
  if (visible.length) io.stderr.write(message.replace(/^\n/, ''));
  else if (options.displayNumIssues !== false) io.stdout.write(message.replace(/^\n/, ''));
  return visible;
}
