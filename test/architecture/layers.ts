/**
 * The architecture as data: the parts of src/ from the bottom up, and what each may import. This
 * list is the only statement of the import rules: test/architecture/imports.test.ts checks every
 * import of src/ against it, and docs/architecture.md's import table is generated from it
 * (`npm run docs:architecture`; the test fails when the table is stale).
 *
 * A unit is a folder of src/, except core/, which is a namespace of independent parts (as
 * Django's `django.core`): each of its entries is a unit of its own, and so are the two modules of
 * core/files (uploads sit below http/, which builds them; storage above urls/, whose script prefix
 * it adds) and core/management/base.ts (below staticfiles/, whose collectstatic raises its
 * CommandError). A file belongs to the longest unit that contains it.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export interface Unit {
  /** A folder or a module under src/, without extension. */
  name: string;
  /** What it holds, for the documentation. */
  what: string;
  /** The units it may import (statically, dynamically, or lazily). All are listed above it. */
  imports: readonly string[];
  /**
   * Units it may import types from (`import type`), although they sit above it: such an import
   * is erased when the module runs, so it loads nothing and orders nothing.
   */
  typeImports?: readonly string[];
}

export const UNITS: readonly Unit[] = [
  {
    name: 'gateway',
    what: 'the contract (`types.ts`), its HTTP rules, `validator`, reference server (`serve`, `createListener`), Fetch adapters, in-process test client, `describe()` for error messages',
    imports: [],
  },
  {
    name: 'server',
    what: 'the production server: master, workers, config, HTTP strictness, logs',
    imports: ['gateway'],
  },
  {
    name: 'utils',
    what: 'helpers that know nothing of the framework, as `django.utils`: module loading, logging, HTTP dates and ETags, crypto, safe strings, data structures, decorators, file system checks',
    imports: [],
  },
  {
    name: 'core/exceptions',
    what: "the framework's exceptions (`ImproperlyConfigured`, `SuspiciousOperation`, `ValidationError`, ...)",
    imports: ['utils'],
  },
  {
    name: 'core/request-scope',
    what: "the request's async context, an extension point of the handler: per-request state of other layers (the database's connections), finishers, the view wrapper",
    imports: [],
  },
  {
    name: 'core/validators',
    what: 'validators of values (`MaxLengthValidator`, `EmailValidator`, ...), raising `ValidationError`',
    imports: ['core/exceptions', 'utils'],
  },
  {
    name: 'core/paginator',
    what: '`Paginator` and `Page`, over arrays and anything that counts and slices (QuerySets)',
    imports: [],
  },
  { name: 'dispatch', what: 'signals: `Signal`, `receiver`', imports: ['utils'] },
  {
    name: 'conf',
    what: 'settings: `TSGI_SETTINGS_MODULE`, global defaults, `overrideSettings`, the `LOGGING` setting applied',
    imports: ['core/exceptions', 'dispatch', 'gateway', 'utils'],
  },
  {
    name: 'utils/html',
    what: "HTML helpers (`escape`, `formatHtml`, `stripTags`, `urlize`, ...); `stripTags` raises Django's `SuspiciousOperation`",
    imports: ['core/exceptions', 'utils'],
  },
  {
    name: 'utils/timezone',
    what: 'the current time zone (per request) and conversions (`now`, `localtime`, `makeAware`), from TIME_ZONE and USE_TZ',
    imports: ['conf', 'utils'],
  },
  {
    name: 'utils/dateformat',
    what: 'date format characters (`format`, `timeFormat`); naive datetimes are read in TIME_ZONE',
    imports: ['utils', 'utils/timezone'],
  },
  { name: 'utils/timesince', what: '`timesince`, `timeuntil`', imports: ['utils', 'utils/html', 'utils/timezone'] },
  {
    name: 'utils/formats',
    what: 'localized formats from the format settings (`getFormat`, `dateFormat`, `numberFormat`, `localize`)',
    imports: ['conf', 'utils', 'utils/dateformat'],
  },
  {
    name: 'core/signals',
    what: '`requestStarted`, `requestFinished`, `gotRequestException`',
    imports: ['conf', 'dispatch', 'gateway'],
  },
  {
    name: 'core/cache',
    what: 'the cache framework: `caches`, `cache`, the local-memory, file, Redis and dummy backends (the database one is `core/cache/backends/db`, above `db`)',
    imports: ['conf', 'core/exceptions', 'utils'],
  },
  { name: 'core/signing', what: 'signed values and cookies (`Signer`, `dumps`, `loads`)', imports: ['conf', 'utils'] },
  { name: 'core/checks', what: 'the system check framework and the deployment checks', imports: ['conf'] },
  {
    name: 'apps',
    what: "the apps registry (`INSTALLED_APPS`, `ready()`) and the apps' folders",
    imports: ['conf', 'core/exceptions', 'gateway', 'utils'],
  },
  { name: 'core/files/uploadedfile', what: 'uploaded files, in memory or on disk', imports: [] },
  {
    name: 'http',
    what: '`HttpRequest`, `QueryDict`, the `HttpResponse` family, cookies, multipart, cache headers',
    imports: ['conf', 'core/exceptions', 'core/files/uploadedfile', 'core/signing', 'gateway', 'utils'],
    typeImports: ['contrib/auth', 'contrib/sessions', 'urls'],
  },
  {
    name: 'urls',
    what: '`path`, `rePath`, `include`, `resolve`, `reverse`, converters, the URL checks',
    imports: ['conf', 'core/checks', 'core/exceptions', 'gateway', 'http', 'utils'],
  },
  {
    name: 'shortcuts',
    what: '`redirect`, `resolveUrl`, `getObjectOr404`, `getListOr404`',
    imports: ['http', 'urls'],
    typeImports: ['db'],
  },
  {
    name: 'core/files/storage',
    what: 'file storage (`FileSystemStorage`, MEDIA_ROOT)',
    imports: ['conf', 'core/exceptions', 'urls'],
  },
  {
    name: 'db',
    what: 'databases: connections per alias and per request, transactions, the SQLite and PostgreSQL backends and their schema editors, models, fields, QuerySets and their SQL compiler, the database and model checks',
    imports: [
      'apps',
      'conf',
      'core/checks',
      'core/exceptions',
      'core/files/storage',
      'core/request-scope',
      'core/validators',
      'dispatch',
      'utils',
      'utils/timezone',
    ],
    typeImports: ['db/migrations'],
  },
  {
    name: 'core/cache/backends/db',
    what: "the database cache (`DatabaseCache`, a table of Django's layout) and `createCacheTable()`",
    imports: ['core/cache', 'core/exceptions', 'db'],
  },
  {
    name: 'db/migrations',
    what: 'migrations: operations, the project state and historical models, the graph, loader, recorder and executor, the autodetector and the writer of migration files, the migration checks',
    imports: ['apps', 'conf', 'core/checks', 'core/exceptions', 'db', 'utils', 'utils/timezone'],
  },
  {
    name: 'core/serializers',
    what: "Django's JSON fixture format: dumpdata's writer and loaddata's reader, finding fixtures by label",
    imports: ['apps', 'conf', 'db'],
  },
  { name: 'core/management/base', what: 'what commands are made of: `defineCommand`, `CommandError`', imports: [] },
  {
    name: 'middleware',
    what: 'the middleware contract (`index.ts`, types only); Security, Common, Csrf, XFrameOptions, GZip, ConditionalGet, the cache middleware',
    imports: ['conf', 'core/cache', 'core/exceptions', 'http', 'urls', 'utils'],
  },
  {
    name: 'contrib/sessions',
    what: '`request.session`: SessionMiddleware, the db, cached_db, cache, file and signed-cookie engines, the `Session` model, `loadSession`, `clearsessions`, `createsessiontable`',
    imports: [
      'apps',
      'conf',
      'core/cache',
      'core/exceptions',
      'core/management/base',
      'core/signing',
      'db',
      'db/migrations',
      'http',
      'middleware',
      'utils',
      'utils/html',
      'utils/timezone',
    ],
  },
  {
    name: 'contrib/messages',
    what: 'one-time messages: `messages.success(request, ...)`, the cookie, session and fallback storages, MessageMiddleware, the context processor',
    imports: ['apps', 'conf', 'core/exceptions', 'core/signing', 'http', 'middleware', 'utils'],
  },
  {
    name: 'staticfiles',
    what: 'static files: finders, storage, collectstatic, serving and its middleware',
    imports: [
      'apps',
      'conf',
      'core/checks',
      'core/exceptions',
      'core/files/storage',
      'core/management/base',
      'gateway',
      'http',
      'urls',
      'utils',
    ],
  },
  {
    name: 'template',
    what: 'the Django template language (lexer, parser, compiler, tags, loaders, `Engine`), the template backends, the built-in filters, `TemplateResponse`, `render`, context processors, the template checks',
    imports: [
      'apps',
      'conf',
      'core/checks',
      'core/exceptions',
      'http',
      'middleware',
      'urls',
      'utils',
      'utils/dateformat',
      'utils/formats',
      'utils/html',
      'utils/timesince',
      'utils/timezone',
    ],
  },
  {
    name: 'forms',
    what: "forms, as `django.forms`: `Form` (typed `cleanedData`), the fields, the widgets drawn through the form renderer's templates, formsets, ModelForm and the queryset choice fields",
    imports: [
      'conf',
      'core/exceptions',
      'core/files/uploadedfile',
      'core/validators',
      'db',
      'template',
      'utils',
      'utils/formats',
      'utils/html',
      'utils/timezone',
    ],
  },
  {
    name: 'templatetags',
    what: "tsgi's own `{% load %}` libraries, as `django.templatetags`: `static`, `cache` (the template fragment cache)",
    imports: ['conf', 'core/cache', 'staticfiles', 'template', 'urls', 'utils'],
  },
  {
    name: 'views',
    what: '`View`, `RedirectView`, `TemplateView`, `FormView`, `ListView`, `DetailView`, `CreateView`, `UpdateView`, `DeleteView`, the date archives, decorators, the default and DEBUG error pages',
    imports: [
      'conf',
      'core/exceptions',
      'core/paginator',
      'db',
      'forms',
      'http',
      'template',
      'urls',
      'utils',
      'utils/timezone',
    ],
  },
  {
    name: 'core/handlers',
    what: 'the request handler: the middleware chain (base), the gateway adapter (wsgi), exceptions to responses',
    imports: [
      'conf',
      'core/exceptions',
      'core/request-scope',
      'core/signals',
      'gateway',
      'http',
      'middleware',
      'urls',
      'utils',
      'views',
    ],
  },
  {
    name: 'core/wsgi',
    what: '`getWsgiApplication()`, `setup()`; its boot loads the URLconfs and checks the static files manifest',
    imports: ['apps', 'conf', 'core/exceptions', 'core/handlers', 'gateway', 'staticfiles', 'urls'],
  },
  {
    name: 'core/mail',
    what: 'sending e-mail: `sendMail()`, `EmailMessage`, EMAIL_BACKEND (SMTP on nodemailer, console, file, locmem)',
    imports: ['conf', 'core/exceptions', 'utils'],
  },
  {
    name: 'contrib/contenttypes',
    what: 'a row per installed model (`ContentType`, `getForModel()`), made after migrate',
    imports: ['apps', 'conf', 'db', 'db/migrations'],
  },
  {
    name: 'contrib/auth',
    what: 'authentication and authorization, as `django.contrib.auth`: users, groups, permissions, password hashers and validators, backends, `login()`/`logout()`, AuthenticationMiddleware, the decorators, mixins and context processor, the commands',
    imports: [
      'apps',
      'conf',
      'contrib/contenttypes',
      'core/checks',
      'core/exceptions',
      'core/mail',
      'core/management/base',
      'core/validators',
      'db',
      'db/migrations',
      'dispatch',
      'forms',
      'http',
      'middleware',
      'shortcuts',
      'template',
      'urls',
      'utils',
      'utils/html',
      'utils/timezone',
      'views',
    ],
  },
  {
    name: 'test',
    what: "the framework's test `Client` (with `login()`, `forceLogin()`), `RequestFactory`, `overrideSettings`, `TestCase`, `TransactionTestCase`, the test databases of `manage.ts test`",
    imports: [
      'conf',
      'contrib/auth',
      'contrib/sessions',
      'core/serializers',
      'db',
      'db/migrations',
      'core/handlers',
      'core/signals',
      'core/wsgi',
      'gateway',
      'http',
      'middleware',
      'urls',
      'utils',
    ],
  },
  {
    name: 'core/management',
    what: '`manage.ts` and its commands (runserver, serve, check, collectstatic, ...)',
    imports: [
      'apps',
      'conf',
      'core/cache',
      'core/cache/backends/db',
      'core/checks',
      'core/management/base',
      'core/serializers',
      'core/wsgi',
      'db',
      'db/migrations',
      'gateway',
      'staticfiles',
      'template',
      'test',
      'urls',
      'utils',
    ],
  },
];

