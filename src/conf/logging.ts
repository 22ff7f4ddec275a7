/**
 * The `LOGGING` setting applied to the loggers of utils/log.ts, as Django's `configure_logging`
 * does with Python's `logging.config.dictConfig`: formatters, handlers by name, loggers by dotted
 * name. Every mistake is an ImproperlyConfigured naming the entry and the fix, raised before the
 * previous configuration is touched.
 */
import { ImproperlyConfigured } from '../core/exceptions.ts';
import { allLoggers, FileHandler, getLogger, LEVELS, levelNumber, NullHandler, StreamHandler } from '../utils/log.ts';
import type { Handler, Logger, TextSink } from '../utils/log.ts';
import type { LoggingConfig, LoggingFormatterConfig, LoggingHandlerConfig } from './global-settings.ts';

/** The handlers of the configuration in force, closed when the next one replaces it. */
let configured: Handler[] = [];

function parseLevel(level: unknown, where: string): number {
  const number = levelNumber(level);
  if (number !== undefined) return number;
  throw new ImproperlyConfigured(
    `The level ${JSON.stringify(level)} of ${where} in LOGGING is not a level: use DEBUG, INFO, WARNING, ERROR or CRITICAL.`,
  );
}

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
      try {
        return new FileHandler(c.filename, level, format);
      } catch (error) {
        throw new ImproperlyConfigured(
          `The log file '${c.filename}' cannot be opened (${(error as NodeJS.ErrnoException).code}): create its folder or fix the filename in LOGGING.`,
          { cause: error },
        );
      }
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
  const root = getLogger();
  for (const logger of allLoggers()) {
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
