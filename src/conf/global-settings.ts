/**
 * The default settings, as Django's `django/conf/global_settings.py`: a project's settings module
 * overrides any of them. Each setting is declared once, here: its type and meaning in `Settings`,
 * its default in `globalSettings`.
 */

/** A `LOGGING` handler: where records go (see src/conf/logging.ts). */
export interface LoggingHandlerConfig {
  /**
   * `'stream'` (stderr unless `stream: 'stdout'`), `'file'` (needs `filename`) or `'null'`.
   * Python's names are accepted too: `logging.StreamHandler`, `logging.FileHandler`,
   * `logging.NullHandler`.
   */
  class: 'stream' | 'file' | 'null' | 'logging.StreamHandler' | 'logging.FileHandler' | 'logging.NullHandler';
  level?: string;
  /** Where a stream handler writes: stderr (default), stdout (or `ext://sys.stdout`), or any object with write(text). */
  stream?: 'stderr' | 'stdout' | 'ext://sys.stderr' | 'ext://sys.stdout' | { write(text: string): unknown };
  filename?: string;
  /** A format with `{levelname}`, `{name}`, `{message}`, `{asctime}` placeholders. */
  format?: string;
  /** The name of an entry of `formatters`, as in dictConfig. */
  formatter?: string;
}

/** A `LOGGING` formatter: `{name}`-style, or Python's `%(name)s` style. */
export interface LoggingFormatterConfig {
  format: string;
  style?: '{' | '%';
}

/** A `LOGGING` logger entry. */
export interface LoggerConfig {
  level?: string;
  handlers?: string[];
  /** Whether records also go to the parent logger's handlers (default true). */
  propagate?: boolean;
}

/**
 * The `LOGGING` setting: a simplified `logging.config.dictConfig` shape. Django's spellings
 * (`version: 1`, `disable_existing_loggers`) are accepted so settings port as they are.
 */
export interface LoggingConfig {
  version?: 1;
  /** When false (default true), the built-in configuration is kept and this one is added. */
  disableExistingLoggers?: boolean;
  disable_existing_loggers?: boolean;
  formatters?: Record<string, LoggingFormatterConfig>;
  handlers?: Record<string, LoggingHandlerConfig>;
  loggers?: Record<string, LoggerConfig>;
  root?: LoggerConfig;
}

/** One entry of `TEMPLATES`: the backend and its options (read by the template engine). */
export interface TemplateEngineConfig {
  BACKEND: string;
  NAME?: string;
  DIRS?: string[];
  APP_DIRS?: boolean;
  OPTIONS?: Record<string, unknown>;
}

/**
 * One entry of `DATABASES` (src/db/): the backend and how to reach it. docs/db.md lists the
 * OPTIONS of each backend; `databaseUrl()` (tsgi/db) builds an entry from `DATABASE_URL`.
 */
export interface DatabaseConfig {
  /** `tsgi.db.backends.sqlite3` or `tsgi.db.backends.postgresql` (Django's names are accepted too). */
  ENGINE: string;
  /** The database name; for SQLite the file's path (or `:memory:`). */
  NAME?: string;
  USER?: string;
  PASSWORD?: string;
  /** A host name, an IP address, or a unix socket folder (starting with `/`). */
  HOST?: string;
  PORT?: string | number;
  /** Backend options (SQLite: timeout, transactionMode, initCommand; PostgreSQL: pool, sslmode...). */
  OPTIONS?: Record<string, unknown>;
  /** Seconds a connection is kept for reuse after a request; 0 closes it, null keeps it. */
  CONN_MAX_AGE?: number | null;
  /** Checks a reused connection before the request's first query. */
  CONN_HEALTH_CHECKS?: boolean;
  /** Runs each view in a transaction on this database. */
  ATOMIC_REQUESTS?: boolean;
  /** The test database: `{ NAME }` (issue 16 builds it). */
  TEST?: Record<string, unknown>;
}

/**
 * Every known setting with its type. A project may define settings of its own: any UPPER_CASE
 * export of the settings module is a setting, readable as `settings.MY_SETTING` (typed unknown).
 */
