/**
 * Resolving the settings of `tsgi serve`, lowest to highest precedence: defaults, the config
 * file, each setting's environment variable, `TSGI_CMD_ARGS`, the command line.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  SETTINGS,
  SETTINGS_BY_FLAG,
  SETTINGS_BY_NAME,
  type ServerConfig,
  type SettingSpec,
  type SettingValue,
} from './settings.ts';
// Not an ESM import: building node:fs's namespace runs its lazy getters (fs/promises, readline,
// streams), ~3.5 ms of every cold start (docs/performance.md, Framework, start-up).
const { existsSync } = process.getBuiltinModule('node:fs');

/** A bad setting or command line: the message is shown as is, the process exits 2. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** What the command line says: the application and the settings it sets. */
export interface ParsedArgs {
  app: string | null;
  values: Partial<Record<keyof ServerConfig, SettingValue>>;
  help: boolean;
}

function convert(spec: SettingSpec, raw: string, from: string): SettingValue {
  switch (spec.type) {
    case 'int': {
      if (!/^-?\d+$/.test(raw.trim())) throw new ConfigError(`${from} must be a whole number, got "${raw}".`);
      return Number(raw);
    }
    case 'float': {
      const n = Number(raw);
      if (raw.trim() === '' || Number.isNaN(n)) throw new ConfigError(`${from} must be a number, got "${raw}".`);
      return n;
    }
    case 'bool': {
      const v = raw.toLowerCase();
      if (['1', 'true', 'yes', 'on'].includes(v)) return true;
      if (['0', 'false', 'no', 'off', ''].includes(v)) return false;
      throw new ConfigError(`${from} must be true or false, got "${raw}".`);
    }
    case 'list':
      // --env values may contain commas; addresses never do.
      return spec.name === 'env'
        ? [raw]
        : raw
            .split(',')
            .map((v) => v.trim())
            .filter(Boolean);
    default:
      return raw;
  }
}

/**
 * Parses `tsgi serve` arguments: flags (`--workers 4`, `--workers=4`, `-w 4`) and one
 * positional `MODULE[:ATTR]`. List settings accumulate when repeated.
 */
export function parseArgs(argv: readonly string[], from = 'the command line'): ParsedArgs {
  const out: ParsedArgs = { app: null, values: {}, help: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--help' || arg === '-h') {
      out.help = true;
      continue;
    }
    if (!arg.startsWith('-') || arg === '-') {
      if (out.app !== null)
        throw new ConfigError(`Only one application can be served, got "${out.app}" and "${arg}" on ${from}.`);
      out.app = arg;
      continue;
    }
    const eq = arg.indexOf('=');
    const flag = arg.startsWith('--') && eq > 0 ? arg.slice(0, eq) : arg;
    let spec = SETTINGS_BY_FLAG.get(flag);
    let negated = false;
    if (!spec && flag.startsWith('--no-')) {
      const positive = SETTINGS_BY_FLAG.get('--' + flag.slice(5));
      if (positive?.type === 'bool') {
        spec = positive;
        negated = true;
      }
    }
    if (!spec) {
      const near = [...SETTINGS_BY_FLAG.keys()].filter((f) => f.startsWith('--') && closeEnough(f, flag));
      throw new ConfigError(
        `Unknown option "${flag}" on ${from}.${near.length ? ` Did you mean ${near.join(' or ')}?` : ''} See tsgi serve --help.`,
      );
    }
    let raw: string;
    if (spec.type === 'bool') {
      if (eq > 0 && arg.startsWith('--')) raw = arg.slice(eq + 1);
      else raw = 'true';
      if (negated) raw = convert(spec, raw, spec.flag) ? 'false' : 'true';
    } else if (eq > 0 && arg.startsWith('--')) {
      raw = arg.slice(eq + 1);
    } else {
      const next = argv[i + 1];
      if (next === undefined) throw new ConfigError(`${flag} needs a value (${spec.meta ?? 'VALUE'}) on ${from}.`);
      raw = next;
      i++;
    }
    const value = convert(spec, raw, spec.flag);
    if (spec.type === 'list') {
      const prev = out.values[spec.name] as string[] | undefined;
      out.values[spec.name] = [...(prev ?? []), ...(value as string[])];
    } else {
      out.values[spec.name] = value;
    }
  }
  return out;
}

/** Whether two names are within an edit distance of 2 (for "did you mean"). */
export function closeEnough(a: string, b: string): boolean {
  // Levenshtein distance ≤ 2: enough for typos such as --worker or --bnid.
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
  }
  return d[a.length]![b.length]! <= 2;
}

/** Splits `TSGI_CMD_ARGS` as a shell would for simple quoting ('...' and "..."). */
export function splitCommandLine(text: string): string[] {
  const out: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|'([^']*)'|(\S+)/g;
  let cur: string | null = null;
  let last = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const piece = m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : (m[2] ?? m[3]!);
    if (cur !== null && m.index === last) cur += piece;
    else {
      if (cur !== null) out.push(cur);
      cur = piece;
    }
    last = re.lastIndex;
  }
  if (cur !== null) out.push(cur);
  return out;
}

function fromEnvironment(env: NodeJS.ProcessEnv): ParsedArgs['values'] {
  const values: ParsedArgs['values'] = {};
  for (const spec of SETTINGS) {
    if (spec.name === 'printConfig' || spec.name === 'checkConfig') continue;
    const raw = env[spec.env];
    if (raw === undefined) continue;
    values[spec.name] = convert(spec, raw, `$${spec.env}`);
  }
  return values;
}

