/**
 * `createContentTypes()`, as Django's `create_contenttypes`: the ContentType rows of an app's
 * models, made after `migrate` (the app's post_migrate receiver calls it).
 */
import type { AppConfig } from '../../../apps/config.ts';
import { DEFAULT_DB_ALIAS } from '../../../db/connections.ts';
import { getModels, LookupError, type Options } from '../../../db/models/index.ts';
import { ContentType } from '../models.ts';

/** The concrete models of an app (not through tables, not swapped out), as Django's `get_models()`. */
export function appModels(appLabel: string): Options[] {
  return getModels().filter((meta) => meta.appLabel === appLabel && !meta.autoCreated);
}

/**
 * Whether the historical models a migrate run leaves (`postMigrate`'s `apps`) include this
 * one, that is whether an applied migration made its table: Django's receivers return quietly
 * when not (`migrate contenttypes zero`, or a first `migrate` of another app only).
 */
export function inMigrationState(
  apps: { getMeta(appLabel: string, name: string): unknown },
  appLabel: string,
  name: string,
): boolean {
  try {
    apps.getMeta(appLabel, name);
    return true;
  } catch (error) {
    if (error instanceof LookupError) return false;
    throw error;
  }
}

/**
 * Creates the content types the app's models lack; returns those created.
 *
 * @example await createContentTypes(apps.getAppConfig('blog'));
 */
export async function createContentTypes(
  appConfig: AppConfig | { label: string },
  options: { using?: string; verbosity?: number; stdout?: { write(text: string): void } } = {},
): Promise<ContentType[]> {
  const using = options.using ?? DEFAULT_DB_ALIAS;
  const models = appModels(appConfig.label);
  if (models.length === 0) return [];
  const existing = new Set(
    await ContentType.objects.using(using).filter({ appLabel: appConfig.label }).valuesList('model', { flat: true }),
  );
  const missing = models
    .filter((meta) => !existing.has(meta.modelName))
    .map((meta) => new ContentType({ appLabel: appConfig.label, model: meta.modelName }));
  if (missing.length === 0) return [];
  const created = await ContentType.objects.using(using).bulkCreate(missing);
  if ((options.verbosity ?? 1) >= 2) {
    for (const ct of created)
      (options.stdout ?? process.stdout).write(`Adding content type '${ct.appLabel} | ${ct.model}'\n`);
  }
  return created;
}
