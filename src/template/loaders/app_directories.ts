/**
 * Loads templates from each installed app's `templates/` folder, in INSTALLED_APPS order
 * (`tsgi.template.loaders.app_directories.Loader`, Django's app_directories loader).
 */
import { appSubdirectories } from '../../apps/app-dirs.ts';
import { Loader as FilesystemLoader } from './filesystem.ts';

export class Loader extends FilesystemLoader {
  override getDirs(): readonly string[] {
    return appSubdirectories('templates');
  }
}
