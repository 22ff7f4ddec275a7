/**
 * The `Session` model of the `db` and `cached_db` session engines, as Django's
 * `django.contrib.sessions.models.Session`: Django's table and columns (`django_session`:
 * `session_key` varchar(40) primary key, `session_data` text, `expire_date` datetime, indexed).
 *
 * Unlike Django's, `session_key` holds a hash of the session key (storedSessionKey()), not the
 * key: a copy of the table (a backup, a replica, a read-only SQL account) has no cookie value
 * that would log anyone in. The data is the engine's signed text (SessionBase.encode()).
 */
import { CharField, DateTimeField, Model, TextField } from '../../db/models/index.ts';
import { withSchemaEditor, connections, DEFAULT_DB_ALIAS } from '../../db/index.ts';
import { hashSessionKey } from './backends/base.ts';

/** Django's width of `session_key`. */
export const SESSION_KEY_LENGTH = 40;

/**
 * What `session_key` holds for a session key: the first 40 hex digits of its SHA-256 (160 bits,
 * Django's column width), so a table Django made holds it too.
 */
export function storedSessionKey(sessionKey: string): string {
  return hashSessionKey(sessionKey).slice(0, SESSION_KEY_LENGTH);
}

/**
 * A stored session.
 *
 * @example
 * import { Session } from 'tsgi/contrib/sessions/models';
 * const live = await Session.objects.filter({ expireDate__gt: now() }).count();
 */
export class Session extends Model.define(
  {
    sessionKey: new CharField({
      maxLength: SESSION_KEY_LENGTH,
      primaryKey: true,
      dbColumn: 'session_key',
      verboseName: 'session key',
    }),
    sessionData: new TextField({ dbColumn: 'session_data', verboseName: 'session data' }),
    expireDate: new DateTimeField({ dbIndex: true, dbColumn: 'expire_date', verboseName: 'expire date' }),
  },
  { appLabel: 'sessions', dbTable: 'django_session', verboseName: 'session', verboseNamePlural: 'sessions' },
) {}

/** What createSessionTable() did. */
export type CreateSessionTableResult = 'created' | 'exists';

/**
 * Creates the sessions table on a database unless it exists, until `migrate` makes it (the
 * sessions app's migration).
 *
 * @example
 * await createSessionTable(); // or: node manage.ts createsessiontable
 */
export async function createSessionTable(options: { database?: string } = {}): Promise<CreateSessionTableResult> {
  const database = options.database ?? DEFAULT_DB_ALIAS;
  const tables = await connections.get(database).introspection.tableNames();
  if (tables.includes(Session._meta.dbTable)) return 'exists';
  await withSchemaEditor((editor) => editor.createModel(Session as never), { using: database });
  return 'created';
}
