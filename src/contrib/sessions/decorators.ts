/**
 * `loadSession()`: loads `request.session` before a view runs, so a synchronous view (or one
 * that reads the session in several places) uses it as Django's, without an await of its own.
 */
import type { HttpRequest } from '../../http/request.ts';
import type { HttpResponseBase } from '../../http/response.ts';
import { ImproperlyConfigured } from '../../core/exceptions.ts';
import { wrapsView } from '../../utils/decorators.ts';

type View<A extends unknown[]> = (request: HttpRequest, ...rest: A) => HttpResponseBase | Promise<HttpResponseBase>;

/**
 * Wraps a view so that its request's session is loaded first.
 *
 * @example
 * export const basket = loadSession((request: HttpRequest) => {
 *   const items = request.session.get<string[]>('basket', []);
 *   return render(request, 'basket.html', { items });
 * });
 */
export function loadSession<A extends unknown[]>(
  view: View<A>,
): (request: HttpRequest, ...rest: A) => Promise<HttpResponseBase> {
  const wrapper = async function (this: unknown, request: HttpRequest, ...rest: A): Promise<HttpResponseBase> {
    if (request.session === undefined) {
      throw new ImproperlyConfigured(
        `The view ${view.name || '(anonymous)'} uses the session, but request.session is not set: add ` +
          "'tsgi.contrib.sessions.middleware.SessionMiddleware' to MIDDLEWARE.",
      );
    }
    await request.session.load();
    return view.apply(this, [request, ...rest]);
  };
  return wrapsView(wrapper, view as (...a: never[]) => unknown);
}
