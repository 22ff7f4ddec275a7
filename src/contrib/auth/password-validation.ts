/**
 * Password validation, as Django's `django.contrib.auth.password_validation`: the validators of
 * AUTH_PASSWORD_VALIDATORS, each refusing a password with Django's message and code (the same
 * messages for the same inputs: test/contrib/auth/differential.test.ts runs Django's).
 *
 * @example
 * // settings.ts
 * export const AUTH_PASSWORD_VALIDATORS = [
 *   { NAME: 'tsgi.contrib.auth.password-validation.UserAttributeSimilarityValidator' },
 *   { NAME: 'tsgi.contrib.auth.password-validation.MinimumLengthValidator', OPTIONS: { minLength: 9 } },
 *   { NAME: 'tsgi.contrib.auth.password-validation.CommonPasswordValidator' },
 *   { NAME: 'tsgi.contrib.auth.password-validation.NumericPasswordValidator' },
 * ];
 * // a view
 * validatePassword(password, user); // ValidationError with every message
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { fromSettings, settings } from '../../conf/index.ts';
import { ImproperlyConfigured, ValidationError } from '../../core/exceptions.ts';
import { nodeZlib } from '../../utils/builtins.ts';
import { formatHtml } from '../../utils/html.ts';
import { importString } from '../../utils/module-loading.ts';
import type { SafeString } from '../../utils/safestring.ts';

/** What a validator is: `validate()` throws ValidationError; `helpText()` says what it asks. */
export interface PasswordValidator {
  validate(password: string, user?: object | null): void;
  helpText(): string;
  /** Told when a user's password changed (to keep a history, for example). */
  passwordChanged?(password: string, user?: object | null): void;
}

