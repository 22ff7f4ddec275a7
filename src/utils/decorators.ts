/**
 * Helpers for writing decorators, as Django's `django.utils.decorators` (and Python's
 * `functools.wraps`), and the flags a view function carries for the layers that call it.
 */

/** Copies what other layers read from a view (its name, `viewClass`, flags such as `csrfExempt`). */
export function wrapsView<F extends (...a: never[]) => unknown>(wrapper: F, wrapped: (...a: never[]) => unknown): F {
  Object.defineProperty(wrapper, 'name', { value: wrapped.name });
  for (const key of Object.keys(wrapped)) {
    if (!(key in wrapper))
      (wrapper as unknown as Record<string, unknown>)[key] = (wrapped as unknown as Record<string, unknown>)[key];
  }
  return wrapper;
}

/** What a view function may say about the request bodies it reads. */
export interface ViewBodyInfo {
  /** The methods the view answers (upper-case); any other gets 405 without its body being read. */
  readonly httpMethods?: readonly string[];
  /** False: the view reads the body itself (`request.stream()`), so the handler does not load it. */
  readonly preloadBody?: boolean;
}

/**
 * Whether the handler should read a request's body before calling `view`: unless the view reads
 * it as a stream itself (`preloadBody === false`), or does not answer the request's method (it
 * will answer 405).
 */
export function viewWantsBody(view: unknown, method: string | null): boolean {
  return (view as ViewBodyInfo).preloadBody !== false && viewAnswersMethod(view, method);
}

/** Whether `view` answers `method`: true unless it lists the methods it answers (`httpMethods`) without this one. */
export function viewAnswersMethod(view: unknown, method: string | null): boolean {
  const methods = (view as ViewBodyInfo).httpMethods;
  return methods === undefined || methods.includes(method ?? '');
}

/** A function decorator of views: it takes a view and returns one (`requirePOST`, `csrfExempt`, `neverCache`, ...). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a decorator of any view signature
export type ViewDecorator = (view: (...args: any[]) => any) => (...args: any[]) => any;

/** A class whose prototype has the method a `methodDecorator(..., name)` decorates. */
type ClassWithMethods = abstract new (...args: never[]) => object;

/**
 * Turns function decorators of views into decorators of methods, as Django's
 * `method_decorator`: the decorator wraps the method bound to its instance, each call (so a
 * `requirePOST` or `neverCache` sees the request as it would for a function view), and what the
 * decorator marks on a function (`csrfExempt`, `httpMethods`, ...) is marked on the method too.
 * With `name`, it decorates that method of a class (in place, as Django does) and returns the
 * class; `View.asView()` carries what is marked on `dispatch` to the view function, so
 * `methodDecorator(csrfExempt, 'dispatch')` exempts the whole view. A list applies the first
 * decorator outermost.
 *
 * @example
 * class Profile extends View {
 *   get(request: HttpRequest) { ... }
 * }
 * methodDecorator([neverCache, loginRequired], 'dispatch')(Profile);
 * // or one method:
 * class Feed extends View {
 *   get = methodDecorator(cacheControl({ maxAge: 60 }))(function (this: Feed, request: HttpRequest) { ... });
 * }
 */
export function methodDecorator(decorators: ViewDecorator | readonly ViewDecorator[]): <M>(method: M) => M;
export function methodDecorator(
  decorators: ViewDecorator | readonly ViewDecorator[],
  name: string,
): <C extends ClassWithMethods>(cls: C) => C;
export function methodDecorator(
  decorators: ViewDecorator | readonly ViewDecorator[],
  name?: string,
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the overloads above give the types
): (target: any) => any {
  const list = typeof decorators === 'function' ? [decorators] : [...decorators];
  for (const decorator of list) {
    if (typeof decorator !== 'function') {
      throw new TypeError(
        `methodDecorator() takes a view decorator or a list of them (such as csrfExempt or requirePOST), got ${typeof decorator}.`,
      );
    }
  }
  // Applied innermost first, so that the first of the list is the outermost.
  const inward = list.reverse();
  const decorate = (method: (...args: unknown[]) => unknown) => {
    const wrapper = function (this: unknown, ...args: unknown[]): unknown {
      let bound: (...a: unknown[]) => unknown = method.bind(this);
      for (const decorator of inward) bound = decorator(bound);
      return bound(...args);
    };
    // What each decorator marks on a function, found on a dummy it decorates (as Django).
    wrapsView(wrapper, method as (...a: never[]) => unknown);
    for (const decorator of inward) {
      const dummy = decorator(() => undefined) as unknown as Record<string, unknown>;
      for (const key of Object.keys(dummy)) (wrapper as unknown as Record<string, unknown>)[key] = dummy[key];
    }
    return wrapper;
  };
  return (target: unknown) => {
    if (name === undefined) {
      if (typeof target !== 'function') {
        throw new TypeError(`methodDecorator() decorates a method (a function), got ${typeof target}.`);
      }
      return decorate(target as (...args: unknown[]) => unknown);
    }
    const proto = (target as { prototype?: Record<string, unknown> } | undefined)?.prototype;
    const method = proto?.[name];
    if (typeof method !== 'function') {
      throw new TypeError(
        `The name given to methodDecorator() must be the name of a method of the decorated class: ${String((target as { name?: string })?.name)} has no method '${name}'.`,
      );
    }
    Object.defineProperty(proto, name, {
      value: decorate(method as (...args: unknown[]) => unknown),
      writable: true,
      configurable: true,
    });
    return target;
  };
}
