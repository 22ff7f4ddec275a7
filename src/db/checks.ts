/**
 * The database checks of `manage.ts check` (and runserver's start): each alias of DATABASES must
 * name a backend that loads (an error, `db.E001`, with the one sentence first use would raise),
 * and its server should answer (a warning, `db.W001`: the development server still starts, the
 * message says what to fix). The model checks are src/db/models/checks.ts.
 */
import { settings } from '../conf/index.ts';
import { Error as CheckError, Warning, register, type CheckMessage } from '../core/checks/index.ts';
import { connections } from './connections.ts';

/** How long the reachability check waits for a server. */
const CONNECT_TIMEOUT_MS = 3000;

export async function checkDatabases(): Promise<CheckMessage[]> {
  const messages: CheckMessage[] = [];
  const databases = settings.DATABASES as Record<string, unknown> | undefined;
  for (const alias of Object.keys(databases ?? {})) {
    let wrapper;
    try {
      wrapper = connections.get(alias);
    } catch (error) {
      messages.push(CheckError((error as Error).message, { id: 'db.E001', obj: `DATABASES['${alias}']` }));
      continue;
    }
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        wrapper.ping(),
        new Promise((_, reject) => {
          timer = setTimeout(
            () =>
              reject(
                new Error(
                  `The database '${alias}' did not answer within ${CONNECT_TIMEOUT_MS / 1000} s: check HOST and PORT, and that the server is running.`,
                ),
              ),
            CONNECT_TIMEOUT_MS,
          );
        }),
      ]);
    } catch (error) {
      messages.push(Warning((error as Error).message, { id: 'db.W001', obj: `DATABASES['${alias}']` }));
    } finally {
      clearTimeout(timer);
    }
  }
  return messages;
}

/** The model checks (src/db/models/checks.ts), with the vendors of DATABASES. */
export async function checkModelsOfProject(): Promise<CheckMessage[]> {
  const { checkModels } = await import('./models/checks.ts');
  const vendors: string[] = [];
  for (const alias of Object.keys((settings.DATABASES as Record<string, unknown> | undefined) ?? {})) {
    try {
      vendors.push(connections.get(alias).vendor);
    } catch {
      // A wrong ENGINE is db.E001's business.
    }
  }
  return checkModels(vendors);
}

let registered = false;

/** Registers the database and model checks (once). */
export function registerDatabaseChecks(): void {
  if (registered) return;
  registered = true;
  register(checkDatabases, ['database']);
  register(checkModelsOfProject, ['models']);
}