/** One entry of `STORAGES`: a storage class (or its dotted name) and the options it is built with. */
export interface StorageConfig {
  BACKEND: string | (new (options: Record<string, unknown>) => unknown);
  OPTIONS?: Record<string, unknown>;
}

/** One entry of `CACHES`: a cache backend and how it is set up (src/core/cache, docs/cache.md). */
export interface CacheConfig {
  /** A backend class, or its dotted name: `'tsgi.core.cache.backends.redis.RedisCache'`. */
  BACKEND: string | (new (params: never) => unknown);
  /** Where the data is: a Redis URL (a list: the first for writes, the others replicas), a folder, a name. */
  LOCATION?: string | readonly string[];
  /** Default timeout in seconds (300); null keeps entries until evicted or deleted. */
  TIMEOUT?: number | null;
  /** Put before every key, so caches can share a store. */
  KEY_PREFIX?: string;
  /** The default version of keys (1). */
  VERSION?: number;
  /** A function (key, keyPrefix, version) => stored key, or its dotted name. */
  KEY_FUNCTION?: string | ((key: string, keyPrefix: string, version: number) => string);
  /** Backend options: `MAX_ENTRIES`, `CULL_FREQUENCY`; Redis's `SOCKET_TIMEOUT`, `SOCKET_CONNECT_TIMEOUT`, `db`, `CLIENT`. */
  OPTIONS?: Record<string, unknown>;
}

