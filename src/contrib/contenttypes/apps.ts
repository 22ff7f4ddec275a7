/**
 * The content types app, for INSTALLED_APPS (`'tsgi.contrib.contenttypes'`): after `migrate`,
 * each installed app's models get their ContentType row (Django's post_migrate receiver).
 */
import { AppConfig } from '../../apps/config.ts';
import { postMigrate } from '../../db/models/signals.ts';
import { createContentTypes } from './management/index.ts';

export class ContentTypesConfig extends AppConfig {
  override name = 'tsgi.contrib.contenttypes';
  override verboseName = 'Content Types';

  override ready(): void {
    postMigrate.connect(
      ({ appConfig, using, verbosity }) => createContentTypes(appConfig as AppConfig, { using, verbosity }),
      { dispatchUid: 'tsgi.contrib.contenttypes.createContentTypes' },
    );
  }
}
