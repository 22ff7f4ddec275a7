/**
 * `createPermissions()`, as Django's `create_permissions`: after `migrate`, every model of an app
 * gets its default permissions (`add_<model>`, `change_`, `delete_`, `view_`, named "Can add
 * <verbose name>") and those of its `permissions` meta option; the app's content types are made
 * first. Connected to `postMigrate` by the auth app.
 */
import type { AppConfig } from '../../../apps/config.ts';
import { appModels, createContentTypes } from '../../contenttypes/management/index.ts';
import { ContentType } from '../../contenttypes/models.ts';
import { DEFAULT_DB_ALIAS } from '../../../db/connections.ts';
import type { Options } from '../../../db/models/index.ts';
import { getPermissionCodename } from '../login.ts';
import { Permission } from '../models.ts';

/** `[codename, name]` of a model's default permissions (`['add_post', 'Can add post']`, ...). */
export function builtinPermissions(meta: Options): Array<readonly [string, string]> {
  return meta.defaultPermissions.map(
    (action) => [getPermissionCodename(action, meta), `Can ${action} ${meta.verboseName}`] as const,
  );
}

/** `[codename, name]` of every permission of a model: the defaults, then its own. */
export function allPermissions(meta: Options): Array<readonly [string, string]> {
  return [...builtinPermissions(meta), ...meta.permissions];
}

/**
 * Creates the permissions the app's models lack; returns those created.
 *
 * @example await createPermissions(apps.getAppConfig('blog'));
 */
export async function createPermissions(
  appConfig: AppConfig | { label: string },
  options: { using?: string; verbosity?: number; stdout?: { write(text: string): void } } = {},
): Promise<Permission[]> {
  const using = options.using ?? DEFAULT_DB_ALIAS;
  await createContentTypes(appConfig, options);
  const models = appModels(appConfig.label);
  if (models.length === 0) return [];
  const searched: Array<[ContentType, readonly [string, string]]> = [];
  const types = new Map<number, ContentType>();
  for (const meta of models) {
    const ct = await ContentType.objects.getForModel(meta, { using });
    types.set(ct.id, ct);
    for (const perm of allPermissions(meta)) searched.push([ct, perm]);
  }
  const existing = new Set(
    (
      (await Permission.objects
        .using(using)
        .filter({ contentType__in: [...types.keys()] })
        .valuesList('contentTypeId', 'codename')) as unknown as Array<[number, string]>
    ).map(([ct, codename]) => `${ct}:${codename}`),
  );
  const missing = searched
    .filter(([ct, [codename]]) => !existing.has(`${ct.id}:${codename}`))
    .map(([ct, [codename, name]]) => new Permission({ codename, name, contentType: ct }));
  if (missing.length === 0) return [];
  const created = await Permission.objects.using(using).bulkCreate(missing);
  if ((options.verbosity ?? 1) >= 2) {
    for (const perm of created) (options.stdout ?? process.stdout).write(`Adding permission '${perm.toString()}'\n`);
  }
  return created;
}