/** The number of characters of a string as Python counts them (code points, not UTF-16 units). */
function length(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

/** An option given camelCased (`minLength`) or as Django names it (`min_length`), for settings ported from Django. */
function option<T>(options: Record<string, unknown>, name: string, fallback: T): T {
  if (options[name] !== undefined) return options[name] as T;
  const snake = name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
  return options[snake] !== undefined ? (options[snake] as T) : fallback;
}

/** Refuses passwords shorter than `minLength` characters (8). */
export class MinimumLengthValidator implements PasswordValidator {
  readonly minLength: number;

  constructor(options: { minLength?: number } & Record<string, unknown> = {}) {
    this.minLength = option(options, 'minLength', 8);
  }

  validate(password: string): void {
    if (length(password) < this.minLength) {
      const noun = this.minLength === 1 ? 'character' : 'characters';
      throw new ValidationError(`This password is too short. It must contain at least %(min_length)d ${noun}.`, {
        code: 'password_too_short',
        params: { min_length: this.minLength },
      });
    }
  }

  helpText(): string {
    return `Your password must contain at least ${this.minLength} ${this.minLength === 1 ? 'character' : 'characters'}.`;
  }
}

/** Python's `\W+` for str patterns: runs of what is not a letter, a digit or `_`. */
const NON_WORD = /[^\p{L}\p{N}_]+/u;

/**
 * difflib's `SequenceMatcher(a, b).quick_ratio()`: an upper bound of the similarity of two
 * strings from their characters alone, 2·matches / (len(a) + len(b)).
 */
export function quickRatio(a: string, b: string): number {
  const counts = new Map<string, number>();
  for (const c of b) counts.set(c, (counts.get(c) ?? 0) + 1);
  let matches = 0;
  for (const c of a) {
    const left = counts.get(c) ?? 0;
    counts.set(c, left - 1);
    if (left > 0) matches++;
  }
  const total = length(a) + length(b);
  return total === 0 ? 1 : (2 * matches) / total;
}

/** Whether `value` is so much shorter than the password that it cannot be similar enough (Django's shortcut). */
function exceedsMaximumLengthRatio(password: string, maxSimilarity: number, value: string): boolean {
  const passwordLength = length(password);
  const valueLength = length(value);
  return passwordLength >= 10 * valueLength && valueLength < (maxSimilarity / 2) * passwordLength;
}

/**
 * Refuses passwords too similar to the user's attributes (`username`, `firstName`, `lastName`,
 * `email`, and each word of them): a quick ratio of `maxSimilarity` (0.7) or more.
 */
export class UserAttributeSimilarityValidator implements PasswordValidator {
  static readonly DEFAULT_USER_ATTRIBUTES: readonly string[] = ['username', 'firstName', 'lastName', 'email'];
  readonly userAttributes: readonly string[];
  readonly maxSimilarity: number;

  constructor(options: { userAttributes?: readonly string[]; maxSimilarity?: number } & Record<string, unknown> = {}) {
    this.userAttributes = option(options, 'userAttributes', UserAttributeSimilarityValidator.DEFAULT_USER_ATTRIBUTES);
    this.maxSimilarity = option(options, 'maxSimilarity', 0.7);
    if (this.maxSimilarity < 0.1) throw new RangeError('maxSimilarity must be at least 0.1');
  }

  validate(password: string, user?: object | null): void {
    if (!user) return;
    const lower = password.toLowerCase();
    for (const attribute of this.userAttributes) {
      const value = (user as Record<string, unknown>)[attribute];
      if (typeof value !== 'string' || value === '') continue;
      const valueLower = value.toLowerCase();
      for (const part of [...valueLower.split(NON_WORD), valueLower]) {
        if (exceedsMaximumLengthRatio(lower, this.maxSimilarity, part)) continue;
        if (quickRatio(lower, part) >= this.maxSimilarity) {
          throw new ValidationError('The password is too similar to the %(verbose_name)s.', {
            code: 'password_too_similar',
            params: { verbose_name: verboseName(user, attribute) },
          });
        }
      }
    }
  }

  helpText(): string {
    return 'Your password can’t be too similar to your other personal information.';
  }
}

/** The verbose name of a model field (`'email address'`), or the attribute's name. */
function verboseName(user: object, attribute: string): string {
  const meta = (user.constructor as { _meta?: { findField(name: string): { label?: string } | undefined } })._meta;
  let field: { label?: string } | undefined;
  try {
    field = meta?.findField(attribute);
  } catch {
    field = undefined;
  }
  return field?.label ?? attribute;
}

/** The package's root folder: the password list is a data file shipped with the sources. */
const PACKAGE_ROOT = path.dirname(fileURLToPath(import.meta.resolve('tsgi/package.json')));

/**
 * Django's list of 20,000 common passwords (19,727 once lower-cased and de-duplicated), by
 * Royce Williams, shipped with Django under its BSD licence: see common-passwords.NOTICE.
 */
export const DEFAULT_PASSWORD_LIST_PATH = path.join(PACKAGE_ROOT, 'src', 'contrib', 'auth', 'common-passwords.txt.gz');

const lists = new Map<string, Set<string>>();

function loadPasswords(file: string): Set<string> {
  let set = lists.get(file);
  if (set !== undefined) return set;
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    throw new ImproperlyConfigured(
      `CommonPasswordValidator cannot read its password list ${file}: ${(error as Error).message}`,
      { cause: error },
    );
  }
  // gzip's magic number: a compressed list, or plain text.
  const text = (bytes[0] === 0x1f && bytes[1] === 0x8b ? nodeZlib().gunzipSync(bytes) : bytes).toString('utf8');
  const lines = text.split('\n');
  // Python's line iteration yields no empty last line: a final newline adds no empty password.
  if (lines.at(-1) === '') lines.pop();
  set = new Set(lines.map((line) => line.trim()));
  lists.set(file, set);
  return set;
}

/** Refuses the passwords of a list (Django's 20,000 common ones; `passwordListPath` for another, plain or gzipped). */
export class CommonPasswordValidator implements PasswordValidator {
  readonly passwordListPath: string;

  constructor(options: { passwordListPath?: string } & Record<string, unknown> = {}) {
    this.passwordListPath = option(options, 'passwordListPath', DEFAULT_PASSWORD_LIST_PATH);
  }

  /** The lower-cased passwords of the list, read once per process. */
  get passwords(): Set<string> {
    return loadPasswords(this.passwordListPath);
  }

  validate(password: string): void {
    if (this.passwords.has(password.toLowerCase().trim())) {
      throw new ValidationError('This password is too common.', { code: 'password_too_common' });
    }
  }

  helpText(): string {
    return 'Your password can’t be a commonly used password.';
  }
}

/**
 * Python's `str.isdigit()`: decimal digits (\p{Nd}) and the other characters whose Unicode
 * numeric type is Digit (superscripts, circled digits...), listed from Python 3.11's tables.
 */