/**
 * The one import from the framework into the server: `manage.ts serve` loads the production
 * server's command line when it runs (a dynamic import), so a project that never serves never
 * loads it.
 */
export const SERVE_IMPORT = { from: 'core/management/commands/serve.ts', to: 'server/cli' } as const;

const BEGIN = '<!-- import rules: generated from test/architecture/layers.ts (npm run docs:architecture) -->';
const END = '<!-- end of import rules -->';

/** The import table of docs/architecture.md, from {@link UNITS}. */
export function importTable(): string {
  const rows = UNITS.map((unit) => {
    const imports = unit.imports.length === 0 ? 'nothing of ours' : unit.imports.map((u) => `\`${u}\``).join(', ');
    const types = unit.typeImports?.length ? `; types only: ${unit.typeImports.map((u) => `\`${u}\``).join(', ')}` : '';
    const serve = SERVE_IMPORT.from.startsWith(unit.name + '/')
      ? `; \`server\` (the \`serve\` command, dynamically)`
      : '';
    return `| \`${unit.name}\` | ${unit.what} | ${imports}${types}${serve} |`;
  });
  return [BEGIN, '| unit (under `src/`) | what | may import |', '|---|---|---|', ...rows, END].join('\n');
}

/** docs/architecture.md with its import table replaced by {@link importTable}. */
export function withImportTable(doc: string): string {
  const start = doc.indexOf(BEGIN);
  const end = doc.indexOf(END);
  if (start === -1 || end === -1 || end < start) {
    throw new Error(`docs/architecture.md has no import table between the markers ${BEGIN} and ${END}.`);
  }
  return doc.slice(0, start) + importTable() + doc.slice(end + END.length);
}

export const ARCHITECTURE_DOC = fileURLToPath(new URL('../../docs/architecture.md', import.meta.url));

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(ARCHITECTURE_DOC, withImportTable(readFileSync(ARCHITECTURE_DOC, 'utf8')));
  console.log(`Wrote ${ARCHITECTURE_DOC}`);
}
