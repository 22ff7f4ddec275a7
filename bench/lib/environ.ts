/**
 * The environ the reference server builds for wrk's `GET <path>` (a Host header only), for the
 * in-process loops (bench/*.profile.ts) and the start-up probe (bench/framework.app.ts). A module
 * of its own, importing nothing at run time, so that the start-up it measures stays the app's.
 */
import type { Environ } from 'tsgi/gateway';

const noInput = {
  read: async () => new Uint8Array(0),
  readline: async () => new Uint8Array(0),
  async *[Symbol.asyncIterator]() {},
};
const noErrors = { write() {}, flush() {} };

/** A fresh environ for `GET urlPath` from 127.0.0.1 with `Host: host`; `extra` keys are added last. */
export function wrkEnviron(urlPath: string, host = '127.0.0.1:8000', extra: Record<string, unknown> = {}): Environ {
  const colon = host.lastIndexOf(':');
  return {
    REQUEST_METHOD: 'GET',
    SCRIPT_NAME: '',
    PATH_INFO: urlPath,
    QUERY_STRING: '',
    RAW_URI: urlPath,
    SERVER_NAME: colon < 0 ? host : host.slice(0, colon),
    SERVER_PORT: colon < 0 ? '80' : host.slice(colon + 1),
    SERVER_PROTOCOL: 'HTTP/1.1',
    REMOTE_ADDR: '127.0.0.1',
    REMOTE_PORT: '50000',
    'wsgi.version': [1, 0],
    'wsgi.url_scheme': 'http',
    'wsgi.input': noInput,
    'wsgi.errors': noErrors,
    'wsgi.multithread': false,
    'wsgi.multiprocess': false,
    'wsgi.run_once': false,
    HTTP_HOST: host,
    ...extra,
  } as unknown as Environ;
}