function checkType(spec: SettingSpec, value: unknown, from: string): SettingValue {
  if (value === null) return null;
  const ok =
    spec.type === 'list'
      ? Array.isArray(value) && value.every((v) => typeof v === 'string')
      : spec.type === 'bool'
        ? typeof value === 'boolean'
        : spec.type === 'string'
          ? typeof value === 'string'
          : typeof value === 'number' && (spec.type === 'float' || Number.isInteger(value));
  if (spec.type === 'list' && typeof value === 'string') return [value];
  if (!ok) {
    const want = {
      list: 'an array of strings',
      bool: 'true or false',
      string: 'a string',
      int: 'a whole number',
      float: 'a number',
    }[spec.type];
    throw new ConfigError(`The setting "${spec.name}" in ${from} must be ${want}, got ${JSON.stringify(value)}.`);
  }
  return value as SettingValue;
}

/** Loads a config file: its default export (or the module itself) is an object of settings. */
export async function loadConfigFile(file: string): Promise<ParsedArgs['values']> {
  const abs = path.resolve(file);
  if (!existsSync(abs)) throw new ConfigError(`The config file ${abs} does not exist; fix --config or create it.`);
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(abs).href)) as Record<string, unknown>;
  } catch (err) {
    throw new ConfigError(`The config file ${abs} failed to load: ${(err as Error)?.stack ?? String(err)}`);
  }
  const obj = (mod.default ?? mod) as Record<string, unknown>;
  if (typeof obj !== 'object' || obj === null)
    throw new ConfigError(`The config file ${abs} must export an object of settings as its default export.`);
  const values: ParsedArgs['values'] = {};
  for (const [key, value] of Object.entries(obj)) {
    if (key === 'default' || key === '__esModule') continue;
    const spec = SETTINGS_BY_NAME.get(key);
    if (!spec || key === 'config') {
      const near = [...SETTINGS_BY_NAME.keys()].filter((n) => closeEnough(n.toLowerCase(), key.toLowerCase()));
      throw new ConfigError(
        `Unknown setting "${key}" in the config file ${abs}.${near.length ? ` Did you mean "${near[0]}"?` : ''}`,
      );
    }
    values[spec.name] = checkType(spec, value, `the config file ${abs}`);
  }
  return values;
}

/** The resolved settings, the application to serve, and where each setting came from. */
export interface ResolvedConfig {
  app: string | null;
  config: ServerConfig;
  help: boolean;
}

/**
 * Resolves the settings for a command line, in `cwd` and `env`.
 *
 * @example
 * const { app, config } = await resolveConfig(['markup.wsgi', '-w', '2'], process.env, process.cwd());
 */
export async function resolveConfig(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  cwd: string,
): Promise<ResolvedConfig> {
  const cli = parseArgs(argv);
  const cmdArgs = env.TSGI_CMD_ARGS ? parseArgs(splitCommandLine(env.TSGI_CMD_ARGS), '$TSGI_CMD_ARGS') : null;
  const fromEnv = fromEnvironment(env);
  const configPath = (cli.values.config ?? cmdArgs?.values.config ?? fromEnv.config ?? null) as string | null;
  let file: ParsedArgs['values'] = {};
  let configFile: string | null = null;
  if (configPath) {
    configFile = path.resolve(cwd, configPath);
    file = await loadConfigFile(configFile);
  } else {
    for (const name of ['tsgi.config.ts', 'tsgi.config.js', 'tsgi.config.mjs']) {
      const candidate = path.join(cwd, name);
      if (existsSync(candidate)) {
        configFile = candidate;
        file = await loadConfigFile(candidate);
        break;
      }
    }
  }
  const merged: Record<string, SettingValue> = {};
  for (const spec of SETTINGS) {
    const layers = [file, fromEnv, cmdArgs?.values ?? {}, cli.values];
    let value: SettingValue = typeof spec.default === 'function' ? spec.default(env) : spec.default;
    for (const layer of layers) if (layer[spec.name] !== undefined) value = layer[spec.name]!;
    if (spec.name === 'workers' && typeof value === 'number' && Number.isNaN(value)) {
      throw new ConfigError(`$WEB_CONCURRENCY must be a whole number, got "${env.WEB_CONCURRENCY}".`);
    }
    if (value !== null && spec.validate) {
      const problem = spec.validate(value as never);
      if (problem) throw new ConfigError(problem);
    }
    merged[spec.name] = value;
  }
  merged.config = configFile;
  const config = merged as unknown as ServerConfig;
  if (config.limitRequestFieldSize === 0) config.limitRequestFieldSize = 8190;
  if ((config.certfile === null) !== (config.keyfile === null)) {
    throw new ConfigError('TLS needs both --certfile and --keyfile; only one was given.');
  }
  return { app: cli.app ?? cmdArgs?.app ?? null, config, help: cli.help };
}

/** The settings as `--print-config` shows them: one `name = value` line each, by flag. */
export function formatConfig(config: ServerConfig): string {
  const width = Math.max(...SETTINGS.map((s) => s.name.length));
  return SETTINGS.map((s) => `${s.name.padEnd(width)} = ${JSON.stringify(config[s.name])}`).join('\n') + '\n';
}
