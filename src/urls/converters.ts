/**
 * Path converters, as Django's `django.urls.converters`: the `<int:id>` of a route. A converter
 * is a regex (what the segment may look like), `toPython` (the captured text → the view's value)
 * and `toUrl` (a value → the text `reverse()` puts in the URL).
 *
 * `toPython` throwing means "this pattern does not match, try the next one"; `toUrl` throwing
 * means "this candidate cannot be reversed with that value, try the next one".
 */
import { ImproperlyConfigured } from '../core/exceptions.ts';

/** A path converter: `regex` must not be anchored; `toPython`/`toUrl` throw to refuse a value. */
export interface Converter<T = unknown> {
  readonly regex: string;
  toPython(value: string): T;
  toUrl(value: T): string;
}

/**
 * `int`: one or more ASCII digits, given to the view as a `number`, or as a `bigint` beyond
 * `Number.MAX_SAFE_INTEGER` (9007199254740991), so that every id is exact, as Python's `int` is:
 * a snowflake id such as 1234567890123456789012 resolves to `1234567890123456789012n`.
 *
 * `toUrl` takes a non-negative safe integer, a non-negative `bigint` or a string of digits; it
 * refuses a `number` that is not a safe integer (2 ** 60 as a number may not be the id it came
 * from), so `reverse()` never builds a URL that resolves to another value.
 */
export class IntConverter implements Converter<number | bigint> {
  readonly regex = '[0-9]+';
  toPython(value: string): number | bigint {
    const n = Number(value);
    return Number.isSafeInteger(n) ? n : BigInt(value);
  }
  toUrl(value: unknown): string {
    if (typeof value === 'number' && !(Number.isSafeInteger(value) && value >= 0)) {
      throw new RangeError(`${value} is not a non-negative safe integer: pass a bigint for ids that large.`);
    }
    return String(value);
  }
}

/** `str`: any non-empty text without a `/`. The default when a parameter names no converter. */
export class StringConverter implements Converter<string> {
  readonly regex: string = '[^/]+';
  toPython(value: string): string {
    return value;
  }
  toUrl(value: unknown): string {
    return String(value);
  }
}

/** `slug`: ASCII letters, digits, hyphens and underscores. */
export class SlugConverter extends StringConverter {
  override readonly regex = '[-a-zA-Z0-9_]+';
}

/** `path`: any non-empty text, `/` included. */
export class PathConverter extends StringConverter {
  override readonly regex = '.+';
}

/**
 * `uuid`: a lowercase, hyphenated UUID, given to the view as that string. `toUrl` keeps the value
 * as given, as Django's: an upper-case UUID does not match the pattern, so `reverse()` refuses it
 * rather than building a URL for another spelling.
 */
export class UUIDConverter implements Converter<string> {
  readonly regex = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
  toPython(value: string): string {
    return value;
  }
  toUrl(value: unknown): string {
    return String(value);
  }
}

const DEFAULT_CONVERTERS: Record<string, Converter> = {
  int: new IntConverter(),
  path: new PathConverter(),
  slug: new SlugConverter(),
  str: new StringConverter(),
  uuid: new UUIDConverter(),
};

const registered = new Map<string, Converter>(Object.entries(DEFAULT_CONVERTERS));

/**
 * Registers a converter under `name`, for routes defined after this call.
 *
 * @example
 * registerConverter('yyyy', {
 *   regex: '[0-9]{4}',
 *   toPython: (value) => Number(value),
 *   toUrl: (value) => String(value).padStart(4, '0'),
 * });
 * path('articles/<yyyy:year>/', yearArchive);
 */
export function registerConverter<T>(name: string, converter: Converter<T>): void {
  if (typeof name !== 'string' || !/^[^>:\s]+$/.test(name)) {
    throw new ImproperlyConfigured(
      `Converter name ${JSON.stringify(name)} is not valid. Use a name without ':', '>' or whitespace, such as 'yyyy'.`,
    );
  }
  if (registered.has(name)) {
    throw new ImproperlyConfigured(`Converter '${name}' is already registered. Register yours under another name.`);
  }
  if (
    converter === null ||
    typeof converter !== 'object' ||
    typeof converter.regex !== 'string' ||
    typeof converter.toPython !== 'function' ||
    typeof converter.toUrl !== 'function'
  ) {
    throw new ImproperlyConfigured(
      `Converter '${name}' must be an object with a string 'regex' and the functions 'toPython' and 'toUrl'.`,
    );
  }
  try {
    new RegExp(converter.regex);
  } catch (error) {
    throw new ImproperlyConfigured(
      `Converter '${name}' has the regex ${JSON.stringify(converter.regex)}, which is not a valid regular expression: ${(error as Error).message}.`,
    );
  }
  registered.set(name, converter as Converter);
}

/** The converter registered under `name`, or `undefined`. */
export function getConverter(name: string): Converter | undefined {
  return registered.get(name);
}

/** The names of all registered converters, for error messages. */
export function converterNames(): string[] {
  return [...registered.keys()];
}
