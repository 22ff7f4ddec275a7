/**
 * Sessions in the database, as Django's `backends.db`: one row of the `Session` model
 * (`django_session`) per session, on the default database, so every worker and machine using
 * that database shares them. The row's key is a hash of the session key (models.ts), its data
 * the signed text of encode(), its `expire_date` when the session ends; `clearsessions` deletes
 * the rows past it.
 *
 * Unlike Django's, a database that cannot be reached (or a table not made yet) is not a 500:
 * loading and saving fail with SessionStoreUnavailable, SessionMiddleware's 503, as the other
 * engines.
 */
import { settings } from '../../../conf/index.ts';
import { DatabaseError, IntegrityError } from '../../../db/index.ts';
import { atomic } from '../../../db/transaction.ts';
import { makeNaive, now } from '../../../utils/timezone.ts';
import type { Temporal } from 'temporal-polyfill';
import { CreateError, SessionStoreUnavailable, UpdateError } from '../exceptions.ts';
import { Session, storedSessionKey } from '../models.ts';
import { SessionBase } from './base.ts';

/** Whether a database error says the table is missing (SQLite's message, PostgreSQL's SQLSTATE 42P01). */
function missingTable(error: DatabaseError): boolean {
  return error.code === '42P01' || /no such table/i.test(error.message);
}

/** A moment as the DateTimeField takes it: aware with USE_TZ, naive in TIME_ZONE without (as Django's timezone.now()). */
function asStored(moment: Temporal.ZonedDateTime): Temporal.ZonedDateTime | Temporal.PlainDateTime {
  return settings.USE_TZ ? moment : makeNaive(moment);
}

/**
 * @example
 * SESSION_ENGINE = 'tsgi.contrib.sessions.backends.db'; // the default
 * // the table: node manage.ts migrate (the sessions app's 0001_initial)
 */
export class SessionStore extends SessionBase {
  /** The model whose rows hold the sessions (Django's `get_model_class()`); a subclass may name its own. */
  static getModelClass(): typeof Session {
    return Session;
  }

  get model(): typeof Session {
    return (this.constructor as typeof SessionStore).getModelClass();
  }

  /** Runs database work; an unreachable database or a missing table is SessionStoreUnavailable. */
  protected async store<T>(operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      if (!(error instanceof DatabaseError) || error instanceof IntegrityError) throw error;
      const fix = missingTable(error)
        ? " Make it with `node manage.ts migrate` (the sessions app's migration, with 'tsgi.contrib.sessions' in INSTALLED_APPS)."
        : '';
      throw new SessionStoreUnavailable(
        `The session store (the table '${this.model._meta.dbTable}' of the database) could not be used: ` +
          `${error.message.replace(/\.$/, '')}.${fix}`,
        { cause: error },
      );
    }
  }

  /** The stored row of the session, when it exists and has not expired. */
  protected async getSessionFromDb(): Promise<Session | null> {
    const key = storedSessionKey(this.sessionKey!);
    return this.store(() => this.model.objects.filter({ sessionKey: key, expireDate__gt: now() }).first());
  }

  protected async loadData(): Promise<Record<string, unknown>> {
    // Only the data: a model instance (its expire_date made a Temporal value) would cost about as
    // much again as the query, on every request that reads its session.
    const key = storedSessionKey(this.sessionKey!);
    const text = await this.store(() =>
      this.model.objects
        .filter({ sessionKey: key, expireDate__gt: now() })
        .valuesList('sessionData', { flat: true })
        .first(),
    );
    if (typeof text !== 'string') {
      this.setSessionKey(null);
      return {};
    }
    return this.decode(text);
  }

  async exists(sessionKey: string): Promise<boolean> {
    return this.store(() => this.model.objects.filter({ sessionKey: storedSessionKey(sessionKey) }).exists());
  }

  async create(): Promise<void> {
    // A key collision is astronomically unlikely; many failures mean something else is wrong.
    for (let attempt = 0; attempt < 100; attempt++) {
      this.setSessionKey(await this.getNewSessionKey());
      try {
        await this.save(true);
      } catch (error) {
        if (error instanceof CreateError) continue;
        throw error;
      }
      this.modified = true;
      return;
    }
    throw new SessionStoreUnavailable(
      `No new session could be created in the table '${this.model._meta.dbTable}' after 100 attempts: every key was taken.`,
    );
  }

  /**
   * Saves the data: a new row with `mustCreate` (CreateError when the key is taken), else over
   * the existing row (UpdateError when it was deleted meanwhile: a logout in another tab).
   */
  async save(mustCreate = false): Promise<void> {
    const sessionKey = this.sessionKey;
    if (sessionKey === null) return this.create();
    const data = await this.sessionData(mustCreate);
    const row = new this.model({
      sessionKey: storedSessionKey(sessionKey),
      sessionData: this.encode(data),
      expireDate: asStored(this.getExpiryDate()),
    });
    await this.store(async () => {
      try {
        await atomic(() => row.save({ forceInsert: mustCreate, forceUpdate: !mustCreate }));
      } catch (error) {
        if (mustCreate && error instanceof IntegrityError) throw new CreateError();
        if (!mustCreate && error instanceof DatabaseError && /did not affect any rows/.test(error.message)) {
          throw new UpdateError();
        }
        throw error;
      }
    });
  }

  async deleteSession(sessionKey: string | null = this.sessionKey): Promise<void> {
    if (sessionKey === null) return;
    await this.store(() => this.model.objects.filter({ sessionKey: storedSessionKey(sessionKey) }).delete());
  }

  /** Deletes the rows of expired sessions (`clearsessions`). */
  static async clearExpired(): Promise<void> {
    await this.getModelClass().objects.filter({ expireDate__lt: now() }).delete();
  }
}
