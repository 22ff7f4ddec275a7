/**
 * `tsgi/contrib/contenttypes`: a row per installed model, as Django's
 * `django.contrib.contenttypes`, for rows that point at a model (auth's permissions). Add
 * `'tsgi.contrib.contenttypes'` to INSTALLED_APPS (before `'tsgi.contrib.auth'`).
 *
 * @example
 * import { ContentType } from 'tsgi/contrib/contenttypes';
 * const ct = await ContentType.objects.getForModel(Post);
 */
export { ContentType, ContentTypeManager } from './models.ts';
export { createContentTypes, appModels } from './management/index.ts';
