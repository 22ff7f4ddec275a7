/**
 * Settings of the markup project, made by `tsgi startproject` and grown with the pages app.
 *
 * Every setting and its default: tsgi's docs/settings.md. Before deploying, run
 * `node manage.ts check --deploy` and read the deployment checklist in tsgi's docs/deploy.md.
 */
import path from 'node:path';

/** The project's root folder: build paths inside it with path.join(BASE_DIR, ...). */
export const BASE_DIR = path.dirname(import.meta.dirname);

// SECURITY WARNING: keep the secret key used in production secret! Set TSGI_SECRET_KEY there;
// the value below is a fresh random key for development only.
export const SECRET_KEY = process.env.TSGI_SECRET_KEY ?? 'tsgi-insecure-markup-example-key-for-development-only-change-me-in-prod';

// SECURITY WARNING: don't run with debug turned on in production! TSGI_DEBUG=false turns it off.
export const DEBUG = (process.env.TSGI_DEBUG ?? 'true').toLowerCase() === 'true';

// The host names this site answers to (comma-separated in TSGI_ALLOWED_HOSTS). Required when DEBUG is off.
export const ALLOWED_HOSTS: string[] = (process.env.TSGI_ALLOWED_HOSTS ?? '').split(',').map((h) => h.trim()).filter(Boolean);

/** Application definition. */
export const INSTALLED_APPS: string[] = [
  'tsgi.staticfiles',
  'pages',
];

export const MIDDLEWARE: string[] = [
  'tsgi.middleware.security.SecurityMiddleware',
  'tsgi.staticfiles.middleware.StaticFilesMiddleware',
  'tsgi.middleware.common.CommonMiddleware',
  'tsgi.middleware.csrf.CsrfViewMiddleware',
  'tsgi.middleware.clickjacking.XFrameOptionsMiddleware',
];

export const ROOT_URLCONF = 'markup.urls';

export const TEMPLATES = [
  {
    BACKEND: 'tsgi.template.backends.django.DjangoTemplates',
    DIRS: [path.join(BASE_DIR, 'templates')],
    APP_DIRS: true,
    OPTIONS: {
      contextProcessors: [
        'tsgi.template.context-processors.debug',
        'tsgi.template.context-processors.request',
        'tsgi.template.context-processors.csrf',
        'tsgi.template.context-processors.static',
      ],
    },
  },
];

/**
 * The database: SQLite in the project folder. For PostgreSQL, or to take it from the environment,
 * see tsgi's docs/db.md (DATABASE_URL and databaseUrl() from 'tsgi/db').
 */
export const DATABASES = {
  default: { ENGINE: 'tsgi.db.backends.sqlite3', NAME: path.join(BASE_DIR, 'db.sqlite3') },
};

/** Static files (CSS, JavaScript, images). */
export const STATIC_URL = 'static/';
export const STATIC_ROOT = path.join(BASE_DIR, 'staticfiles');
export const STATICFILES_DIRS = [path.join(BASE_DIR, 'static')];
// collectstatic writes content-hashed copies (css/site.3f2a9c1b0d4e.css), cached for a year.
export const STORAGES = {
  default: { BACKEND: 'tsgi.core.files.storage.FileSystemStorage' },
  staticfiles: { BACKEND: 'tsgi.staticfiles.storage.ManifestStaticFilesStorage' },
};

/** User uploads. */
export const MEDIA_URL = 'media/';
export const MEDIA_ROOT = path.join(BASE_DIR, 'media');
