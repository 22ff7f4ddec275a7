/**
 * The content types app, for INSTALLED_APPS (`'tsgi.contrib.contenttypes'`): after `migrate`,
 * each installed app's models get their ContentType row (Django's post_migrate receiver), once
 * the migrations have made the table.
 */
import { AppConfig } from '../../apps/config.ts';
import { postMigrate } from '../../db/models/signals.ts';
import { createContentTypes, inMigrationState } from './management/index.ts';
import { ContentType } from './models.ts';

export class ContentTypesConfig extends AppConfig {
  override name = 'tsgi.contrib.contenttypes';
  override verboseName = 'Content Types';

  override ready(): void {
    postMigrate.connect(
      async ({ appConfig, using, verbosity, apps }) => {
        // Migrated backwards past the table, or not yet forwards to it: nothing to write.
        if (!inMigrationState(apps, 'contenttypes', 'ContentType')) return;
        // The table may have been dropped and made again since the rows were cached.
        ContentType.objects.clearCache();
        await createContentTypes(appConfig, { using, verbosity });
      },
      { dispatchUid: 'tsgi.contrib.contenttypes.createContentTypes' },
    );
  }
}
