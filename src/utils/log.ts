/**
 * Logging, as Python's `logging` as Django configures it, reduced to what a web framework needs:
 * dotted logger names (`tsgi.request`, `tsgi.security.DisallowedHost`, `tsgi.server`) whose
 * records climb to their parents, levels, and handlers writing to stderr, stdout, a file or any
 * writable. The `LOGGING` setting configures it in a simplified `dictConfig` shape.
 *
 * Unlike Django's default, errors reach stderr in production too: a 500 that nobody sees is a
 * defect (Django sends them only to `mail_admins` when DEBUG is off).
 */
import { ImproperlyConfigured } from '../core/exceptions.ts';
import { nodeUtil } from './builtins.ts';
import type { LoggingConfig, LoggingFormatterConfig, LoggingHandlerConfig } from '../conf/global-settings.ts';
// Not an ESM import: building node:fs's namespace runs its lazy getters (fs/promises, readline,
// streams), ~3.5 ms of every cold start (docs/performance.md, Framework, start-up).
const { closeSync, openSync, writeSync } = process.getBuiltinModule('node:fs');

export const LEVELS = { NOTSET: 0, DEBUG: 10, INFO: 20, WARNING: 30, ERROR: 40, CRITICAL: 50 } as const;
export type LevelName = keyof typeof LEVELS;

/** One log event. `extra` carries context such as the request or the status code. */
export interface LogRecord {
  name: string;
  level: number;
  levelname: string;
  message: string;
  time: Date;
  error?: unknown;
  extra: Record<string, unknown>;
}

/** Where records go. */
export interface Handler {
  level: number;
  handle(record: LogRecord): void;
  close?(): void;
}

/** Something text can be written to (process.stderr, a test buffer). */
export interface TextSink {
  write(text: string): unknown;
}

const DEFAULT_FORMAT = '[{asctime}] {levelname} {name}: {message}';

/** Formats a record with `{asctime}`, `{levelname}`, `{name}`, `{message}` and any `extra` key; adds the error's stack. */
export function formatRecord(record: LogRecord, format = DEFAULT_FORMAT): string {
  let text = format.replace(/\{(\w+)\}/g, (whole, key: string) => {
    if (key === 'asctime') return record.time.toISOString();
    if (key === 'levelname' || key === 'name' || key === 'message') return String(record[key]);
    if (key in record.extra) return String(record.extra[key]);
    return whole;
  });
  if (record.error !== undefined) {
    text +=
      '\n' +
      (record.error instanceof Error ? (record.error.stack ?? String(record.error)) : nodeUtil().inspect(record.error));
  }
  return text;
}

/** Writes formatted records to a text sink (process.stderr when none is given). */
export class StreamHandler implements Handler {
  level: number;
  readonly format: string;
  readonly #sink: TextSink | undefined;

  constructor(sink?: TextSink, level = 0, format = DEFAULT_FORMAT) {
    this.#sink = sink;
    this.level = level;
    this.format = format;
  }

  /**
   * Where records are written. process.stderr is read on the first record, not when logging is
   * configured: creating it builds a stream (a tty, pipe or file one) and loads Node's stream
   * machinery, ~2-3 ms of a cold start for a process that may never log.
   */
  get sink(): TextSink {
    return this.#sink ?? process.stderr;
  }

  handle(record: LogRecord): void {
    this.sink.write(formatRecord(record, this.format) + '\n');
  }
}

/** Appends formatted records to a file, synchronously so nothing is lost if the process dies. */
export class FileHandler implements Handler {
  level: number;
  readonly filename: string;
  readonly format: string;
  #fd: number | undefined;

  constructor(filename: string, level = 0, format = DEFAULT_FORMAT) {
    this.filename = filename;
    this.level = level;
    this.format = format;
    try {
      this.#fd = openSync(filename, 'a', 0o644);
    } catch (error) {
      throw new ImproperlyConfigured(
        `The log file '${filename}' cannot be opened (${(error as NodeJS.ErrnoException).code}): create its folder or fix the filename in LOGGING.`,
        { cause: error },
      );
    }
  }

