/**
 * `tsgi/staticfiles`: static files, as Django's `django.contrib.staticfiles`, with serving in the
 * spirit of WhiteNoise for deployments without nginx.
 *
 * @example
 * import { staticUrl as static_, collectstatic, StaticFilesMiddleware } from 'tsgi/staticfiles';
 */
export {
  staticUrl,
  staticUrl as static,
  staticfilesStorage,
  StaticFilesStorage,
  ManifestStaticFilesStorage,
  MissingManifestEntry,
} from './storage.ts';
export type { PostProcessed } from './storage.ts';
export {
  find,
  getFinders,
  resetFinders,
  FileSystemFinder,
  AppDirectoriesFinder,
  DEFAULT_IGNORE_PATTERNS,
} from './finders.ts';
export type { BaseFinder, FoundFile } from './finders.ts';
export { collectstatic, CommandCancelled } from './collect.ts';
export type { CollectstaticOptions, CollectstaticResult, OutputStream } from './collect.ts';
export { StaticFilesMiddleware, StaticFileResponse } from './middleware.ts';
export { staticFilesHandler } from './handler.ts';
export { StaticServing } from './serving.ts';
export type { StaticServingOptions } from './serving.ts';
export { StaticFileIndex } from './files-index.ts';
export type { StaticEntry } from './files-index.ts';
export { planStaticResponse } from './responder.ts';
export { checkStaticfiles, checkStaticManifest, registerStaticfilesChecks } from './checks.ts';
export { serve, serveFromFinders, staticPatterns, staticfilesUrlpatterns } from './urls.ts';
