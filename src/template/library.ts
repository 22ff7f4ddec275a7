/**
 * A library of template filters and tags, as Django's `django.template.Library`: the built-in
 * filters are one, and a project's `templatetags/` modules export one for `{% load %}`.
 *
 * This file holds the filter contract (what a filter function receives and how it declares its
 * argument and its safety); the tag half (simple, inclusion and parser tags) is added with the
 * template language's compiler.
 */

/**
 * How a filter treats safety and time, as the keyword arguments of Django's `@register.filter`:
 * - `isSafe`: the filter adds no unsafe characters, so a safe input stays safe (Django's `is_safe`).
 * - `needsAutoescape`: the filter escapes what it adds itself and is told whether autoescaping is on.
 * - `expectsLocaltime`: an aware datetime is converted to the current time zone before the call.
 */
export interface FilterFlags {
  isSafe?: boolean;
  needsAutoescape?: boolean;
  expectsLocaltime?: boolean;
}

/** Whether a filter takes the `:arg` after its name: never, always, or when given. */
export type FilterArgument = 'none' | 'required' | 'optional';

/**
 * A filter's function: the value, the resolved argument (`undefined` when none was given), and
 * whether autoescaping is on where the filter is used (meaningful with `needsAutoescape`).
 */
export type FilterFunction = (value: unknown, arg: unknown, autoescape: boolean) => unknown;

/** A registered filter. */
export interface Filter {
  readonly name: string;
  readonly fn: FilterFunction;
  readonly arg: FilterArgument;
  readonly isSafe: boolean;
  readonly needsAutoescape: boolean;
  readonly expectsLocaltime: boolean;
}

/** The options of `Library.filter()`. */
export interface FilterOptions extends FilterFlags {
  /** Defaults to `'required'` when the function declares two or more parameters, else `'none'`. */
  arg?: FilterArgument;
}

/**
 * A set of filters (and tags) a template can use.
 *
 * @example
 * export const register = new Library();
 * register.filter('cut', (value, arg) => String(value).replaceAll(String(arg), ''), { isSafe: false });
 */
export class Library {
  readonly filters = new Map<string, Filter>();

  /** Registers `fn` as the filter `name`; returns `fn` so that it can be exported too. */
  filter<F extends FilterFunction>(name: string, fn: F, options: FilterOptions = {}): F {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
      throw new TypeError(
        `The filter name ${JSON.stringify(name)} is not valid; use letters, digits and underscores, not starting with a digit.`,
      );
    }
    this.filters.set(name, {
      name,
      fn,
      arg: options.arg ?? (fn.length >= 2 ? 'required' : 'none'),
      isSafe: options.isSafe ?? false,
      needsAutoescape: options.needsAutoescape ?? false,
      expectsLocaltime: options.expectsLocaltime ?? false,
    });
    return fn;
  }
}