  handle(record: LogRecord): void {
    if (this.#fd !== undefined) writeSync(this.#fd, formatRecord(record, this.format) + '\n');
  }

  close(): void {
    if (this.#fd !== undefined) closeSync(this.#fd);
    this.#fd = undefined;
  }
}

/** Drops records (Python's NullHandler). */
export class NullHandler implements Handler {
  level = 0;
  handle(): void {}
}

/**
 * A named logger. Get one with `getLogger(name)`.
 *
 * @example
 * const logger = getLogger('tsgi.request');
 * logger.error(`Internal Server Error: ${request.path}`, { error, request, statusCode: 500 });
 */
export class Logger {
  readonly name: string;
  /** 0 (NOTSET) defers to the parent's level. */
  level = 0;
  handlers: Handler[] = [];
  propagate = true;
  disabled = false;
  readonly parent: Logger | undefined;

  constructor(name: string, parent: Logger | undefined) {
    this.name = name;
    this.parent = parent;
  }

  /** The level that applies: this logger's, or the nearest ancestor's that is set. */
  getEffectiveLevel(): number {
    if (this.level !== 0) return this.level;
    for (let logger = this.parent; logger !== undefined; logger = logger.parent) {
      if (logger.level !== 0) return logger.level;
    }
    return LEVELS.WARNING;
  }

  isEnabledFor(level: number): boolean {
    return !this.disabled && level >= this.getEffectiveLevel();
  }

  setLevel(level: number | LevelName): void {
    this.level = typeof level === 'number' ? level : parseLevel(level, `the logger '${this.name}'`);
  }

  addHandler(handler: Handler): void {
    if (!this.handlers.includes(handler)) this.handlers.push(handler);
  }

  removeHandler(handler: Handler): void {
    this.handlers = this.handlers.filter((h) => h !== handler);
  }

  /** Logs at `level`. `extra.error` (an Error) is printed with its stack. */
  log(level: number, message: string, extra: Record<string, unknown> = {}): void {
    if (!this.isEnabledFor(level)) return;
    const { error, ...rest } = extra;
    const record: LogRecord = {
      name: this.name,
      level,
      levelname: levelName(level),
      message,
      time: new Date(),
      extra: rest,
      ...(error !== undefined ? { error } : {}),
    };
    const chain: Logger[] = [];
    for (let logger: Logger | undefined = this as Logger; ; logger = logger.parent) {
      chain.push(logger);
      if (!logger.propagate || logger.parent === undefined) break;
    }
    for (const logger of chain) {
      for (const handler of logger.handlers) {
        if (level < handler.level) continue;
        try {
          handler.handle(record);
        } catch (failure) {
          // A broken handler must not break the request that logged: report it once on stderr.
          process.stderr.write(`Logging failed in a handler of '${logger.name}': ${(failure as Error).message}\n`);
        }
      }
    }
  }

  debug(message: string, extra?: Record<string, unknown>): void {
    this.log(LEVELS.DEBUG, message, extra);
  }
  info(message: string, extra?: Record<string, unknown>): void {
    this.log(LEVELS.INFO, message, extra);
  }
  warning(message: string, extra?: Record<string, unknown>): void {
    this.log(LEVELS.WARNING, message, extra);
  }
  error(message: string, extra?: Record<string, unknown>): void {
    this.log(LEVELS.ERROR, message, extra);
  }
  critical(message: string, extra?: Record<string, unknown>): void {
    this.log(LEVELS.CRITICAL, message, extra);
  }
}

function levelName(level: number): string {
  const exact = Object.entries(LEVELS).find(([, n]) => n === level);
  return exact ? exact[0] : `Level ${level}`;
}

function parseLevel(level: unknown, where: string): number {
  if (typeof level === 'number' && Number.isInteger(level) && level >= 0) return level;
  const upper = typeof level === 'string' ? level.toUpperCase() : '';
  if (upper in LEVELS) return LEVELS[upper as LevelName];
  throw new ImproperlyConfigured(
    `The level ${JSON.stringify(level)} of ${where} in LOGGING is not a level: use DEBUG, INFO, WARNING, ERROR or CRITICAL.`,
  );
}

const root = new Logger('root', undefined);
root.level = LEVELS.WARNING;
const loggers = new Map<string, Logger>();

/**
 * The logger for a dotted name; created on first use, child of the logger one dot up.
 * `getLogger()` or `getLogger('root')` is the root logger.
 */
export function getLogger(name = 'root'): Logger {
  if (name === 'root' || name === '') return root;
  let logger = loggers.get(name);
  if (logger === undefined) {
    const dot = name.lastIndexOf('.');
    logger = new Logger(name, dot === -1 ? root : getLogger(name.slice(0, dot)));
    loggers.set(name, logger);
  }
  return logger;
}

let configured: Handler[] = [];

const CLASS_ALIASES: Record<string, string> = {
  'logging.StreamHandler': 'stream',
  'logging.FileHandler': 'file',
  'logging.NullHandler': 'null',
};
const STREAM_ALIASES: Record<string, string> = { 'ext://sys.stderr': 'stderr', 'ext://sys.stdout': 'stdout' };

/** A format string in `{name}` style; Python's `%(name)s` style is translated. */
function formatOf(config: LoggingFormatterConfig, name: string): string {
  if (typeof config?.format !== 'string') {
    throw new ImproperlyConfigured(
      `The LOGGING formatter '${name}' needs a format string, such as '{levelname} {message}'.`,
    );
  }
  if (config.style === '{') return config.format;
  if (config.style !== undefined && config.style !== '%') {
    throw new ImproperlyConfigured(
      `The LOGGING formatter '${name}' has style ${JSON.stringify(config.style)}: use '{' or '%'.`,
    );
  }
  return config.format.replace(/%\((\w+)\)[-#0 +]*\d*(?:\.\d+)?[sdfr]/g, '{$1}').replace(/%%/g, '%');
}

function buildHandler(name: string, config: LoggingHandlerConfig, formatters: Map<string, string>): Handler {
  if (typeof config !== 'object' || config === null) {
    throw new ImproperlyConfigured(`The LOGGING handler '${name}' must be an object such as { class: 'stream' }.`);
  }
  const c = config as LoggingHandlerConfig & { stream?: unknown; filters?: unknown };
  if (c.filters !== undefined) {
    throw new ImproperlyConfigured(
      `The LOGGING handler '${name}' has filters, which tsgi does not support: set levels instead.`,
    );
  }
  const level = c.level === undefined ? 0 : parseLevel(c.level, `the handler '${name}'`);
  let format = c.format;
  if (c.formatter !== undefined) {
    format = formatters.get(c.formatter);
    if (format === undefined) {
      throw new ImproperlyConfigured(
        `The LOGGING handler '${name}' uses the formatter '${c.formatter}', which LOGGING.formatters does not define.`,
      );
    }
  }
  const kind = CLASS_ALIASES[c.class] ?? c.class;
  switch (kind) {
    case 'stream': {
      const given = c.stream ?? 'stderr';
      const stream = typeof given === 'string' ? (STREAM_ALIASES[given] ?? given) : given;
      const sink =
        stream === 'stderr'
          ? undefined
          : stream === 'stdout'
            ? process.stdout
            : typeof (stream as TextSink).write === 'function'
              ? (stream as TextSink)
              : undefined;
      if (sink === undefined && stream !== 'stderr') {
        throw new ImproperlyConfigured(
          `The LOGGING handler '${name}' has stream ${JSON.stringify(given)}: use 'stderr', 'stdout' or an object with a write(text) method.`,
        );
      }
      return new StreamHandler(sink, level, format);
    }
    case 'file':
      if (typeof c.filename !== 'string' || c.filename === '') {
        throw new ImproperlyConfigured(
          `The LOGGING handler '${name}' has class 'file' but no filename: add filename: '/path/to/file.log'.`,
        );
      }
      return new FileHandler(c.filename, level, format);
    case 'null':
      return new NullHandler();
    default:
      throw new ImproperlyConfigured(
        `The LOGGING handler '${name}' has class ${JSON.stringify(c.class)}: use 'stream', 'file' or 'null'.`,
      );
  }
}

/**
 * Applies the default configuration, then the `LOGGING` setting: handlers by name, loggers by
 * dotted name (level, handlers, propagate), and `root`. With `disableExistingLoggers` (the
 * default, as dictConfig's) the default handlers are removed before the setting applies.
 *
 * The default sends `tsgi` records to stderr (INFO and up with DEBUG, else ERROR and up) and
 * `tsgi.server` (the development server's request lines) at INFO.
 *
 * @example
 * configureLogging({
 *   handlers: { file: { class: 'file', filename: '/var/log/app.log' } },
 *   loggers: { 'tsgi.request': { level: 'WARNING', handlers: ['file'] } },
 * }, { debug: false });
 */
export function configureLogging(config: LoggingConfig = {}, options: { debug?: boolean } = {}): void {
  if (typeof config !== 'object' || config === null || Array.isArray(config)) {
    throw new ImproperlyConfigured(
      `The LOGGING setting must be an object (a dictConfig), got ${JSON.stringify(config)}.`,
    );
  }
  if (config.version !== undefined && config.version !== 1) {
    throw new ImproperlyConfigured(
      `The LOGGING version must be 1 (as dictConfig), got ${JSON.stringify(config.version)}.`,
    );
  }
  const formatters = new Map<string, string>();
  for (const [name, f] of Object.entries(config.formatters ?? {})) formatters.set(name, formatOf(f, name));
  const handlers = new Map<string, Handler>();
  for (const [name, handlerConfig] of Object.entries(config.handlers ?? {})) {
    handlers.set(name, buildHandler(name, handlerConfig, formatters));
  }
  const loggerConfigs = Object.entries(config.loggers ?? {});
  const refs: Array<[string, string[] | undefined]> = [
    ...loggerConfigs.map(([n, c]) => [n, c.handlers] as [string, string[] | undefined]),
    ['root', config.root?.handlers],
  ];
  for (const [loggerName, names] of refs) {
    for (const handlerName of names ?? []) {
      if (!handlers.has(handlerName)) {
        throw new ImproperlyConfigured(
          `The LOGGING logger '${loggerName}' uses the handler '${handlerName}', which LOGGING.handlers does not define.`,
        );
      }
    }
  }
  // Everything is validated: now replace the previous configuration.
  for (const handler of configured) handler.close?.();
  configured = [...handlers.values()];
  for (const logger of [root, ...loggers.values()]) {
    logger.handlers = [];
    logger.level = logger === root ? LEVELS.WARNING : 0;
    logger.propagate = true;
    logger.disabled = false;
  }
  const disable = config.disableExistingLoggers ?? config.disable_existing_loggers ?? true;
  if (disable === false || Object.keys(config).length === 0) {
    const console = new StreamHandler(undefined, options.debug ? LEVELS.INFO : LEVELS.ERROR);
    const tsgi = getLogger('tsgi');
    tsgi.level = LEVELS.INFO;
    tsgi.addHandler(console);
    const server = getLogger('tsgi.server');
    server.level = LEVELS.INFO;
    server.propagate = false;
    server.addHandler(new StreamHandler(undefined, LEVELS.INFO, '[{asctime}] {message}'));
    configured.push(console);
  }
  const apply = (logger: Logger, c: { level?: string; handlers?: string[]; propagate?: boolean }, where: string) => {
    if (c.level !== undefined) logger.level = parseLevel(c.level, where);
    if (c.handlers !== undefined) logger.handlers = c.handlers.map((h) => handlers.get(h)!);
    if (c.propagate !== undefined) logger.propagate = c.propagate;
  };
  // Django's logger names (`django.request`) configure their tsgi counterparts, so settings port.
  const ported = (name: string) => (name === 'django' || name.startsWith('django.') ? 'tsgi' + name.slice(6) : name);
  for (const [name, c] of loggerConfigs) apply(getLogger(ported(name)), c, `the logger '${name}'`);
  if (config.root !== undefined) apply(root, config.root, 'the root logger');
}
