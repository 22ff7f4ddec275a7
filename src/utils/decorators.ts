/**
 * Helpers for writing decorators, as Django's `django.utils.decorators` (and Python's
 * `functools.wraps`).
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
