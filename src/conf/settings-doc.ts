/**
 * Generates docs/settings.md, the framework's settings reference, from the `Settings` interface
 * and `globalSettings` in global-settings.ts, so that a setting is described in one place only.
 * `npm run docs:settings` writes it (with docs/server-settings.md); a test fails when the
 * committed file is stale.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { globalSettings } from './global-settings.ts';

const SOURCE = new URL('./global-settings.ts', import.meta.url);
const TARGET = new URL('../../docs/settings.md', import.meta.url);

/** One declared setting: its name, TypeScript type and JSDoc text. */
export interface DeclaredSetting {
  name: string;
  type: string;
  doc: string;
}

/** The settings of the `Settings` interface, in declaration order, read from the source text. */
export function declaredSettings(source = readFileSync(SOURCE, 'utf8')): DeclaredSetting[] {
  const start = source.indexOf('export interface Settings {');
  const end = source.indexOf('\n}', start);
  if (start < 0 || end < 0)
    throw new Error(
      'global-settings.ts has no `export interface Settings { ... }` block; update settings-doc.ts to match it.',
    );
  const out: DeclaredSetting[] = [];
  let doc = '';
  let inComment = false;
  for (const raw of source.slice(start, end).split('\n').slice(1)) {
    const line = raw.trim();
    if (line.startsWith('/**')) {
      inComment = !line.endsWith('*/');
      doc = line.replace(/^\/\*\*\s?/, '').replace(/\s?\*\/$/, '');
      continue;
    }
    if (inComment) {
      if (line.endsWith('*/')) inComment = false;
      doc += ' ' + line.replace(/^\*\/?\s?/, '').replace(/\s?\*\/$/, '');
      continue;
    }
    const match = /^([A-Z][A-Z0-9_]*)\??: (.+);$/.exec(line);
    if (match) out.push({ name: match[1]!, type: match[2]!, doc: doc.trim() });
    doc = '';
  }
  return out;
}

const SECTIONS: Array<[title: string, test: (name: string) => boolean]> = [
  ['Security (SecurityMiddleware, `check --deploy`)', (n) => n.startsWith('SECURE_') || n === 'X_FRAME_OPTIONS'],
  ['CSRF (CsrfViewMiddleware)', (n) => n.startsWith('CSRF_')],
  ['Request bodies and uploads', (n) => n.startsWith('DATA_UPLOAD_') || n.startsWith('FILE_UPLOAD_')],
  ['Caches (tsgi/core/cache, the cache middleware)', (n) => n.startsWith('CACHE')],
  ['Sessions (SessionMiddleware)', (n) => n.startsWith('SESSION_')],
  ['Messages (tsgi/contrib/messages)', (n) => n.startsWith('MESSAGE_')],
  ['Authentication (tsgi/contrib/auth)', (n) => /^(AUTH_|AUTHENTICATION_|PASSWORD_|LOGIN_|LOGOUT_)/.test(n)],
  [
    'Email (tsgi/core/mail)',
    (n) => n.startsWith('EMAIL_') || ['DEFAULT_FROM_EMAIL', 'SERVER_EMAIL', 'ADMINS', 'MANAGERS'].includes(n),
  ],
  ['Static files and media', (n) => n.startsWith('STATIC') || n.startsWith('MEDIA_') || n === 'STORAGES'],
  ['Core', () => true],
];

function formatDefault(name: string, value: unknown): string {
  if (value === undefined) return 'set by the loader';
  if (typeof value === 'function') return `\`${value.name}\``;
  if (typeof value === 'number' && name.endsWith('_PERMISSIONS')) return `\`0o${value.toString(8)}\``;
  const text = JSON.stringify(value);
  return text.length > 80 ? `\`${text.slice(0, 77)}...\`` : `\`${text}\``;
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|');
}

/** The Markdown text of docs/settings.md. */
export function renderSettingsDoc(): string {
  const settings = declaredSettings();
  const defaults = globalSettings as unknown as Record<string, unknown>;
  const out = [
    '# Settings',
    '',
    '<!-- Generated from src/conf/global-settings.ts by `npm run docs:settings`; do not edit by hand. -->',
    '',
    "A project's settings module (named by `TSGI_SETTINGS_MODULE`, e.g. `markup.settings` for",
    '`markup/settings.ts`) exports UPPER_CASE constants; each overrides the default below, as in',
    'Django. Any other UPPER_CASE export is a setting of the project, readable as `settings.NAME`.',
    '',
    '```ts',
    "import { settings } from 'tsgi/conf';",
    'settings.DEBUG;            // read lazily: the module loads on first use',
    '```',
    '',
    '`node manage.ts diffsettings` lists what a project changed; `overrideSettings()` (from',
    '`tsgi/conf` or `tsgi/test`) changes settings inside a test. Settings marked as lists must be',
    'lists (`ImproperlyConfigured` otherwise), and an empty `SECRET_KEY` is an error when read.',
    'The production server has its own settings (bind, workers, timeouts): see',
    '[server-settings.md](server-settings.md).',
    '',
  ];
  const placed = new Set<string>();
  for (const [title, test] of SECTIONS) {
    const rows = settings.filter((s) => !placed.has(s.name) && test(s.name));
    if (rows.length === 0) continue;
    out.push(`## ${title}`, '', '| setting | type | default | meaning |', '|---|---|---|---|');
    for (const s of rows) {
      placed.add(s.name);
      out.push(
        `| \`${s.name}\` | \`${cell(s.type)}\` | ${cell(formatDefault(s.name, defaults[s.name]))} | ${cell(s.doc)} |`,
      );
    }
    out.push('');
  }
  return out.join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(TARGET, renderSettingsDoc());
  process.stdout.write(`Wrote ${fileURLToPath(TARGET)}\n`);
}
