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
