/**
 * `manage.ts runserver [addr:port]`: the development server, as Django's. It runs the system
 * checks, serves the project's application on the gateway's reference server, serves static files
 * in DEBUG, logs each request, and restarts when a source file, a template or the settings
 * change (autoreload.ts's ReloadRules; never for databases, journals, logs, node_modules or
 * dotfiles, nor what --exclude names).
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Application, Environ, StartResponse, ClosableBody } from '../../../gateway/types.ts';
import { CommandError, defineCommand, type CommandIO } from '../base.ts';
import { runSystemChecks } from '../checks.ts';
import { EXIT_PORT_IN_USE, RUN_MAIN_ENV, ReloadRules, runWithReloader } from '../autoreload.ts';

const DEFAULT_ADDR = '127.0.0.1';
const DEFAULT_PORT = 8000;

/** Parses `8000`, `0:8000`, `0.0.0.0:8000`, `[::1]:8000`, `localhost:8000` as Django does. */
export function parseAddrport(addrport: string | undefined, ipv6 = false): { host: string; port: number } {
  if (!addrport) return { host: ipv6 ? '::1' : DEFAULT_ADDR, port: DEFAULT_PORT };
  const match = /^(?:(?:\[([0-9a-fA-F:.]+)\])|([A-Za-z0-9.-]+)):(\d+)$/.exec(addrport) ?? /^()()(\d+)$/.exec(addrport);
  if (!match)
    throw new CommandError(
      `"${addrport}" is not a valid port number or address:port pair. Use a port (8000) or an address and port (127.0.0.1:8000, [::1]:8000).`,
    );
  const port = Number(match[3]);
  if (port > 65535) throw new CommandError(`"${match[3]}" is not a valid port number: ports go from 0 to 65535.`);
  let host = match[1] || match[2] || (ipv6 ? '::1' : DEFAULT_ADDR);
  if (host === '0') host = '0.0.0.0';
  return { host, port };
}

/** Wraps the application to log one line per request, as Django's dev server does. */
function logRequests(app: Application, io: CommandIO): Application {
  const logged: Application = async (environ: Environ, startResponse: StartResponse) => {
    let status = '500';
    let bytes = 0;
    const body: ClosableBody = await app(environ, (s, headers, excInfo) => {
      status = s.slice(0, 3);
      const write = startResponse(s, headers, excInfo);
      return (chunk) => {
        bytes += chunk.byteLength;
        return write(chunk);
      };
    });
    const line = () => {
      const now = new Date();
      const stamp = now
        .toLocaleString('en-GB', {
          day: '2-digit',
          month: 'short',
          year: 'numeric',
          hour: '2-digit',
          minute: '2-digit',
          second: '2-digit',
          hour12: false,
        })
        .replace(',', '');
      const query = environ.QUERY_STRING ? `?${environ.QUERY_STRING}` : '';
      const text = `[${stamp}] "${environ.REQUEST_METHOD} ${environ.RAW_URI ?? environ.PATH_INFO + query} ${environ.SERVER_PROTOCOL}" ${status} ${bytes}`;
      const code = Number(status);
      io.stderr.write((code >= 500 ? io.style.ERROR(text) : code >= 400 ? io.style.WARNING(text) : text) + '\n');
    };
    async function* counted(): AsyncGenerator<Uint8Array> {
      try {
        for await (const chunk of body as AsyncIterable<Uint8Array>) {
          bytes += chunk.byteLength;
          yield chunk;
        }
      } finally {
        await body.close?.();
        line();
      }
    }
    return counted();
  };
  logged.ready = app.ready;
  return logged;
}

/** The application settings.WSGI_APPLICATION names, or the framework's default. */
async function loadApplication(): Promise<Application> {
  const { settings } = await import('../../../conf/index.ts');
  const dotted = (settings as unknown as { WSGI_APPLICATION?: string | null }).WSGI_APPLICATION;
  if (dotted) {
    const { importString } = await import('../../../utils/module-loading.ts');
    return importString(dotted) as Application;
  }
  const { getWsgiApplication } = await import('../../wsgi.ts');
  return getWsgiApplication();
}

/**
 * Static files straight from the finders in DEBUG (or with --insecure), as Django's runserver:
 * a change to a CSS file shows on reload, with no collectstatic.
 */
async function withStaticFiles(app: Application): Promise<Application> {
  const { staticFilesHandler } = await import('../../../staticfiles/index.ts');
  return staticFilesHandler(app, { useFinders: true, autorefresh: true });
}

/** Django's check_migrations(): a notice when the database has unapplied migrations. */
async function migrationsNotice(io: CommandIO): Promise<void> {
  const { settings } = await import('../../../conf/index.ts');
  if (Object.keys((settings.DATABASES as object | undefined) ?? {}).length === 0) return;
  try {
    const { unappliedMigrationsNotice } = await import('../../../db/migrations/checks.ts');
    const notice = await unappliedMigrationsNotice();
    if (notice !== undefined) io.stdout.write(`\n${io.style.NOTICE(notice)}\n`);
  } catch {
    // An unreachable database was reported by the checks; the server still starts.
  }
}

