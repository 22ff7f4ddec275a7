/**
 * Management commands: how a command declares its arguments and what it gets to run with.
 * The counterpart of Django's `django.core.management.base`, with the arguments declared as data
 * so that their types flow into `handle()`.
 */
import { parseArgs } from 'node:util';

/** A command failed in a way the user can fix: printed as one line, no stack, exit code 1. */
export class CommandError extends Error {
  override name = 'CommandError';
  readonly returncode: number;
  constructor(message: string, options: { returncode?: number; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.returncode = options.returncode ?? 1;
  }
}

/** The system checks found problems at or above the fail level. */
export class SystemCheckError extends CommandError {
  override name = 'SystemCheckError';
}

type OptionType = 'string' | 'boolean' | 'number' | 'strings';

/** One `--flag` of a command. */
export interface OptionSpec {
  type: OptionType;
  help: string;
  short?: string;
  default?: string | boolean | number | string[];
  /** For `string`: the accepted values. */
  choices?: readonly string[];
}

/** One positional argument of a command. */
export interface PositionalSpec {
  name: string;
  help: string;
  optional?: boolean;
  /** Takes all remaining positionals. */
  variadic?: boolean;
}

type ValueOf<O extends OptionSpec> = O['type'] extends 'boolean'
  ? boolean
  : O['type'] extends 'number'
    ? number
    : O['type'] extends 'strings'
      ? string[]
      : string;

/** `dry-run` → `dryRun`, as the parsed options are named. */
export type CamelCase<S extends string> = S extends `${infer H}-${infer T}` ? `${H}${Capitalize<CamelCase<T>>}` : S;

/** The parsed options of a command: typed from its declaration, flags in camelCase. */
export type OptionsOf<O extends Record<string, OptionSpec>> = {
  [K in keyof O & string as CamelCase<K>]: O[K] extends { default: unknown }
    ? ValueOf<O[K]>
    : O[K]['type'] extends 'boolean' | 'strings'
      ? ValueOf<O[K]>
      : ValueOf<O[K]> | undefined;
};

/** Where a command writes, with Django's styles (`SUCCESS`, `ERROR`, ...) when it is a terminal. */
export interface CommandIO {
  stdout: { write(text: string): void; isTTY?: boolean };
  stderr: { write(text: string): void; isTTY?: boolean };
  style: Style;
  /** Lines read from the user, for commands that ask (`collectstatic` without `--noinput`). */
  prompt(question: string): Promise<string>;
}

export interface Style {
  SUCCESS(text: string): string;
  WARNING(text: string): string;
  ERROR(text: string): string;
  NOTICE(text: string): string;
  HTTP_INFO(text: string): string;
  SQL_FIELD(text: string): string;
}

/** What `handle()` receives: the declared options, the positionals by name, and the global flags. */
export type HandleArgs<O extends Record<string, OptionSpec>> = OptionsOf<O> & {
  args: Record<string, string | string[] | undefined>;
  verbosity: number;
  traceback: boolean;
  noColor: boolean;
};

/** A management command, as `defineCommand` returns it. */
export interface Command<O extends Record<string, OptionSpec> = Record<string, OptionSpec>> {
  readonly help: string;
  readonly options: O;
  readonly positionals: readonly PositionalSpec[];
  /**
   * Whether the system checks run before `handle()` (Django's `requires_system_checks`): `true`
   * for all, a list of tags, or `false`.
   */
  readonly requiresSystemChecks: boolean | readonly string[];
  /** Whether settings must be loaded (false only for commands like `startproject`). */
  readonly requiresSettings: boolean;
  handle(options: HandleArgs<O>, io: CommandIO): Promise<number | void> | number | void;
}

/**
 * Declares a management command. The options' types follow from their declaration.
 *
 * @example
 * // blog/management/commands/publish.ts
 * import { defineCommand } from 'tsgi/core/management';
 * export default defineCommand({
 *   help: 'Publishes the drafts older than a number of days.',
 *   positionals: [{ name: 'slug', help: 'Only this post.', optional: true }],
 *   options: { days: { type: 'number', default: 7, help: 'Age in days.' } },
 *   handle({ days, args }, io) {
 *     io.stdout.write(io.style.SUCCESS(`Published drafts older than ${days} days.\n`));
 *   },
 * });
 *
 * tsgi's own commands write `const command = defineCommand({...}); export default command;`
 * instead: tsc 6.0 leaves the `.ts` of a dynamic import inside an `export default` expression
 * unrewritten when it compiles the package (test/deploy/package.test.ts checks the build). A
 * project's commands run from their .ts sources and can use the form above.
 */
export function defineCommand<const O extends Record<string, OptionSpec> = Record<never, OptionSpec>>(spec: {
  help: string;
  options?: O;
  positionals?: readonly PositionalSpec[];
  requiresSystemChecks?: boolean | readonly string[];
  requiresSettings?: boolean;
  handle(options: HandleArgs<O>, io: CommandIO): Promise<number | void> | number | void;
}): Command<O> {
  return {
    help: spec.help,
    options: spec.options ?? ({} as O),
    positionals: spec.positionals ?? [],
    requiresSystemChecks: spec.requiresSystemChecks ?? true,
    requiresSettings: spec.requiresSettings ?? true,
    handle: spec.handle,
  };
}

/** Options every command accepts (Django's `BaseCommand` defaults). */
export const GLOBAL_OPTIONS = {
  verbosity: {
    type: 'number',
    short: 'v',
    default: 1,
    help: 'Verbosity level; 0=minimal output, 1=normal output, 2=verbose output, 3=very verbose output.',
  },
  settings: {
    type: 'string',
    help: 'The settings module, e.g. "markup.settings". If not given, the TSGI_SETTINGS_MODULE environment variable is used.',
  },
  traceback: { type: 'boolean', default: false, help: 'Print the stack trace of an error.' },
  'no-color': { type: 'boolean', default: false, help: "Don't colorize the command output." },
  'force-color': { type: 'boolean', default: false, help: 'Force colorization of the command output.' },
  'skip-checks': { type: 'boolean', default: false, help: 'Skip system checks.' },
  help: { type: 'boolean', short: 'h', default: false, help: 'Show this help message and exit.' },
} as const satisfies Record<string, OptionSpec>;

const camel = (flag: string) => flag.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());

