/**
 * Generates docs/server-settings.md from the settings declarations (settings.ts), so that no
 * setting is described in two places. `npm run docs:settings` writes it; a test fails when the
 * committed file is stale.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { SETTINGS, type SettingSpec } from './settings.ts';

function defaultOf(s: SettingSpec): string {
  if (s.defaultText) return s.defaultText;
  if (typeof s.default === 'function') return '(computed)';
  if (s.default === null) return 'unset';
  return '`' + JSON.stringify(s.default) + '`';
}

/** The Markdown text of docs/server-settings.md. */
export function renderSettingsDoc(): string {
  const out: string[] = [
    '# `tsgi serve` settings',
    '',
    '<!-- Generated from src/server/settings.ts by `npm run docs:settings`; do not edit by hand. -->',
    '',
    'Every setting can be given, from lowest to highest precedence, as: its default; a key of the',
    'config file (`tsgi.config.ts`, `tsgi.config.js` or `tsgi.config.mjs` in the working directory, or',
    '`--config FILE`; its default export is an object of settings by name); its environment variable;',
    'a flag in `$TSGI_CMD_ARGS`; a flag on the command line. `--print-config` shows the result,',
    '`--check-config` also loads the application.',
    '',
    'List settings (`bind`, `forwardedAllowIps`, `env`) repeat on the command line; their environment',
    'variables and flags also take comma-separated values (except `--env`). Booleans take',
    '`--flag`, `--no-flag` or `--flag=false`; their environment variables take `true`/`false`/`1`/`0`.',
    '',
    '```ts',
    '// tsgi.config.ts',
    "export default { bind: ['0.0.0.0:8000'], workers: 4, accessLogfile: '-', forwardedAllowIps: ['10.0.0.0/8'] };",
    '```',
    '',
  ];
  let section = '';
  for (const s of SETTINGS) {
    if (s.section !== section) {
      section = s.section;
      out.push(`## ${section}`, '');
    }
    out.push(`### \`${s.name}\``, '');
    const flag = `${s.short ? `\`${s.short}\`, ` : ''}\`${s.flag}${s.type === 'bool' ? '' : ' ' + (s.meta ?? 'VALUE')}\``;
    out.push(`- Command line: ${flag}`);
    out.push(`- Environment: \`${s.env}\``);
    out.push(`- Type: ${s.type}; default: ${defaultOf(s)}`);
    out.push('', s.help, '');
  }
  return out.join('\n');
}

/** The path of the generated file. */
export const SETTINGS_DOC_PATH = fileURLToPath(new URL('../../docs/server-settings.md', import.meta.url));

if (import.meta.main) {
  writeFileSync(SETTINGS_DOC_PATH, renderSettingsDoc());
  process.stdout.write(`Wrote ${SETTINGS_DOC_PATH}\n`);
}
