/**
 * System checks of the static files settings, as Django's `staticfiles.E001`–`W004` (tag
 * `staticfiles`); those of TEMPLATES are in template/checks.ts.
 */
import path from 'node:path';
import { settings } from '../conf/index.ts';
import { Error_, Warning, type CheckMessage } from '../core/checks/messages.ts';
import { register, Tags } from '../core/checks/registry.ts';
import { isDirectory, isFile } from '../utils/fs.ts';
import { ManifestStaticFilesStorage, staticfilesStorage } from './storage.ts';

/** Problems with STATICFILES_DIRS, STATIC_ROOT and STATIC_URL. */
export function checkStaticfiles(): CheckMessage[] {
  const out: CheckMessage[] = [];
  const dirs = settings.STATICFILES_DIRS as unknown;
  if (!Array.isArray(dirs)) {
    return [
      Error_('The STATICFILES_DIRS setting is not a list.', {
        hint: 'Perhaps you forgot a comma or brackets.',
        id: 'staticfiles.E001',
      }),
    ];
  }
  const root = settings.STATIC_ROOT ? path.resolve(settings.STATIC_ROOT) : undefined;
  for (const entry of dirs as Array<string | [string, string]>) {
    const [prefix, dir] = typeof entry === 'string' ? ['', entry] : entry;
    if (prefix.endsWith('/')) {
      out.push(
        Error_(`The prefix ${JSON.stringify(prefix)} in the STATICFILES_DIRS setting must not end with a slash.`, {
          id: 'staticfiles.E003',
        }),
      );
    }
    if (root !== undefined && path.resolve(dir) === root) {
      out.push(
        Error_('The STATICFILES_DIRS setting should not contain the STATIC_ROOT setting.', {
          hint: 'Keep source files apart from the folder collectstatic fills.',
          id: 'staticfiles.E002',
        }),
      );
    }
    if (!isDirectory(dir)) {
      out.push(
        Warning(`The directory '${dir}' in the STATICFILES_DIRS setting does not exist.`, {
          hint: 'Create it, or remove it from STATICFILES_DIRS.',
          id: 'staticfiles.W004',
        }),
      );
    }
  }
  const url = settings.STATIC_URL;
  if (url && !url.endsWith('/') && !/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) {
    out.push(
      Error_(`The STATIC_URL setting ${JSON.stringify(url)} must end with a slash.`, {
        hint: `Write ${JSON.stringify(url + '/')}.`,
        id: 'staticfiles.E005',
      }),
    );
  }
  const media = settings.MEDIA_URL;
  if (url && media && url === media) {
    out.push(
      Error_('The MEDIA_URL and STATIC_URL settings must have different values.', {
        hint: 'Uploads and static files need URLs of their own, as "/media/" and "/static/".',
        id: 'staticfiles.E006',
      }),
    );
  }
  if (settings.MEDIA_ROOT && root !== undefined && path.resolve(settings.MEDIA_ROOT) === root) {
    out.push(
      Error_('The MEDIA_ROOT and STATIC_ROOT settings must have different values.', {
        hint: 'collectstatic --clear would delete the uploads.',
        id: 'staticfiles.E007',
      }),
    );
  }
  return out;
}

/**
 * The manifest of a ManifestStaticFilesStorage that collectstatic never wrote (or that is not in
 * STATIC_ROOT): every `{% static %}` would fail with it missing, so every page that uses one.
 * A deployment check (`check --deploy`); the framework's boot runs it too when DEBUG is off
 * (src/core/wsgi.ts), so that `tsgi serve --check-config` and the workers stop on it, not the
 * first page that renders.
 */
export function checkStaticManifest(): CheckMessage[] {
  let storage: unknown;
  let file: string;
  try {
    storage = staticfilesStorage();
    if (!(storage instanceof ManifestStaticFilesStorage)) return [];
    file = storage.manifestPath;
  } catch {
    // A storage that cannot be built, or no STATIC_ROOT: its own error says so where it is used.
    return [];
  }
  if (isFile(file)) return [];
  return [
    Error_(
      `The static files manifest ${file} does not exist: the staticfiles storage is ManifestStaticFilesStorage, which needs it for every {% static %} (with DEBUG off, each page that uses one would fail).`,
      {
        hint: "Run 'node manage.ts collectstatic --noinput' after each deploy, or check STATIC_ROOT.",
        id: 'staticfiles.E008',
      },
    ),
  ];
}

/**
 * Registers them with the system check registry (tag `staticfiles`; the `check` command calls
 * this when 'tsgi.staticfiles' is installed), the manifest as a deployment check.
 */
export function registerStaticfilesChecks(): void {
  register(checkStaticfiles, [Tags.staticfiles]);
  register(checkStaticManifest, [Tags.staticfiles], { deploy: true });
}
