/**
 * System check messages, as Django's `django.core.checks.messages`: a level, a stable id
 * (`security.W004`) users can search and silence, a message and a hint.
 */

export const DEBUG = 10;
export const INFO = 20;
export const WARNING = 30;
export const ERROR = 40;
export const CRITICAL = 50;

const LEVEL_NAMES: Record<number, string> = { 10: 'DEBUG', 20: 'INFO', 30: 'WARNING', 40: 'ERROR', 50: 'CRITICAL' };

/** One finding of a system check. */
export class CheckMessage {
  readonly level: number;
  readonly msg: string;
  readonly hint: string | undefined;
  readonly obj: unknown;
  readonly id: string | undefined;

  constructor(level: number, msg: string, options: { hint?: string; obj?: unknown; id?: string } = {}) {
    this.level = level;
    this.msg = msg;
    this.hint = options.hint;
    this.obj = options.obj;
    this.id = options.id;
  }

  get levelName(): string {
    return LEVEL_NAMES[this.level] ?? String(this.level);
  }

  /** At least ERROR: these stop `runserver` and fail `check`. */
  isSerious(level = ERROR): boolean {
    return this.level >= level;
  }

  /** Listed in `SILENCED_SYSTEM_CHECKS`. */
  isSilenced(silenced: readonly string[]): boolean {
    return this.id !== undefined && silenced.includes(this.id);
  }

  /** As Django prints it: `?: (security.W004) message\n\tHINT: hint`. */
  toString(): string {
    const obj = this.obj === undefined || this.obj === null ? '?' : String(this.obj);
    const id = this.id ? `(${this.id}) ` : '';
    const hint = this.hint ? `\n\tHINT: ${this.hint}` : '';
    return `${obj}: ${id}${this.msg}${hint}`;
  }
}

type Options = { hint?: string; obj?: unknown; id?: string };
export const Debug = (msg: string, o?: Options) => new CheckMessage(DEBUG, msg, o);
export const Info = (msg: string, o?: Options) => new CheckMessage(INFO, msg, o);
export const Warning = (msg: string, o?: Options) => new CheckMessage(WARNING, msg, o);
export const Error_ = (msg: string, o?: Options) => new CheckMessage(ERROR, msg, o);
export const Critical = (msg: string, o?: Options) => new CheckMessage(CRITICAL, msg, o);

/** `--fail-level` names to levels. */
export const FAIL_LEVELS: Record<string, number> = { CRITICAL, ERROR, WARNING, INFO, DEBUG };