/** The result of parsing a command line against a command's declaration. */
export interface ParsedCommandLine {
  options: Record<string, unknown>;
  args: Record<string, string | string[] | undefined>;
  globals: {
    verbosity: number;
    settings?: string;
    traceback: boolean;
    noColor: boolean;
    forceColor: boolean;
    skipChecks: boolean;
    help: boolean;
  };
}

/** Parses `argv` (after the command name) for `command`; errors are `CommandError`s that name the fix. */
export function parseCommandLine(name: string, command: Command, argv: readonly string[]): ParsedCommandLine {
  const all: Record<string, OptionSpec> = { ...GLOBAL_OPTIONS, ...command.options };
  const config: Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }> = {};
  for (const [flag, spec] of Object.entries(all)) {
    config[flag] = { type: spec.type === 'boolean' ? 'boolean' : 'string', multiple: spec.type === 'strings' };
    if (spec.short) config[flag].short = spec.short;
  }
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: [...argv], options: config, allowPositionals: true, strict: true });
  } catch (error) {
    const message = (error as Error).message.replace(/\. To specify a positional argument.*$/s, '.');
    throw new CommandError(`${message} Run 'manage.ts help ${name}' for the options.`);
  }
  const options: Record<string, unknown> = {};
  for (const [flag, spec] of Object.entries(all)) {
    const raw = parsed.values[flag];
    let value: unknown =
      raw ?? spec.default ?? (spec.type === 'boolean' ? false : spec.type === 'strings' ? [] : undefined);
    if (raw !== undefined && spec.type === 'number') {
      value = Number(raw);
      if (!Number.isFinite(value))
        throw new CommandError(`The option --${flag} expects a number, not '${String(raw)}'.`);
    }
    if (raw !== undefined && spec.choices && !spec.choices.includes(String(raw))) {
      throw new CommandError(
        `The option --${flag} must be one of ${spec.choices.join(', ')}; '${String(raw)}' is not.`,
      );
    }
    options[camel(flag)] = value;
  }
  const positionals = [...parsed.positionals];
  const args: Record<string, string | string[] | undefined> = {};
  for (const spec of command.positionals) {
    if (spec.variadic) {
      args[spec.name] = positionals.splice(0);
      continue;
    }
    const value = positionals.shift();
    if (value === undefined && !spec.optional && !options.help) {
      throw new CommandError(
        `The command '${name}' needs the argument ${spec.name} (${spec.help.replace(/\.$/, '')}). Run 'manage.ts help ${name}' for usage.`,
      );
    }
    args[spec.name] = value;
  }
  if (positionals.length > 0) {
    throw new CommandError(
      `The command '${name}' got unexpected arguments: ${positionals.join(' ')}. Run 'manage.ts help ${name}' for usage.`,
    );
  }
  return {
    options,
    args,
    globals: {
      verbosity: options.verbosity as number,
      settings: options.settings as string | undefined,
      traceback: options.traceback as boolean,
      noColor: options.noColor as boolean,
      forceColor: options.forceColor as boolean,
      skipChecks: options.skipChecks as boolean,
      help: options.help as boolean,
    },
  };
}