const DIGITS =
  /^[\p{Nd}\u{b2}-\u{b3}\u{b9}\u{1369}-\u{1371}\u{19da}\u{2070}\u{2074}-\u{2079}\u{2080}-\u{2089}\u{2460}-\u{2468}\u{2474}-\u{247c}\u{2488}-\u{2490}\u{24ea}\u{24f5}-\u{24fd}\u{24ff}\u{2776}-\u{277e}\u{2780}-\u{2788}\u{278a}-\u{2792}\u{10a40}-\u{10a43}\u{10e60}-\u{10e68}\u{11052}-\u{1105a}\u{1f100}-\u{1f10a}]+$/u;

/** Refuses passwords made of digits only. */
export class NumericPasswordValidator implements PasswordValidator {
  constructor(_options: Record<string, unknown> = {}) {}

  validate(password: string): void {
    if (DIGITS.test(password)) {
      throw new ValidationError('This password is entirely numeric.', { code: 'password_entirely_numeric' });
    }
  }

  helpText(): string {
    return 'Your password can’t be entirely numeric.';
  }
}

const BUILT_IN: Record<string, unknown> = {
  MinimumLengthValidator,
  UserAttributeSimilarityValidator,
  CommonPasswordValidator,
  NumericPasswordValidator,
};

const DJANGO_PREFIX = 'django.contrib.auth.password_validation.';
const OWN_PREFIX = 'tsgi.contrib.auth.password-validation.';

/** The validators a list of `{ NAME, OPTIONS }` describes (Django's dotted names are understood). */
export function getPasswordValidators(
  config: ReadonlyArray<{ NAME: string; OPTIONS?: Record<string, unknown> }>,
): PasswordValidator[] {
  return config.map((entry) => {
    const name = entry.NAME.startsWith(DJANGO_PREFIX)
      ? OWN_PREFIX + entry.NAME.slice(DJANGO_PREFIX.length)
      : entry.NAME;
    let Validator: unknown;
    try {
      Validator = name.startsWith(OWN_PREFIX) ? BUILT_IN[name.slice(OWN_PREFIX.length)] : undefined;
      Validator ??= importString(name);
    } catch (error) {
      throw new ImproperlyConfigured(
        `The module in NAME could not be imported: ${entry.NAME}. Check your AUTH_PASSWORD_VALIDATORS setting. (${(error as Error).message})`,
        { cause: error },
      );
    }
    if (typeof Validator !== 'function') {
      throw new ImproperlyConfigured(
        `AUTH_PASSWORD_VALIDATORS names '${entry.NAME}', which is not a validator class. Check your AUTH_PASSWORD_VALIDATORS setting.`,
      );
    }
    return new (Validator as new (options: Record<string, unknown>) => PasswordValidator)(entry.OPTIONS ?? {});
  });
}

const defaultValidators = fromSettings(() =>
  getPasswordValidators(
    settings.AUTH_PASSWORD_VALIDATORS as ReadonlyArray<{ NAME: string; OPTIONS?: Record<string, unknown> }>,
  ),
);

/** The validators of AUTH_PASSWORD_VALIDATORS (built once per settings change). */
export function getDefaultPasswordValidators(): PasswordValidator[] {
  return defaultValidators();
}

/**
 * Runs every validator; throws one ValidationError with all their messages when any refuses.
 *
 * @example
 * try { validatePassword(password, user); } catch (error) { (error as ValidationError).messages; }
 */
export function validatePassword(
  password: string,
  user: object | null = null,
  validators: readonly PasswordValidator[] = getDefaultPasswordValidators(),
): void {
  const errors: ValidationError[] = [];
  for (const validator of validators) {
    try {
      validator.validate(password, user);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      errors.push(error);
    }
  }
  if (errors.length > 0) throw new ValidationError(errors);
}

/** Tells the validators that have `passwordChanged()` that a user's password changed. */
export function passwordChanged(
  password: string,
  user: object | null = null,
  validators: readonly PasswordValidator[] = getDefaultPasswordValidators(),
): void {
  for (const validator of validators) validator.passwordChanged?.(password, user);
}

/** What each validator asks, for a form's help text. */
export function passwordValidatorsHelpTexts(
  validators: readonly PasswordValidator[] = getDefaultPasswordValidators(),
): string[] {
  return validators.map((validator) => validator.helpText());
}

/** The help texts as an HTML `<ul>`, or '' when there are none. */
export function passwordValidatorsHelpTextHtml(
  validators: readonly PasswordValidator[] = getDefaultPasswordValidators(),
): SafeString | string {
  const texts = passwordValidatorsHelpTexts(validators);
  if (texts.length === 0) return '';
  return formatHtml('<ul>{}</ul>', formatHtml(texts.map(() => '<li>{}</li>').join(''), ...texts));
}
