/**
 * `XFrameOptionsMiddleware`, as Django's `django.middleware.clickjacking`: sets
 * `X-Frame-Options` (from `X_FRAME_OPTIONS`, default `DENY`) unless the response has one or was
 * marked exempt with {@link xframeOptionsExempt}.
 */
import { fromSettings, settings } from '../conf/index.ts';
import type { GetResponse } from './index.ts';
import type { HttpRequest } from '../http/request.ts';
import type { HttpResponseBase } from '../http/response.ts';
import { hasKnownHeader, isWireReady, setKnownHeader } from '../http/headers.ts';
import { wrapsView } from '../utils/decorators.ts';

const exempt = new WeakSet<HttpResponseBase>();
// Whether any response was marked exempt yet: until then no response needs looking up.
let anyExempt = false;

// X_FRAME_OPTIONS, read once per settings change (the settings proxy costs on every request),
// and whether it is wire-ready (then it is set without the per-response check).
const xFrameOptions = fromSettings(() => {
  const value = String(settings.X_FRAME_OPTIONS ?? 'DENY').toUpperCase();
  return { value, ready: isWireReady('X-Frame-Options', value) };
});

/**
 * @example
 * MIDDLEWARE: [..., 'tsgi.middleware.clickjacking.XFrameOptionsMiddleware']
 */
export class XFrameOptionsMiddleware {
  readonly getResponse: GetResponse;

  constructor(getResponse: GetResponse) {
    this.getResponse = getResponse;
  }

  call(request: HttpRequest): HttpResponseBase | Promise<HttpResponseBase> {
    const response = this.getResponse(request);
    if (response instanceof Promise) return response.then((answer) => this.processResponse(request, answer));
    return this.processResponse(request, response);
  }

  processResponse(request: HttpRequest, response: HttpResponseBase): HttpResponseBase {
    const headers = response.headers;
    if (hasKnownHeader(headers, 'x-frame-options') || (anyExempt && exempt.has(response))) return response;
    const value = this.getXframeOptionsValue(request, response);
    const setting = xFrameOptions();
    // The setting's own value was checked once; anything else (a subclass's) is checked here.
    if (value === setting.value && setting.ready) setKnownHeader(headers, 'x-frame-options', 'X-Frame-Options', value);
    else headers.set('X-Frame-Options', value);
    return response;
  }

  /** The header value; override in a subclass to vary it per request. */
  getXframeOptionsValue(_request: HttpRequest, _response: HttpResponseBase): string {
    return xFrameOptions().value;
  }
}

/**
 * Marks a view's responses as allowed in frames (no `X-Frame-Options`).
 *
 * @example
 * export const widget = xframeOptionsExempt((request) => new HttpResponse('<p>embed me</p>'));
 */
export function xframeOptionsExempt<
  F extends (request: HttpRequest, ...rest: never[]) => HttpResponseBase | Promise<HttpResponseBase>,
>(view: F): F {
  const wrapper = async (request: HttpRequest, ...rest: never[]) => {
    const response = await view(request, ...rest);
    exempt.add(response);
    anyExempt = true;
    return response;
  };
  return wrapsView(wrapper as unknown as F, view);
}
