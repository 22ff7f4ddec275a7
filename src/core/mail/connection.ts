/** `getConnection()`: an instance of EMAIL_BACKEND (or of the backend named). */
import { settings } from '../../conf/index.ts';
import { ImproperlyConfigured } from '../exceptions.ts';
import { importString } from '../../utils/module-loading.ts';
import type { BaseEmailBackend, EmailBackendOptions } from './backends/base.ts';

/**
 * A connection of EMAIL_BACKEND (or of the backend named), not opened yet.
 *
 * @example
 * const connection = getConnection(); await connection.open();
 * await connection.sendMessages(messages); await connection.close();
 */
export function getConnection(backend?: string, options: EmailBackendOptions = {}): BaseEmailBackend {
  const path = backend ?? String(settings.EMAIL_BACKEND);
  const Backend = importString(path) as new (options: EmailBackendOptions) => BaseEmailBackend;
  if (typeof Backend !== 'function') throw new ImproperlyConfigured(`EMAIL_BACKEND '${path}' is not a class.`);
  return new Backend(options);
}
