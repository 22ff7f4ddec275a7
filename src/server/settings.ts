/**
 * Every setting of `tsgi serve`, declared once. This table drives the command line, `--help`,
 * the config file (`tsgi.config.ts`), the environment variables, `TSGI_CMD_ARGS`,
 * `--print-config`, `--check-config` and docs/server-settings.md (gunicorn's config.py model).
 */

export type SettingType = 'string' | 'int' | 'float' | 'bool' | 'list';
export type SettingValue = string | number | boolean | string[] | null;

/** One setting. `name` is the key in the config file and in `ServerConfig`. */
export interface SettingSpec {
  readonly name: keyof ServerConfig;
  readonly section: string;
  /** The long flag, e.g. `--bind`. */
  readonly flag: string;
  /** A one-letter alias, e.g. `-b`. */
  readonly short?: string;
  /** The environment variable that sets it (below config file, above defaults). */
  readonly env: string;
  readonly type: SettingType;
  /** The default, or a function of the environment (`--workers` reads `$WEB_CONCURRENCY`). */
  readonly default: SettingValue | ((env: NodeJS.ProcessEnv) => SettingValue);
  /** Shown in --help and in the docs. */
  readonly defaultText?: string;
  /** The value's name in --help (`ADDRESS`, `INT`). */
  readonly meta?: string;
  /** Returns an error message (a full sentence) or null. */
  readonly validate?: (value: never) => string | null;
  readonly help: string;
}

/** The resolved settings of a server. */
export interface ServerConfig {
  config: string | null;
  bind: string[];
  workers: number;
  timeout: number;
  gracefulTimeout: number;
  keepAlive: number;
  headerTimeout: number;
  bodyIdleTimeout: number;
  bodyTimeout: number;
  lingeringTime: number;
  lingeringTimeout: number;
  lingeringBytes: number;
  backlog: number;
  maxRequests: number;
  maxRequestsJitter: number;
  limitRequestLine: number;
  limitRequestFields: number;
  limitRequestFieldSize: number;
  limitRequestBody: number;
  headerMap: string;
  accessLogfile: string | null;
  accessLogFormat: string;
  accessLogJson: boolean;
  errorLogfile: string;
  logLevel: string;
  forwardedAllowIps: string[];
  certfile: string | null;
  keyfile: string | null;
  pid: string | null;
  chdir: string | null;
  env: string[];
  workerTmpDir: string | null;
  reload: boolean;
  preload: boolean;
  printConfig: boolean;
  checkConfig: boolean;
}

export const DEFAULT_ACCESS_LOG_FORMAT = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s"';
export const LOG_LEVELS = ['debug', 'info', 'warning', 'error', 'critical'] as const;

const positive = (what: string) => (v: number) => (v >= 1 ? null : `${what} must be at least 1, got ${v}.`);
const nonNegative = (what: string) => (v: number) => (v >= 0 ? null : `${what} must be 0 or more, got ${v}.`);

/** Checks one `--bind` address: `HOST:PORT`, `[IPv6]:PORT`, `:PORT`, `PORT` or `unix:/path`. */
export function validateBind(values: string[]): string | null {
  for (const v of values) {
    if (v.startsWith('unix:')) {
      if (v.length === 5) return `The bind address "${v}" has no path; write unix:/path/to/socket.`;
      continue;
    }
    const m = /^(?:\[([0-9A-Fa-f:.]+)\]|([^:[\]]*)):(\d+)$/.exec(v) ?? /^()()(\d+)$/.exec(v);
    if (!m || Number(m[3]) > 65535) {
      return `The bind address "${v}" is not valid; write HOST:PORT, [IPv6]:PORT or unix:/path.`;
    }
  }
  return null;
}