/** Where the help of an option starts, as argparse's: a longer option puts its help on the next line. */
const HELP_COLUMN = 24;

/** One line of `--help` (or two, when the option or argument is too long to leave a gap). */
function helpLine(head: string, help: string): string {
  return head.length < HELP_COLUMN - 1
    ? `  ${head.padEnd(HELP_COLUMN)}${help}`
    : `  ${head}\n${' '.repeat(HELP_COLUMN + 2)}${help}`;
}

/** The `--help` text of a command. */
export function commandUsage(prog: string, name: string, command: Command): string {
  const all: Record<string, OptionSpec> = { ...command.options, ...GLOBAL_OPTIONS };
  const pos = command.positionals
    .map((p) => (p.optional || p.variadic ? `[${p.name}${p.variadic ? ' ...' : ''}]` : p.name))
    .join(' ');
  const lines = [`usage: ${prog} ${name} [options]${pos ? ' ' + pos : ''}`, '', command.help, ''];
  if (command.positionals.length) {
    lines.push('positional arguments:');
    for (const p of command.positionals) lines.push(helpLine(p.name, p.help));
    lines.push('');
  }
  lines.push('options:');
  for (const [flag, spec] of Object.entries(all)) {
    const head = `${spec.short ? `-${spec.short}, ` : ''}--${flag}${spec.type === 'boolean' ? '' : ` ${flag.toUpperCase().replace(/-/g, '_')}`}`;
    const extra = spec.choices ? ` (one of: ${spec.choices.join(', ')})` : '';
    lines.push(helpLine(head, `${spec.help}${extra}`));
  }
  return lines.join('\n') + '\n';
}

const paint = (code: string, enabled: boolean) => (text: string) => (enabled ? `\x1b[${code}m${text}\x1b[0m` : text);

/** Django's terminal styles; plain text when colour is off. */
export function makeStyle(enabled: boolean): Style {
  return {
    SUCCESS: paint('32;1', enabled),
    WARNING: paint('33;1', enabled),
    ERROR: paint('31;1', enabled),
    NOTICE: paint('31', enabled),
    HTTP_INFO: paint('1', enabled),
    SQL_FIELD: paint('32;1', enabled),
  };
}