export interface Settings {
  /** Shows detailed error pages; never true in production. */
  DEBUG: boolean;
  /** Lets exceptions through the handler instead of turning them into 500 pages (tests). */
  DEBUG_PROPAGATE_EXCEPTIONS: boolean;
  /** Host names this site serves (`'.example.com'` matches subdomains, `'*'` anything). */
  ALLOWED_HOSTS: string[];
  /** Addresses that see debug information. */
  INTERNAL_IPS: string[];
  /** A secret for signing; must not be empty when read. */
  SECRET_KEY: string;
  /** Older secret keys still accepted when checking signatures. */
  SECRET_KEY_FALLBACKS: string[];
  /** The charset of responses without an explicit one. */
  DEFAULT_CHARSET: string;
  /** The dotted name of the root URLconf module, or the module object itself. */
  ROOT_URLCONF: string | Record<string, unknown> | null;
  /** The dotted path of the application object served by `runserver`. */
  WSGI_APPLICATION: string | null;
  /** Middleware, outermost first: dotted paths or the factories/classes themselves. */
  MIDDLEWARE: Array<string | ((...args: never[]) => unknown)>;
  /** App modules or AppConfig classes, as dotted names. */
  INSTALLED_APPS: Array<string | (new (...args: never[]) => unknown)>;
  /** Template engines. */
  TEMPLATES: TemplateEngineConfig[];
  /** Logging configuration (src/conf/logging.ts). */
  LOGGING: LoggingConfig;
  /** Redirects `/path` to `/path/` when only the latter resolves (CommonMiddleware). */
  APPEND_SLASH: boolean;
  /** Redirects `example.com` to `www.example.com` (CommonMiddleware). */
  PREPEND_WWW: boolean;
  /** Regular expressions (source strings or RegExps) of User-Agents refused with 403. */
  DISALLOWED_USER_AGENTS: Array<string | RegExp>;
  /** Regular expressions of paths whose 404s are not reported. */
  IGNORABLE_404_URLS: Array<string | RegExp>;
  /** Overrides the script prefix taken from `SCRIPT_NAME`. */
  FORCE_SCRIPT_NAME: string | null;
  /** Trust `X-Forwarded-Host` in `getHost()`. */
  USE_X_FORWARDED_HOST: boolean;
  /** Trust `X-Forwarded-Port` in `getPort()`. */
  USE_X_FORWARDED_PORT: boolean;
  /** `[headerEnvironKey, value]` that marks a request as secure behind a proxy, e.g. `['HTTP_X_FORWARDED_PROTO', 'https']`. */
  SECURE_PROXY_SSL_HEADER: [string, string] | null;
  /** Bytes of a request body held in memory before `RequestDataTooBig`; null for no limit. */
  DATA_UPLOAD_MAX_MEMORY_SIZE: number | null;
  /** Form fields per request before `TooManyFieldsSent`; null for no limit. */
  DATA_UPLOAD_MAX_NUMBER_FIELDS: number | null;
  /** Files per request before `TooManyFilesSent`; null for no limit. */
  DATA_UPLOAD_MAX_NUMBER_FILES: number | null;
  /** Bytes of an upload (or raw body) kept in memory before it is spooled to a temporary file. */
  FILE_UPLOAD_MAX_MEMORY_SIZE: number;
  /** Bytes of one uploaded file before `FileTooBig` (413), checked as it arrives; null for no limit. */
  FILE_UPLOAD_MAX_SIZE: number | null;
  /** Where spooled uploads go; the server's folder (`tsgi.tmpdir`), else the system's, when null. */
  FILE_UPLOAD_TEMP_DIR: string | null;
  /** Mode of files saved from uploads. */
  FILE_UPLOAD_PERMISSIONS: number | null;
  /** Mode of folders created for uploads. */
  FILE_UPLOAD_DIRECTORY_PERMISSIONS: number | null;
  /** URL prefix of static files, e.g. `'/static/'`. */
  STATIC_URL: string | null;
  /** Where `collectstatic` gathers static files. */
  STATIC_ROOT: string | null;
  /** Extra folders of static files. */
  STATICFILES_DIRS: Array<string | [string, string]>;
  /** How static files are found for collectstatic and DEBUG serving: finder classes or their dotted names. */
  STATICFILES_FINDERS: Array<string | (new () => unknown)>;
  /** Serve static files from the finders as well as STATIC_ROOT; null means "when DEBUG". */
  STATICFILES_USE_FINDERS: boolean | null;
  /** `Cache-Control` max-age (seconds) of static files whose names are not hashed; null means 0 in DEBUG, else 60. */
  STATICFILES_MAX_AGE: number | null;
  /** Storage backends by alias, as Django's: `staticfiles` (e.g. ManifestStaticFilesStorage) and `default` (uploads). */
  STORAGES: Record<string, StorageConfig>;
  /** URL prefix of user-uploaded media. */
  MEDIA_URL: string;
  /** Folder of user-uploaded media. */
  MEDIA_ROOT: string;
  /** Sends `X-Content-Type-Options: nosniff` (SecurityMiddleware). */
  SECURE_CONTENT_TYPE_NOSNIFF: boolean;
  /** `Cross-Origin-Opener-Policy` value, or null for none. */
  SECURE_CROSS_ORIGIN_OPENER_POLICY: string | null;
  /** `Referrer-Policy` value(s), or null for none. */
  SECURE_REFERRER_POLICY: string | string[] | null;
  /** `Strict-Transport-Security` max-age on secure responses; 0 sends none. */
  SECURE_HSTS_SECONDS: number;
  /** Adds `includeSubDomains` to `Strict-Transport-Security`. */
  SECURE_HSTS_INCLUDE_SUBDOMAINS: boolean;
  /** Adds `preload` to `Strict-Transport-Security` (for browsers' preload lists). */
  SECURE_HSTS_PRELOAD: boolean;
  /** Redirects plain HTTP requests to HTTPS. */
  SECURE_SSL_REDIRECT: boolean;
  /** Host to redirect to for HTTPS; the request's host when null. */
  SECURE_SSL_HOST: string | null;
  /** Path regular expressions exempt from the SSL redirect. */
  SECURE_REDIRECT_EXEMPT: Array<string | RegExp>;
  /** `X-Frame-Options` value (XFrameOptionsMiddleware). */
  X_FRAME_OPTIONS: string;
  /** Name of the cookie holding the CSRF secret. */
  CSRF_COOKIE_NAME: string;
  /** Seconds; null for a session cookie. */
  CSRF_COOKIE_AGE: number | null;
  /** `Domain` of the CSRF cookie (`.example.com` for subdomains); host-only when null. */
  CSRF_COOKIE_DOMAIN: string | null;
  /** `Path` of the CSRF cookie. */
  CSRF_COOKIE_PATH: string;
  /** Sends the CSRF cookie over HTTPS only (`Secure`); true in production. */
  CSRF_COOKIE_SECURE: boolean;
  /** Hides the CSRF cookie from JavaScript (`HttpOnly`); forms still work, AJAX must read the token from the page. */
  CSRF_COOKIE_HTTPONLY: boolean;
  /** `SameSite` of the CSRF cookie; false or null sends none. */
  CSRF_COOKIE_SAMESITE: 'Lax' | 'Strict' | 'None' | false | null;
  /** The environ key of the CSRF header, `HTTP_X_CSRFTOKEN` for `X-CSRFToken`. */
  CSRF_HEADER_NAME: string;
  /** Origins (`https://*.example.com`) trusted for unsafe requests. */
  CSRF_TRUSTED_ORIGINS: string[];
  /** The view answering CSRF failures, as a dotted path. */
  CSRF_FAILURE_VIEW: string;
  /** Keep the CSRF secret in the session instead of a cookie (SessionMiddleware must come before CsrfViewMiddleware). */
  CSRF_USE_SESSIONS: boolean;
  /** Caches by alias (`default` is `cache`): backend, LOCATION, TIMEOUT, KEY_PREFIX, VERSION, KEY_FUNCTION, OPTIONS. */
  CACHES: Record<string, CacheConfig>;
  /** The cache alias of the cache middleware and `cachePage`. */
  CACHE_MIDDLEWARE_ALIAS: string;
  /** Put before the keys of cached pages, to share a cache between sites. */
  CACHE_MIDDLEWARE_KEY_PREFIX: string;
  /** Seconds a page stays in the cache middleware's cache (when the response names no max-age). */
  CACHE_MIDDLEWARE_SECONDS: number;
  /** Where sessions are kept: `tsgi.contrib.sessions.backends.` `db`, `cached_db`, `cache`, `file`, `signed_cookies` (docs/sessions.md). */
  SESSION_ENGINE: string;
  /** The CACHES alias of the cache session engine. */
  SESSION_CACHE_ALIAS: string;
  /** The name of the session cookie. */
  SESSION_COOKIE_NAME: string;
  /** Seconds a session lasts (two weeks): the cookie's Max-Age and the store's expiry. */
  SESSION_COOKIE_AGE: number;
  /** `Domain` of the session cookie (`.example.com` for subdomains); host-only when null. */
  SESSION_COOKIE_DOMAIN: string | null;
  /** Sends the session cookie over HTTPS only (`Secure`); true in production. */
  SESSION_COOKIE_SECURE: boolean;
  /** `Path` of the session cookie. */
  SESSION_COOKIE_PATH: string;
  /** Hides the session cookie from JavaScript (`HttpOnly`). */
  SESSION_COOKIE_HTTPONLY: boolean;
  /** `SameSite` of the session cookie; false or null sends none. */
  SESSION_COOKIE_SAMESITE: 'Lax' | 'Strict' | 'None' | false | null;
  /** Saves the session (and resends its cookie) on every request, not only when it changed. */
  SESSION_SAVE_EVERY_REQUEST: boolean;
  /** Makes the session cookie last until the browser closes (no Max-Age). */
  SESSION_EXPIRE_AT_BROWSER_CLOSE: boolean;
  /** The folder of the file session engine; the system's temporary folder when null. */
  SESSION_FILE_PATH: string | null;
  /** Where messages are kept between requests: `tsgi.contrib.messages.storage.` `fallback.FallbackStorage`, `cookie.CookieStorage`, `session.SessionStorage`. */
  MESSAGE_STORAGE: string;
  /** The lowest level of message recorded (INFO = 20; DEBUG = 10 shows debug messages). */
  MESSAGE_LEVEL: number;
  /** CSS classes of message levels, over the defaults (`{ 40: 'danger' }`). */
  MESSAGE_TAGS: Record<number, string>;
  /** The Signer class for signed cookies (dotted path or class). */
  SIGNING_BACKEND: string | (new (...args: never[]) => unknown);
  /** The language of the site (Django's default; tsgi has no translations yet). */
  LANGUAGE_CODE: string;
  /** The time zone of the site, as an IANA name (Django's default). */
  TIME_ZONE: string;
  /** Whether translation is on (kept for Django parity; tsgi has no translations yet). */
  USE_I18N: boolean;
  /** Whether datetimes are time-zone aware: `timezone.now()` is then aware (UTC), and templates show datetimes in the current time zone. */
  USE_TZ: boolean;
  /** Whether dates and numbers are formatted by the active locale's formats (tsgi has English's) instead of the settings below. */
  USE_L10N: boolean;
  /** The `date` filter's default format ('N j, Y': Feb. 4, 2003); in Django's date format characters. */
  DATE_FORMAT: string;
  /** The format of a datetime ('N j, Y, P': Feb. 4, 2003, 4 p.m.). */
  DATETIME_FORMAT: string;
  /** The `time` filter's default format ('P': 4 p.m.). */
  TIME_FORMAT: string;
  /** The format of a year and month ('F Y': February 2003). */
  YEAR_MONTH_FORMAT: string;
  /** The format of a month and day ('F j': February 4). */
  MONTH_DAY_FORMAT: string;
  /** The short date format ('m/d/Y': 02/04/2003). */
  SHORT_DATE_FORMAT: string;
  /** The short datetime format ('m/d/Y P'). */
  SHORT_DATETIME_FORMAT: string;
  /** The first day of the week: 0 is Sunday, 1 Monday... */
  FIRST_DAY_OF_WEEK: number;
  /** The decimal separator of formatted numbers. */
  DECIMAL_SEPARATOR: string;
  /** Whether formatted numbers group their thousands (with USE_L10N). */
  USE_THOUSAND_SEPARATOR: boolean;
  /** Digits per group of a formatted number (3), or the group sizes from the right ([3, 2, 0] for India); 0 groups nothing. */
  NUMBER_GROUPING: number | number[];
  /** The thousands separator of formatted numbers. */
  THOUSAND_SEPARATOR: string;
  /** The databases by alias (`default` is used unless a query says otherwise). */
  DATABASES: Record<string, DatabaseConfig>;
  /** The primary key field class models get when they declare none. */
  DEFAULT_AUTO_FIELD: string;
  /** The formats a DateField reads, tried in order (Python's strptime directives: `%Y-%m-%d`). */
  DATE_INPUT_FORMATS: string[];
  /** The formats a TimeField reads, tried in order. */
  TIME_INPUT_FORMATS: string[];
  /** The formats a DateTimeField reads after ISO 8601, tried in order (then DATE_INPUT_FORMATS). */
  DATETIME_INPUT_FORMATS: string[];
  /** The class that renders form widgets: `tsgi.forms.renderers.DjangoTemplates` (tsgi's and the apps' templates) or `.TemplatesSetting` (the TEMPLATES engines). */
  FORM_RENDERER: string;
  /** The model of users, as `'app_label.ModelName'` (tsgi/contrib/auth; a custom model must be set before the first migrate). */
  AUTH_USER_MODEL: string;
  /** Authentication backends tried in order by `authenticate()`, as dotted paths. */
  AUTHENTICATION_BACKENDS: string[];
  /** Password hashers as dotted paths: the first hashes new passwords, the others verify (and upgrade) older hashes (docs/auth.md). */
  PASSWORD_HASHERS: string[];
  /** Password validators (`{ NAME, OPTIONS }`) run by `validatePassword()` and the password forms. */
  AUTH_PASSWORD_VALIDATORS: Array<{ NAME: string; OPTIONS?: Record<string, unknown> }>;
  /** Where `loginRequired` sends anonymous users: a URL or a URL pattern name. */
  LOGIN_URL: string;
  /** Where LoginView redirects after a login without a `next`: a URL or a URL pattern name. */
  LOGIN_REDIRECT_URL: string;
  /** Where LogoutView redirects; null renders `registration/logged_out.html`. */
  LOGOUT_REDIRECT_URL: string | null;
  /** Seconds a password reset link stays valid (three days). */
  PASSWORD_RESET_TIMEOUT: number;
  /** How `sendMail()` delivers: `tsgi.core.mail.backends.` `smtp`, `console`, `file`, `locmem` or `dummy` `.EmailBackend` (docs/email.md). */
  EMAIL_BACKEND: string;
  /** The SMTP server. */
  EMAIL_HOST: string;
  /** The SMTP server's port. */
  EMAIL_PORT: number;
  /** The SMTP user name; empty: no authentication. */
  EMAIL_HOST_USER: string;
  /** The SMTP password. */
  EMAIL_HOST_PASSWORD: string;
  /** STARTTLS on a plain connection (usually port 587). */
  EMAIL_USE_TLS: boolean;
  /** TLS from the first byte (usually port 465). */
  EMAIL_USE_SSL: boolean;
  /** A client certificate (PEM file) for the SMTP server's TLS. */
  EMAIL_SSL_CERTFILE: string | null;
  /** The key of EMAIL_SSL_CERTFILE. */
  EMAIL_SSL_KEYFILE: string | null;
  /** Seconds before an SMTP connection or command gives up; null: the client's defaults. */
  EMAIL_TIMEOUT: number | null;
  /** The folder of the file email backend. */
  EMAIL_FILE_PATH: string | null;
  /** Put before the subject of mailAdmins() and mailManagers(). */
  EMAIL_SUBJECT_PREFIX: string;
  /** The Date header in TIME_ZONE instead of UTC. */
  EMAIL_USE_LOCALTIME: boolean;
  /** The sender of mail that names none. */
  DEFAULT_FROM_EMAIL: string;
  /** The sender of mailAdmins() and mailManagers(). */
  SERVER_EMAIL: string;
  /** `[name, address]` pairs that mailAdmins() writes to. */
  ADMINS: Array<[string, string]>;
  /** `[name, address]` pairs that mailManagers() writes to. */
  MANAGERS: Array<[string, string]>;
  /** The settings module these settings came from (set by the loader). */
  SETTINGS_MODULE?: string;
  [setting: string]: unknown;
}