export const SETTINGS: readonly SettingSpec[] = [
  {
    name: 'config',
    section: 'Config file',
    flag: '--config',
    short: '-c',
    env: 'TSGI_CONFIG',
    type: 'string',
    default: null,
    defaultText: './tsgi.config.ts or ./tsgi.config.js when present',
    meta: 'FILE',
    help: 'The config file: a module whose default export is an object of settings by name ({ workers: 4, bind: ["0.0.0.0:8000"] }).',
  },
  {
    name: 'bind',
    section: 'Server socket',
    flag: '--bind',
    short: '-b',
    env: 'TSGI_BIND',
    type: 'list',
    // gunicorn's default: platforms that run a web process (Heroku, Render, Cloud Run) set PORT.
    default: (env) => (env.PORT ? [`0.0.0.0:${env.PORT}`] : ['127.0.0.1:8000']),
    defaultText: '0.0.0.0:$PORT when PORT is set, else 127.0.0.1:8000',
    meta: 'ADDRESS',
    validate: validateBind as (v: never) => string | null,
    help: 'The socket to listen on; repeat for several: HOST:PORT, [::1]:PORT, unix:/path. The environment variable takes a comma-separated list.',
  },
  {
    name: 'backlog',
    section: 'Server socket',
    flag: '--backlog',
    env: 'TSGI_BACKLOG',
    type: 'int',
    default: 2048,
    meta: 'INT',
    validate: positive('--backlog') as (v: never) => string | null,
    help: 'The maximum number of pending connections on each listening socket.',
  },
  {
    name: 'workers',
    section: 'Worker processes',
    flag: '--workers',
    short: '-w',
    env: 'TSGI_WORKERS',
    type: 'int',
    default: (env) => (env.WEB_CONCURRENCY ? Number(env.WEB_CONCURRENCY) : 1),
    defaultText: '$WEB_CONCURRENCY or 1',
    meta: 'INT',
    validate: positive('--workers') as (v: never) => string | null,
    help: 'The number of worker processes. Each one runs the application on its own event loop; 1 or 2 per CPU core is a good start.',
  },
  {
    name: 'timeout',
    section: 'Worker processes',
    flag: '--timeout',
    short: '-t',
    env: 'TSGI_TIMEOUT',
    type: 'int',
    default: 30,
    meta: 'SECONDS',
    validate: nonNegative('--timeout') as (v: never) => string | null,
    help: 'A worker whose event loop is blocked longer than this is reported (its JavaScript stack and the requests in flight go to the error log), killed and replaced. 0 disables the check.',
  },
  {
    name: 'gracefulTimeout',
    section: 'Worker processes',
    flag: '--graceful-timeout',
    env: 'TSGI_GRACEFUL_TIMEOUT',
    type: 'int',
    default: 30,
    meta: 'SECONDS',
    validate: nonNegative('--graceful-timeout') as (v: never) => string | null,
    help: 'On TERM or a reload, how long a worker may take to finish its requests in flight before it is killed.',
  },
  {
    name: 'keepAlive',
    section: 'Worker processes',
    flag: '--keep-alive',
    env: 'TSGI_KEEP_ALIVE',
    type: 'int',
    default: 5,
    meta: 'SECONDS',
    validate: nonNegative('--keep-alive') as (v: never) => string | null,
    help: 'How long an idle keep-alive connection is kept open waiting for the next request. 0 closes the connection after each response.',
  },
  {
    name: 'headerTimeout',
    section: 'Worker processes',
    flag: '--header-timeout',
    env: 'TSGI_HEADER_TIMEOUT',
    type: 'int',
    default: 10,
    meta: 'SECONDS',
    validate: positive('--header-timeout') as (v: never) => string | null,
    help: 'A client must send the whole request head within this time, or the connection is closed (slowloris protection).',
  },
  {
    name: 'bodyIdleTimeout',
    section: 'Worker processes',
    flag: '--body-idle-timeout',
    env: 'TSGI_BODY_IDLE_TIMEOUT',
    type: 'int',
    default: 30,
    meta: 'SECONDS',
    validate: nonNegative('--body-idle-timeout') as (v: never) => string | null,
    help: 'While the application waits to read the request body, the longest the client may go without sending a byte of it; then it is answered 408 and the connection is closed. Time the application spends before or between its reads does not count. 0 disables it.',
  },
  {
    name: 'bodyTimeout',
    section: 'Worker processes',
    flag: '--body-timeout',
    env: 'TSGI_BODY_TIMEOUT',
    type: 'int',
    default: 300,
    meta: 'SECONDS',
    validate: nonNegative('--body-timeout') as (v: never) => string | null,
    help: 'The longest the application may wait, in all, for the client to send the request body (408 and close after it), however steadily it trickles in: a 100 MiB upload needs about 2.8 Mbit/s to make it in 300 s. Time the application spends before or between its reads does not count. 0 disables it.',
  },
  {
    name: 'lingeringTime',
    section: 'Worker processes',
    flag: '--lingering-time',
    env: 'TSGI_LINGERING_TIME',
    type: 'int',
    default: 30,
    meta: 'SECONDS',
    validate: nonNegative('--lingering-time') as (v: never) => string | null,
    help: "When a connection is closed while the client may still be sending (an answer given before the body was read: a 413, a 404, a view that does not read it), the server sends its answer, closes its sending side and reads and drops what still comes for at most this long before it closes the connection: closed at once, the unread bytes would make the kernel reset the connection, and the reset can erase the answer before the client reads it (RFC 9112 §9.6; nginx's lingering_time). It ends sooner when the client closes its side. 0 turns lingering off.",
  },
  {
    name: 'lingeringTimeout',
    section: 'Worker processes',
    flag: '--lingering-timeout',
    env: 'TSGI_LINGERING_TIMEOUT',
    type: 'int',
    default: 5,
    meta: 'SECONDS',
    validate: nonNegative('--lingering-timeout') as (v: never) => string | null,
    help: "While a connection lingers (--lingering-time), the longest wait for the client's next byte before it is closed (nginx's lingering_timeout). 0: no bound but --lingering-time.",
  },
  {
    name: 'lingeringBytes',
    section: 'Worker processes',
    flag: '--lingering-bytes',
    env: 'TSGI_LINGERING_BYTES',
    type: 'int',
    default: 128 * 1024 * 1024,
    defaultText: '134217728 (128 MiB)',
    meta: 'BYTES',
    validate: nonNegative('--lingering-bytes') as (v: never) => string | null,
    help: "While a connection lingers (--lingering-time), the most bytes read and dropped before it is closed anyway. The default is above --limit-request-body's, so that a client that sends a refused body whole before it reads still gets the 413; keep it so if you raise that limit. 0: no bound but the times.",
  },
  {
    name: 'maxRequests',
    section: 'Worker processes',
    flag: '--max-requests',
    env: 'TSGI_MAX_REQUESTS',
    type: 'int',
    default: 0,
    meta: 'INT',
    validate: nonNegative('--max-requests') as (v: never) => string | null,
    help: 'Restart a worker gracefully after it has served this many requests (limits the damage of a memory leak). 0 disables it.',
  },
  {
    name: 'maxRequestsJitter',
    section: 'Worker processes',
    flag: '--max-requests-jitter',
    env: 'TSGI_MAX_REQUESTS_JITTER',
    type: 'int',
    default: 0,
    meta: 'INT',
    validate: nonNegative('--max-requests-jitter') as (v: never) => string | null,
    help: 'A random 0..N added to --max-requests per worker, so that the workers do not all restart at once.',
  },
  {
    name: 'limitRequestLine',
    section: 'Security',
    flag: '--limit-request-line',
    env: 'TSGI_LIMIT_REQUEST_LINE',
    type: 'int',
    default: 4094,
    meta: 'BYTES',
    validate: positive('--limit-request-line') as (v: never) => string | null,
    help: 'The maximum size of the request line (method, target and version) in bytes; a longer one is answered 414.',
  },
  {
    name: 'limitRequestFields',
    section: 'Security',
    flag: '--limit-request-fields',
    env: 'TSGI_LIMIT_REQUEST_FIELDS',
    type: 'int',
    default: 100,
    meta: 'INT',
    validate: positive('--limit-request-fields') as (v: never) => string | null,
    help: 'The maximum number of header fields in a request; more are answered 431.',
  },
  {
    name: 'limitRequestFieldSize',
    section: 'Security',
    flag: '--limit-request-field-size',
    env: 'TSGI_LIMIT_REQUEST_FIELD_SIZE',
    type: 'int',
    default: 8190,
    meta: 'BYTES',
    validate: nonNegative('--limit-request-field-size') as (v: never) => string | null,
    help: 'The maximum size of one header line, CRLF included; a longer one is answered 431. 0 means the default, 8190.',
  },
  {
    name: 'limitRequestBody',
    section: 'Security',
    flag: '--limit-request-body',
    env: 'TSGI_LIMIT_REQUEST_BODY',
    type: 'int',
    default: 100 * 1024 * 1024,
    defaultText: '104857600 (100 MiB)',
    meta: 'BYTES',
    validate: nonNegative('--limit-request-body') as (v: never) => string | null,
    help: 'The maximum size of a request body in bytes: a larger Content-Length is answered 413 before the application runs, and a chunked body is answered 413 (and its connection closed) as soon as it grows past it, while the application reads it or the server discards what it left unread. The default fits real uploads; the application may set lower limits of its own (DATA_UPLOAD_MAX_MEMORY_SIZE). 0 means no limit.',
  },
  {
    name: 'headerMap',
    section: 'Security',
    flag: '--header-map',
    env: 'TSGI_HEADER_MAP',
    type: 'string',
    default: 'drop',
    meta: 'drop|refuse',
    validate: ((v: string) =>
      ['drop', 'refuse'].includes(v) ? null : `--header-map must be drop or refuse, got "${v}".`) as (
      v: never,
    ) => string | null,
    help: 'What to do with header names containing "_", which would pose as "-" in the environ (X_Y and X-Y both become HTTP_X_Y): leave them out of the environ, or refuse the request (400).',
  },
  {
    name: 'forwardedAllowIps',
    section: 'Security',
    flag: '--forwarded-allow-ips',
    env: 'FORWARDED_ALLOW_IPS',
    type: 'list',
    default: ['127.0.0.1', '::1'],
    meta: 'IPS',
    help: 'Peers trusted to set X-Forwarded-For, X-Forwarded-Proto and Forwarded (comma-separated addresses or CIDR ranges; * trusts everyone). From other peers these headers are ignored.',
  },
  {
    name: 'accessLogfile',
    section: 'Logging',
    flag: '--access-logfile',
    env: 'TSGI_ACCESS_LOGFILE',
    type: 'string',
    default: null,
    meta: 'FILE',
    help: 'Where to write the access log; "-" is standard output. No access log when unset.',
  },
  {
    name: 'accessLogFormat',
    section: 'Logging',
    flag: '--access-log-format',
    env: 'TSGI_ACCESS_LOG_FORMAT',
    type: 'string',
    default: DEFAULT_ACCESS_LOG_FORMAT,
    meta: 'FORMAT',
    help: "The access log line, with gunicorn's atoms: h l u t r m U q H s B b f a T M D L p, {header}i, {header}o, {variable}e.",
  },
  {
    name: 'accessLogJson',
    section: 'Logging',
    flag: '--access-log-json',
    env: 'TSGI_ACCESS_LOG_JSON',
    type: 'bool',
    default: false,
    help: 'Write the access log as JSON lines (one object per request) instead of --access-log-format.',
  },
  {
    name: 'errorLogfile',
    section: 'Logging',
    flag: '--error-logfile',
    env: 'TSGI_ERROR_LOGFILE',
    type: 'string',
    default: '-',
    meta: 'FILE',
    help: 'Where to write the error log; "-" is standard error.',
  },
  {
    name: 'logLevel',
    section: 'Logging',
    flag: '--log-level',
    env: 'TSGI_LOG_LEVEL',
    type: 'string',
    default: 'info',
    meta: 'LEVEL',
    validate: ((v: string) =>
      (LOG_LEVELS as readonly string[]).includes(v)
        ? null
        : `--log-level must be one of ${LOG_LEVELS.join(', ')}, got "${v}".`) as (v: never) => string | null,
    help: 'The least important error log messages written: debug, info, warning, error or critical.',
  },
  {
    name: 'certfile',
    section: 'TLS',
    flag: '--certfile',
    env: 'TSGI_CERTFILE',
    type: 'string',
    default: null,
    meta: 'FILE',
    help: 'The TLS certificate (PEM). With --keyfile, every bind serves HTTPS.',
  },
  {
    name: 'keyfile',
    section: 'TLS',
    flag: '--keyfile',
    env: 'TSGI_KEYFILE',
    type: 'string',
    default: null,
    meta: 'FILE',
    help: 'The TLS private key (PEM).',
  },
  {
    name: 'pid',
    section: 'Server mechanics',
    flag: '--pid',
    short: '-p',
    env: 'TSGI_PID',
    type: 'string',
    default: null,
    meta: 'FILE',
    help: "Write the master's process id to this file (removed on exit).",
  },
  {
    name: 'chdir',
    section: 'Server mechanics',
    flag: '--chdir',
    env: 'TSGI_CHDIR',
    type: 'string',
    default: null,
    meta: 'DIR',
    help: 'Change to this directory before loading the application.',
  },
  {
    name: 'env',
    section: 'Server mechanics',
    flag: '--env',
    short: '-e',
    env: 'TSGI_ENV',
    type: 'list',
    default: [],
    meta: 'KEY=VALUE',
    validate: ((vs: string[]) => {
      const bad = vs.find((v) => !/^[A-Za-z_][A-Za-z0-9_]*=/.test(v));
      return bad === undefined ? null : `--env takes KEY=VALUE, got "${bad}".`;
    }) as (v: never) => string | null,
    help: 'Set an environment variable in the workers; repeat for several.',
  },
  {
    name: 'workerTmpDir',
    section: 'Server mechanics',
    flag: '--worker-tmp-dir',
    env: 'TSGI_WORKER_TMP_DIR',
    type: 'string',
    default: null,
    defaultText: "the system's temporary folder ($TMPDIR or /tmp)",
    meta: 'DIR',
    help: "Where the master makes a folder per worker for the application's temporary files (environ['tsgi.tmpdir']: request bodies spooled to disk). A worker's folder is removed when it exits or dies, and the server's when it stops; a worker whose master is gone removes its own. Choose a disk, not a RAM-backed /tmp, for large uploads.",
  },
  {
    name: 'preload',
    section: 'Server mechanics',
    flag: '--preload',
    env: 'TSGI_PRELOAD',
    type: 'bool',
    default: false,
    help: 'Load the application in the master before starting workers, so that a broken application stops the server at once. The workers still load it themselves (a Node process cannot fork its memory).',
  },
  {
    name: 'reload',
    section: 'Debugging',
    flag: '--reload',
    env: 'TSGI_RELOAD',
    type: 'bool',
    default: false,
    help: 'Development only: reload the workers when a source file under the working directory changes.',
  },
  {
    name: 'printConfig',
    section: 'Debugging',
    flag: '--print-config',
    env: 'TSGI_PRINT_CONFIG',
    type: 'bool',
    default: false,
    help: 'Print the resolved settings and exit.',
  },
  {
    name: 'checkConfig',
    section: 'Debugging',
    flag: '--check-config',
    env: 'TSGI_CHECK_CONFIG',
    type: 'bool',
    default: false,
    help: 'Check the settings and that the application loads, then exit (0 when all is well).',
  },
];

/** The settings by flag and by short alias. */
export const SETTINGS_BY_FLAG: ReadonlyMap<string, SettingSpec> = new Map(
  SETTINGS.flatMap((s) =>
    s.short
      ? [
          [s.flag, s],
          [s.short, s],
        ]
      : [[s.flag, s]],
  ),
);

/** The settings by name. */
export const SETTINGS_BY_NAME: ReadonlyMap<string, SettingSpec> = new Map(SETTINGS.map((s) => [s.name, s]));
