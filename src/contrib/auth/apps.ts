/**
 * The auth app, for INSTALLED_APPS (`'tsgi.contrib.auth'`, after `'tsgi.contrib.contenttypes'`):
 * its models, the permissions made after `migrate`, the `lastLogin` update at login, the user
 * model's checks and the `createsuperuser` and `changepassword` commands.
 */
import { AppConfig } from '../../apps/config.ts';
import { register } from '../../core/checks/registry.ts';
import { postMigrate } from '../../db/models/signals.ts';
import { checkModelsPermissions, checkUserModel } from './checks.ts';
import { getUserModelOptions } from './configured.ts';
import { inMigrationState } from '../contenttypes/management/index.ts';
import { createPermissions } from './management/index.ts';
import { updateLastLogin } from './models.ts';
import { userLoggedIn } from './signals.ts';

export class AuthConfig extends AppConfig {
  override name = 'tsgi.contrib.auth';
  override verboseName = 'Authentication and Authorization';

  override ready(): void {
    postMigrate.connect(
      async ({ appConfig, using, verbosity, apps }) => {
        // Only once the migrations have made both tables (as Django's create_permissions).
        if (!inMigrationState(apps, 'contenttypes', 'ContentType') || !inMigrationState(apps, 'auth', 'Permission')) {
          return;
        }
        await createPermissions(appConfig, { using, verbosity });
      },
      { dispatchUid: 'tsgi.contrib.auth.management.createPermissions' },
    );
    // Only for user models that have the field.
    if (getUserModelOptions().findField('lastLogin') !== undefined) {
      userLoggedIn.connect(updateLastLogin, { dispatchUid: 'tsgi.contrib.auth.updateLastLogin' });
    }
    register(checkUserModel, ['models']);
    register(checkModelsPermissions, ['models']);
  }
}
