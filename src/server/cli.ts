/**
 * `tsgi serve MODULE[:ATTR] [options]`: resolves the settings, then runs the master.
 */
import { Arbiter } from './arbiter.ts';
import { ConfigError, formatConfig, resolveConfig } from './config.ts';
import { AppLoadError, APP_LOAD_ERROR, loadApplication, WORKER_BOOT_ERROR } from './loader.ts';
import { LogFile, Logger, type LogLevel } from './logger.ts';
import { SETTINGS } from './settings.ts';
import { compileAccessFormat } from './access-log.ts';
import { parseAllowIps } from './proxy.ts';
// Not an ESM import: building node:fs's namespace runs its lazy getters (fs/promises, readline,
// streams), ~3.5 ms of every cold start (docs/performance.md, Framework, start-up).
const { readFileSync } = process.getBuiltinModule('node:fs');

/** The package version, for the banner and `tsgi --version`. */
export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL(import.meta.resolve('tsgi/package.json')), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

/** The text of `tsgi serve --help`, generated from the settings. */
export function helpText(): string {
  const lines = [
    'Usage: tsgi serve [OPTIONS] MODULE[:ATTR]',
    '',
    'Serve the TSGI application ATTR (default "application") of MODULE (markup.wsgi → ./markup/wsgi.ts, .js or .mjs).',
    'ATTR may also be a Fetch handler: an object with fetch(request) (a Hono app), or a function of exactly one parameter,',
    '(request) => Response; a function of none or of two or more is taken for a TSGI application (environ, startResponse).',
    '',
  ];
  let section = '';
  for (const s of SETTINGS) {
    if (s.section !== section) {
      section = s.section;
      lines.push(`${section}:`);
    }
    const flag = `${s.short ? s.short + ', ' : '    '}${s.flag}${s.type === 'bool' ? '' : ' ' + (s.meta ?? 'VALUE')}`;
    const def = s.defaultText ?? (typeof s.default === 'function' ? '' : JSON.stringify(s.default));
    lines.push(`  ${flag}`, `      ${s.help}${def && s.type !== 'bool' ? ` Default: ${def}.` : ''} [$${s.env}]`);
  }
  lines.push(
    '',
    'Signals: TERM graceful stop, INT/QUIT fast stop, HUP reload with no request lost, TTIN/TTOU one worker more/less, USR1 reopen the log files.',
  );
  lines.push(
    'Settings also come from tsgi.config.ts (or --config) and $TSGI_CMD_ARGS; see docs/server-settings.md.',
    '',
  );
  return lines.join('\n');
}

/** Runs `tsgi serve` with its arguments; resolves with the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  let resolved;
  try {
    resolved = await resolveConfig(argv, process.env, process.cwd());
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`Error: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  const { app, config, help } = resolved;
  if (help) {
    process.stdout.write(helpText());
    return 0;
  }
  if (config.printConfig) {
    process.stdout.write(formatConfig(config));
    return 0;
  }
  try {
    compileAccessFormat(config.accessLogFormat);
    parseAllowIps(config.forwardedAllowIps);
  } catch (err) {
    process.stderr.write(`Error: ${(err as Error).message}\n`);
    return 2;
  }
  if (!app) {
    process.stderr.write(
      'Error: No application to serve; write tsgi serve MODULE[:ATTR], e.g. tsgi serve markup.wsgi:application.\n',
    );
    return 2;
  }
  if (config.chdir) {
    try {
      process.chdir(config.chdir);
    } catch {
      process.stderr.write(`Error: --chdir ${config.chdir}: no such directory.\n`);
      return 2;
    }
  }
  for (const pair of config.env) {
    const eq = pair.indexOf('=');
    process.env[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  let log: Logger;
  try {
    log = new Logger(new LogFile(config.errorLogfile, 2), config.logLevel as LogLevel);
  } catch (err) {
    process.stderr.write(`Error: cannot open --error-logfile ${config.errorLogfile}: ${(err as Error).message}\n`);
    return 2;
  }
  if (config.certfile !== null && config.keyfile !== null) {
    // Checked here, before any worker: each worker would die at boot on the same file. The exit
    // code is the one of a worker that cannot boot (gunicorn's WORKER_BOOT_ERROR), which is what
    // a bad TLS file would otherwise be.
    const { readTlsFiles } = await import('./tls.ts');
    try {
      readTlsFiles(config.certfile, config.keyfile);
    } catch (err) {
      log.error((err as Error).message);
      return WORKER_BOOT_ERROR;
    }
  }
  if (config.checkConfig || config.preload) {
    try {
      const loaded = await loadApplication(app, process.cwd());
      if (config.checkConfig) {
        process.stdout.write(
          `The configuration is valid and ${app} loads (${loaded.kind === 'fetch' ? 'a Fetch handler' : 'a TSGI application'} from ${loaded.file}).\n`,
        );
        return 0;
      }
    } catch (err) {
      log.error(err instanceof AppLoadError ? err.message : String((err as Error)?.stack ?? err));
      return APP_LOAD_ERROR;
    }
  }
  const arbiter = new Arbiter(app, config, log, packageVersion());
  return arbiter.run();
}
