// The auth suites' database: the tables of contenttypes and auth made by the schema editor (until
// migrations land), then the content types and permissions `migrate` would make (postMigrate).
// Hashing at Django's default cost would make each test wait: suites list the MD5 hasher first
// (as Django's own test settings do), and test the real costs where that is the point.
import { withSchemaEditor } from '../../../src/db/index.ts';
import { ContentType } from '../../../src/contrib/contenttypes/models.ts';
import { createPermissions } from '../../../src/contrib/auth/management/index.ts';
import { Group, Permission, User } from '../../../src/contrib/auth/models.ts';

/** Fast hashing first, the real ones after (so hashes they made still verify). */
export const FAST_HASHERS = [
  'tsgi.contrib.auth.hashers.MD5PasswordHasher',
  'tsgi.contrib.auth.hashers.PBKDF2PasswordHasher',
  'tsgi.contrib.auth.hashers.Argon2PasswordHasher',
  'tsgi.contrib.auth.hashers.ScryptPasswordHasher',
];

/** Creates the tables of ContentType, Permission, Group and User (and theirs), then the rows migrate makes for `apps`. */
export async function createAuthTables(
  extraModels: ReadonlyArray<{ _meta: unknown }> = [],
  apps: readonly string[] = ['contenttypes', 'auth'],
): Promise<void> {
  await withSchemaEditor(async (editor) => {
    for (const model of [ContentType, Permission, Group, User, ...extraModels]) {
      await editor.createModel(model as never);
    }
  });
  ContentType.objects.clearCache();
  for (const label of apps) await createPermissions({ label });
}
