/** `manage.ts diffsettings`: the settings that differ from tsgi's defaults (Django's `diffsettings`). */
import { inspect } from 'node:util';
import { globalSettings, settings } from '../../../conf/index.ts';
import { defineCommand } from '../base.ts';

const show = (value: unknown) => inspect(value, { depth: 4, breakLength: Infinity, compact: true });

const command = defineCommand({
  help: 'Displays differences between the current settings and the default settings. Settings that are not in the defaults are followed by "###".',
  requiresSystemChecks: false,
  options: {
    all: {
      type: 'boolean',
      default: false,
      help: 'Display all settings, regardless of their value. Default values are prefixed by "###".',
    },
  },
  handle({ all }, io) {
    const defaults = globalSettings as unknown as Record<string, unknown>;
    const current = settings as unknown as Record<string, unknown>;
    // entries(): the proxy has no own keys, so Object.keys() would miss the project's own settings.
    const names = new Set(
      [...Object.keys(defaults), ...settings.entries().map(([k]) => k)].filter(
        (k) => /^[A-Z][A-Z0-9_]*$/.test(k) && k !== 'SETTINGS_MODULE',
      ),
    );
    const lines: string[] = [];
    for (const name of [...names].sort()) {
      let value: unknown;
      try {
        value = current[name];
      } catch (error) {
        value = `<error: ${(error as Error).message}>`;
      }
      if (!(name in defaults)) lines.push(`${name} = ${show(value)}  ###`);
      else if (show(value) !== show(defaults[name])) lines.push(`${name} = ${show(value)}`);
      else if (all) lines.push(`### ${name} = ${show(value)}`);
    }
    io.stdout.write(lines.join('\n') + '\n');
  },
});

export default command; // not `export default defineCommand(...)`: see defineCommand()
