/**
 * Logging, as Python's `logging` as Django configures it, reduced to what a web framework needs:
 * dotted logger names (`tsgi.request`, `tsgi.security.DisallowedHost`, `tsgi.server`) whose
 * records climb to their parents, levels, and handlers writing to stderr, stdout, a file or any
 * writable. The `LOGGING` setting configures it (conf/logging.ts, as Python's `logging.config`).
 *
 * Unlike Django's default, errors reach stderr in production too: a 500 that nobody sees is a
 * defect (Django sends them only to `mail_admins` when DEBUG is off).
 */
import { nodeUtil } from './builtins.ts';
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

/**
 * Appends formatted records to a file, synchronously so nothing is lost if the process dies.
 * @throws the file system's error when the file cannot be opened.
 */
export class FileHandler implements Handler {
  level: number;
  readonly filename: string;
  readonly format: string;
  #fd: number | undefined;

  constructor(filename: string, level = 0, format = DEFAULT_FORMAT) {
    this.filename = filename;
    this.level = level;
    this.format = format;
    this.#fd = openSync(filename, 'a', 0o644);
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
    const number = levelNumber(level);
    if (number === undefined) {
      throw new RangeError(
        `${JSON.stringify(level)} is not a level of the logger '${this.name}': use DEBUG, INFO, WARNING, ERROR or CRITICAL.`,
      );
    }
    this.level = number;
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

/** The number of a level given as a number or a name (any case); undefined when it is neither. */
export function levelNumber(level: unknown): number | undefined {
  if (typeof level === 'number' && Number.isInteger(level) && level >= 0) return level;
  const upper = typeof level === 'string' ? level.toUpperCase() : '';
  return upper in LEVELS ? LEVELS[upper as LevelName] : undefined;
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

/** Every logger made so far, the root logger first. */
export function allLoggers(): Logger[] {
  return [root, ...loggers.values()];
}

const logged = new WeakSet<object>();

/**
 * Logs a 4xx/5xx response to `tsgi.request` once (warning for 4xx, error for 5xx), as Django's
 * `log_response` (django.utils.log): `Not Found: /path`, `Internal Server Error: /boom/`.
 */
export function logResponse(
  message: string,
  response: { readonly statusCode: number },
  request: unknown,
  error?: unknown,
): void {
  if (logged.has(response) || response.statusCode < 400) return;
  logged.add(response);
  const extra: Record<string, unknown> = { status_code: response.statusCode, request };
  if (error !== undefined) extra.error = error;
  if (response.statusCode >= 500) getLogger('tsgi.request').error(message, extra);
  else getLogger('tsgi.request').warning(message, extra);
}

/** Marks a response as logged, so that {@link logResponse} leaves it alone (its handler logged it). */
export function markLogged(response: object): void {
  logged.add(response);
}