/** Settings whose value must be a list (checked when settings load, as Django does). */
export const LIST_SETTINGS: readonly string[] = [
  'ALLOWED_HOSTS',
  'INTERNAL_IPS',
  'SECRET_KEY_FALLBACKS',
  'MIDDLEWARE',
  'INSTALLED_APPS',
  'TEMPLATES',
  'DISALLOWED_USER_AGENTS',
  'IGNORABLE_404_URLS',
  'STATICFILES_DIRS',
  'STATICFILES_FINDERS',
  'SECURE_REDIRECT_EXEMPT',
  'CSRF_TRUSTED_ORIGINS',
  'AUTHENTICATION_BACKENDS',
  'PASSWORD_HASHERS',
  'AUTH_PASSWORD_VALIDATORS',
  'ADMINS',
  'MANAGERS',
];

/** The defaults, Django's where Django has one. Frozen: copy before changing. */
export const globalSettings: Readonly<Settings> = Object.freeze({
  DEBUG: false,
  DEBUG_PROPAGATE_EXCEPTIONS: false,
  ALLOWED_HOSTS: [],
  INTERNAL_IPS: [],
  SECRET_KEY: '',
  SECRET_KEY_FALLBACKS: [],
  DEFAULT_CHARSET: 'utf-8',
  ROOT_URLCONF: null,
  WSGI_APPLICATION: null,
  MIDDLEWARE: [],
  INSTALLED_APPS: [],
  TEMPLATES: [],
  LOGGING: {},
  APPEND_SLASH: true,
  PREPEND_WWW: false,
  DISALLOWED_USER_AGENTS: [],
  IGNORABLE_404_URLS: [],
  FORCE_SCRIPT_NAME: null,
  USE_X_FORWARDED_HOST: false,
  USE_X_FORWARDED_PORT: false,
  SECURE_PROXY_SSL_HEADER: null,
  DATA_UPLOAD_MAX_MEMORY_SIZE: 2621440, // 2.5 MiB
  DATA_UPLOAD_MAX_NUMBER_FIELDS: 1000,
  DATA_UPLOAD_MAX_NUMBER_FILES: 100,
  FILE_UPLOAD_MAX_MEMORY_SIZE: 2621440,
  FILE_UPLOAD_MAX_SIZE: 104857600, // 100 MiB
  FILE_UPLOAD_TEMP_DIR: null,
  FILE_UPLOAD_PERMISSIONS: 0o644,
  FILE_UPLOAD_DIRECTORY_PERMISSIONS: null,
  STATIC_URL: null,
  STATIC_ROOT: null,
  STATICFILES_DIRS: [],
  STATICFILES_FINDERS: ['tsgi.staticfiles.finders.FileSystemFinder', 'tsgi.staticfiles.finders.AppDirectoriesFinder'],
  STATICFILES_USE_FINDERS: null,
  STATICFILES_MAX_AGE: null,
  STORAGES: {
    default: { BACKEND: 'tsgi.core.files.storage.FileSystemStorage' },
    staticfiles: { BACKEND: 'tsgi.staticfiles.storage.StaticFilesStorage' },
  },
  MEDIA_URL: '',
  MEDIA_ROOT: '',
  SECURE_CONTENT_TYPE_NOSNIFF: true,
  SECURE_CROSS_ORIGIN_OPENER_POLICY: 'same-origin',
  SECURE_REFERRER_POLICY: 'same-origin',
  SECURE_HSTS_SECONDS: 0,
  SECURE_HSTS_INCLUDE_SUBDOMAINS: false,
  SECURE_HSTS_PRELOAD: false,
  SECURE_SSL_REDIRECT: false,
  SECURE_SSL_HOST: null,
  SECURE_REDIRECT_EXEMPT: [],
  X_FRAME_OPTIONS: 'DENY',
  CSRF_COOKIE_NAME: 'csrftoken',
  CSRF_COOKIE_AGE: 60 * 60 * 24 * 7 * 52,
  CSRF_COOKIE_DOMAIN: null,
  CSRF_COOKIE_PATH: '/',
  CSRF_COOKIE_SECURE: false,
  CSRF_COOKIE_HTTPONLY: false,
  CSRF_COOKIE_SAMESITE: 'Lax',
  CSRF_HEADER_NAME: 'HTTP_X_CSRFTOKEN',
  CSRF_TRUSTED_ORIGINS: [],
  CSRF_FAILURE_VIEW: 'tsgi.views.csrf.csrfFailure',
  CSRF_USE_SESSIONS: false,
  CACHES: { default: { BACKEND: 'tsgi.core.cache.backends.locmem.LocMemCache' } },
  CACHE_MIDDLEWARE_ALIAS: 'default',
  CACHE_MIDDLEWARE_KEY_PREFIX: '',
  CACHE_MIDDLEWARE_SECONDS: 600,
  SESSION_ENGINE: 'tsgi.contrib.sessions.backends.db',
  SESSION_CACHE_ALIAS: 'default',
  SESSION_COOKIE_NAME: 'sessionid',
  SESSION_COOKIE_AGE: 60 * 60 * 24 * 7 * 2,
  SESSION_COOKIE_DOMAIN: null,
  SESSION_COOKIE_SECURE: false,
  SESSION_COOKIE_PATH: '/',
  SESSION_COOKIE_HTTPONLY: true,
  SESSION_COOKIE_SAMESITE: 'Lax',
  SESSION_SAVE_EVERY_REQUEST: false,
  SESSION_EXPIRE_AT_BROWSER_CLOSE: false,
  SESSION_FILE_PATH: null,
  MESSAGE_STORAGE: 'tsgi.contrib.messages.storage.fallback.FallbackStorage',
  MESSAGE_LEVEL: 20,
  MESSAGE_TAGS: {},
  SIGNING_BACKEND: 'tsgi.core.signing.TimestampSigner',
  LANGUAGE_CODE: 'en-us',
  TIME_ZONE: 'America/Chicago',
  USE_I18N: true,
  USE_TZ: true,
  USE_L10N: false,
  DATE_FORMAT: 'N j, Y',
  DATETIME_FORMAT: 'N j, Y, P',
  TIME_FORMAT: 'P',
  YEAR_MONTH_FORMAT: 'F Y',
  MONTH_DAY_FORMAT: 'F j',
  SHORT_DATE_FORMAT: 'm/d/Y',
  SHORT_DATETIME_FORMAT: 'm/d/Y P',
  FIRST_DAY_OF_WEEK: 0,
  DECIMAL_SEPARATOR: '.',
  USE_THOUSAND_SEPARATOR: false,
  NUMBER_GROUPING: 0,
  THOUSAND_SEPARATOR: ',',
  DATABASES: {},
  DEFAULT_AUTO_FIELD: 'tsgi.db.models.AutoField',
  DATE_INPUT_FORMATS: [
    '%Y-%m-%d',
    '%m/%d/%Y',
    '%m/%d/%y',
    '%b %d %Y',
    '%b %d, %Y',
    '%d %b %Y',
    '%d %b, %Y',
    '%B %d %Y',
    '%B %d, %Y',
    '%d %B %Y',
    '%d %B, %Y',
  ],
  TIME_INPUT_FORMATS: ['%H:%M:%S', '%H:%M:%S.%f', '%H:%M'],
  DATETIME_INPUT_FORMATS: [
    '%Y-%m-%d %H:%M:%S',
    '%Y-%m-%d %H:%M:%S.%f',
    '%Y-%m-%d %H:%M',
    '%m/%d/%Y %H:%M:%S',
    '%m/%d/%Y %H:%M:%S.%f',
    '%m/%d/%Y %H:%M',
    '%m/%d/%y %H:%M:%S',
    '%m/%d/%y %H:%M:%S.%f',
    '%m/%d/%y %H:%M',
  ],
  FORM_RENDERER: 'tsgi.forms.renderers.DjangoTemplates',
  AUTH_USER_MODEL: 'auth.User',
  AUTHENTICATION_BACKENDS: ['tsgi.contrib.auth.backends.ModelBackend'],
  PASSWORD_HASHERS: [
    'tsgi.contrib.auth.hashers.PBKDF2PasswordHasher',
    'tsgi.contrib.auth.hashers.PBKDF2SHA1PasswordHasher',
    'tsgi.contrib.auth.hashers.Argon2PasswordHasher',
    'tsgi.contrib.auth.hashers.ScryptPasswordHasher',
  ],
  AUTH_PASSWORD_VALIDATORS: [],
  LOGIN_URL: '/accounts/login/',
  LOGIN_REDIRECT_URL: '/accounts/profile/',
  LOGOUT_REDIRECT_URL: null,
  PASSWORD_RESET_TIMEOUT: 60 * 60 * 24 * 3,
  EMAIL_BACKEND: 'tsgi.core.mail.backends.smtp.EmailBackend',
  EMAIL_HOST: 'localhost',
  EMAIL_PORT: 25,
  EMAIL_HOST_USER: '',
  EMAIL_HOST_PASSWORD: '',
  EMAIL_USE_TLS: false,
  EMAIL_USE_SSL: false,
  EMAIL_SSL_CERTFILE: null,
  EMAIL_SSL_KEYFILE: null,
  EMAIL_TIMEOUT: null,
  EMAIL_FILE_PATH: null,
  EMAIL_SUBJECT_PREFIX: '[tsgi] ',
  EMAIL_USE_LOCALTIME: false,
  DEFAULT_FROM_EMAIL: 'webmaster@localhost',
  SERVER_EMAIL: 'root@localhost',
  ADMINS: [],
  MANAGERS: [],
});
