import { test, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { configureLogging } from '../../src/conf/logging.ts';
import { getLogger, formatRecord, LEVELS } from '../../src/utils/log.ts';
import type { StreamHandler } from '../../src/utils/log.ts';

function sink() {
  const lines: string[] = [];
  return { lines, write: (text: string) => lines.push(text) };
}

beforeEach(() => configureLogging({ disableExistingLoggers: true }));

test("loggers form a hierarchy by dots; records climb to the parents' handlers", () => {
  const out = sink();
  configureLogging({
    handlers: { mem: { class: 'stream', stream: out, format: '{levelname} {name} {message} {statusCode}' } },
    loggers: { tsgi: { level: 'INFO', handlers: ['mem'] } },
  });
  const security = getLogger('tsgi.security.DisallowedHost');
  assert.equal(security.parent, getLogger('tsgi.security'));
  assert.equal(getLogger('tsgi.security').parent, getLogger('tsgi'));
  security.warning('Invalid HTTP_HOST header', { statusCode: 400 });
  getLogger('tsgi.request').debug('not shown: below INFO');
  getLogger('other').error('not shown: no handler on this branch');
  assert.deepEqual(out.lines, ['WARNING tsgi.security.DisallowedHost Invalid HTTP_HOST header 400\n']);
});

test('levels on loggers and handlers, propagate false, errors with their stack', () => {
  const all = sink();
  const errorsOnly = sink();
  configureLogging({
    handlers: {
      all: { class: 'stream', stream: all, format: '{levelname}:{message}' },
      errors: { class: 'stream', stream: errorsOnly, level: 'ERROR', format: '{message}' },
    },
    loggers: {
      tsgi: { level: 'DEBUG', handlers: ['all', 'errors'] },
      'tsgi.quiet': { handlers: ['all'], propagate: false },
    },
  });
  const request = getLogger('tsgi.request');
  request.info('one');
  request.error('Internal Server Error: /boom', { error: new TypeError('kaput') });
  getLogger('tsgi.quiet').error('only once');
  assert.deepEqual(all.lines.slice(0, 1), ['INFO:one\n']);
  assert.match(all.lines[1]!, /^ERROR:Internal Server Error: \/boom\nTypeError: kaput\n {4}at /);
  assert.deepEqual(all.lines.slice(2), ['ERROR:only once\n']);
  assert.equal(errorsOnly.lines.length, 1);
  assert.equal(request.getEffectiveLevel(), LEVELS.DEBUG);
  assert.equal(request.isEnabledFor(LEVELS.DEBUG), true);
});

test('a file handler appends lines', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'tsgi-log-'));
  try {
    const file = path.join(dir, 'app.log');
    configureLogging({
      handlers: { f: { class: 'file', filename: file, format: '{name} {message}' } },
      root: { level: 'INFO', handlers: ['f'] },
    });
    getLogger('app').info('hello');
    getLogger().warning('root too');
    configureLogging({});
    assert.equal(readFileSync(file, 'utf8'), 'app hello\nroot root too\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the default configuration: tsgi errors to stderr (INFO with DEBUG), tsgi.server at INFO', () => {
  configureLogging({}, { debug: false });
  const tsgi = getLogger('tsgi');
  assert.equal(tsgi.handlers.length, 1);
  assert.equal(tsgi.handlers[0]!.level, LEVELS.ERROR);
  assert.equal((tsgi.handlers[0] as StreamHandler).sink, process.stderr);
  assert.equal(getLogger('tsgi.server').propagate, false);
  assert.equal(getLogger('tsgi.server').getEffectiveLevel(), LEVELS.INFO);
  configureLogging({}, { debug: true });
  assert.equal(getLogger('tsgi').handlers[0]!.level, LEVELS.INFO);
  const out = sink();
  configureLogging({
    disableExistingLoggers: false,
    handlers: { m: { class: 'stream', stream: out } },
    loggers: { app: { handlers: ['m'] } },
  });
  assert.equal(getLogger('tsgi').handlers.length, 1, 'defaults kept when disableExistingLoggers is false');
});

test("Django's spellings port as they are: version, disable_existing_loggers, logging.* classes, %-style formatters", () => {
  const out = sink();
  configureLogging({
    version: 1,
    disable_existing_loggers: false,
    formatters: {
      verbose: { format: '%(levelname)s %(name)s: %(message)s 100%%' },
      brace: { format: '<{message}>', style: '{' },
    },
    handlers: {
      stderr: { class: 'logging.StreamHandler', stream: out, formatter: 'verbose' },
      b: { class: 'logging.StreamHandler', stream: out, formatter: 'brace' },
      quiet: { class: 'logging.NullHandler' },
    },
    loggers: {
      'tsgi.request': { handlers: ['stderr', 'b'], level: 'ERROR', propagate: false },
      'tsgi.security': { handlers: ['quiet'], level: 'ERROR', propagate: false },
    },
  });
  getLogger('tsgi.request').error('Internal Server Error: /boom/');
  getLogger('tsgi.request').warning('Not Found: /nope/');
  assert.deepEqual(out.lines, [
    'ERROR tsgi.request: Internal Server Error: /boom/ 100%\n',
    '<Internal Server Error: /boom/>\n',
  ]);
  assert.equal(getLogger('tsgi').handlers.length, 1, 'disable_existing_loggers: false keeps the defaults');
  configureLogging({
    handlers: { n: { class: 'null' } },
    loggers: { 'django.security': { handlers: ['n'], level: 'CRITICAL' } },
  });
  assert.equal(getLogger('tsgi.security').level, LEVELS.CRITICAL, 'django.* names configure tsgi.* loggers');
  configureLogging({
    handlers: { o: { class: 'stream', stream: 'ext://sys.stdout' } },
    loggers: { a: { handlers: ['o'] } },
  });
  assert.equal((getLogger('a').handlers[0] as StreamHandler).sink, process.stdout);
});

test('a failing handler does not break the caller', () => {
  const broken = {
    write: () => {
      throw new Error('disk full');
    },
  };
  configureLogging({ handlers: { b: { class: 'stream', stream: broken } }, loggers: { x: { handlers: ['b'] } } });
  const original = process.stderr.write;
  const seen: string[] = [];
  process.stderr.write = ((text: string) => (seen.push(text), true)) as typeof process.stderr.write;
  try {
    getLogger('x').error('boom');
  } finally {
    process.stderr.write = original;
  }
  assert.deepEqual(seen, ["Logging failed in a handler of 'x': disk full\n"]);
});

test('formatRecord leaves unknown placeholders and formats non-Error errors', () => {
  const record = {
    name: 'n',
    level: 40,
    levelname: 'ERROR',
    message: 'm',
    time: new Date(0),
    extra: {},
    error: { code: 1 },
  };
  assert.equal(formatRecord(record, '{asctime} {nope} {message}'), '1970-01-01T00:00:00.000Z {nope} m\n{ code: 1 }');
});

const bad: Array<[string, unknown, string]> = [
  [
    'an unknown handler class',
    { handlers: { h: { class: 'smtp' } } },
    "The LOGGING handler 'h' has class \"smtp\": use 'stream', 'file' or 'null'.",
  ],
  [
    'a file handler without a filename',
    { handlers: { h: { class: 'file' } } },
    "The LOGGING handler 'h' has class 'file' but no filename: add filename: '/path/to/file.log'.",
  ],
  [
    'a bad stream',
    { handlers: { h: { class: 'stream', stream: 'stdlog' } } },
    "The LOGGING handler 'h' has stream \"stdlog\": use 'stderr', 'stdout' or an object with a write(text) method.",
  ],
  [
    'an undefined handler',
    { loggers: { 'tsgi.request': { handlers: ['mail'] } } },
    "The LOGGING logger 'tsgi.request' uses the handler 'mail', which LOGGING.handlers does not define.",
  ],
  [
    'a bad level',
    { loggers: { app: { level: 'LOUD' } } },
    'The level "LOUD" of the logger \'app\' in LOGGING is not a level: use DEBUG, INFO, WARNING, ERROR or CRITICAL.',
  ],
  [
    'a bad handler level',
    { handlers: { h: { class: 'null', level: 'x' } } },
    'The level "x" of the handler \'h\' in LOGGING is not a level: use DEBUG, INFO, WARNING, ERROR or CRITICAL.',
  ],
  [
    'an unopenable file',
    { handlers: { h: { class: 'file', filename: '/nonexistent-dir/x.log' } } },
    "The log file '/nonexistent-dir/x.log' cannot be opened (ENOENT): create its folder or fix the filename in LOGGING.",
  ],
  ['not an object', ['x'], 'The LOGGING setting must be an object (a dictConfig), got ["x"].'],
  ['another version', { version: 2 }, 'The LOGGING version must be 1 (as dictConfig), got 2.'],
  [
    'an undefined formatter',
    { handlers: { h: { class: 'null', formatter: 'fancy' } } },
    "The LOGGING handler 'h' uses the formatter 'fancy', which LOGGING.formatters does not define.",
  ],
  [
    'a formatter without format',
    { formatters: { f: {} } },
    "The LOGGING formatter 'f' needs a format string, such as '{levelname} {message}'.",
  ],
  [
    'a formatter with another style',
    { formatters: { f: { format: 'x', style: '$' } } },
    "The LOGGING formatter 'f' has style \"$\": use '{' or '%'.",
  ],
  [
    'handler filters',
    { handlers: { h: { class: 'null', filters: ['require_debug_false'] } } },
    "The LOGGING handler 'h' has filters, which tsgi does not support: set levels instead.",
  ],
];
for (const [what, config, message] of bad) {
  test(`${what} is an ImproperlyConfigured`, () => {
    assert.throws(() => configureLogging(config as never), { name: 'ImproperlyConfigured', message });
  });
}