async function innerRun(
  host: string,
  port: number,
  options: { useStatic: boolean; insecure: boolean; skipChecks: boolean },
  io: CommandIO,
): Promise<number> {
  const { settings } = await import('../../../conf/index.ts');
  if (!settings.DEBUG && settings.ALLOWED_HOSTS.length === 0) {
    throw new CommandError('You must set settings.ALLOWED_HOSTS if DEBUG is false.');
  }
  if (!options.skipChecks) {
    io.stdout.write('Performing system checks...\n\n');
    await runSystemChecks(io);
    await migrationsNotice(io);
  }
  let app = await loadApplication();
  await app.ready;
  if (
    options.useStatic &&
    (settings.DEBUG || options.insecure) &&
    settings.INSTALLED_APPS.some((a) => String(a).includes('staticfiles'))
  ) {
    app = await withStaticFiles(app);
  }
  app = logRequests(app, io);
  const { serve } = await import('../../../gateway/server.ts');
  let handle: Awaited<ReturnType<typeof serve>>;
  try {
    handle = await serve(app, { host, port });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason =
      code === 'EADDRINUSE'
        ? 'That port is already in use.'
        : code === 'EACCES'
          ? "You don't have permission to access that port."
          : code === 'EADDRNOTAVAIL'
            ? "That IP address can't be assigned to."
            : (error as Error).message;
    io.stderr.write(`Error: ${reason}\n`);
    return EXIT_PORT_IN_USE;
  }
  const version = (createRequire(import.meta.url)('tsgi/package.json') as { version: string }).version;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  const now = new Date().toLocaleString('en-US', {
    month: 'long',
    day: 'numeric',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hour12: false,
  });
  io.stdout.write(
    `${now}\ntsgi version ${version}, using settings '${process.env.TSGI_SETTINGS_MODULE ?? '(configured)'}'\nStarting development server at http://${shownHost}:${handle.port}/\nQuit the server with CONTROL-C.\n`,
  );
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await handle.close();
  return 0;
}

const command = defineCommand({
  help: 'Starts a lightweight web server for development that also serves static files, restarted when a source file, a template or the settings change.',
  requiresSystemChecks: false,
  positionals: [{ name: 'addrport', help: 'Optional port number, or ipaddr:port.', optional: true }],
  options: {
    ipv6: { type: 'boolean', short: '6', default: false, help: 'Tells tsgi to use an IPv6 address.' },
    noreload: { type: 'boolean', default: false, help: 'Tells tsgi to NOT use the auto-reloader.' },
    nostatic: {
      type: 'boolean',
      default: false,
      help: 'Tells tsgi to NOT automatically serve static files at STATIC_URL.',
    },
    insecure: { type: 'boolean', default: false, help: 'Allows serving static files even if DEBUG is false.' },
    exclude: {
      type: 'strings',
      help: "A file or folder whose changes never restart the server, as a glob; repeat for more. Without a '/' it matches a name at any depth (--exclude data), with one the path from the project root (--exclude 'fixtures/**').",
    },
  },
  async handle({ args, ipv6, noreload, nostatic, insecure, exclude }, io) {
    const { host, port } = parseAddrport(args.addrport as string | undefined, ipv6);
    const run = async () => {
      try {
        return await innerRun(
          host,
          port,
          { useStatic: !nostatic, insecure, skipChecks: process.argv.includes('--skip-checks') },
          io,
        );
      } catch (error) {
        // The dev server always shows where the error is: the reloader page shows the same text.
        const err = error as Error;
        io.stderr.write(
          err instanceof CommandError ? `CommandError: ${err.message}\n` : `${err.stack ?? err.message}\n`,
        );
        return err instanceof CommandError ? err.returncode : 1;
      }
    };
    if (noreload || process.env[RUN_MAIN_ENV] === 'true') return run();
    const { settings } = await import('../../../conf/index.ts');
    const { getProjectRoot } = await import('../../../utils/module-loading.ts');
    const s = settings as unknown as {
      STATIC_ROOT?: string | null;
      MEDIA_ROOT?: string | null;
      TEMPLATES?: ReadonlyArray<{ DIRS?: readonly string[] }>;
    };
    const strings = (list: readonly unknown[]) =>
      list.filter((p): p is string => typeof p === 'string' && p.length > 0).map((p) => path.resolve(p));
    const rules = new ReloadRules({
      root: getProjectRoot(),
      exclude,
      ignoreFolders: strings([s.STATIC_ROOT, s.MEDIA_ROOT]),
      templateDirs: strings((s.TEMPLATES ?? []).flatMap((engine) => engine.DIRS ?? [])),
    });
    io.stdout.write(`Watching for file changes in ${getProjectRoot()}\n`);
    return runWithReloader({ root: getProjectRoot(), rules, host, port });
  },
});

export default command; // not `export default defineCommand(...)`: see defineCommand()
