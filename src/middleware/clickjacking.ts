/**
 * `XFrameOptionsMiddleware`, as Django's `django.middleware.clickjacking`: sets
 * `X-Frame-Options` (from `X_FRAME_OPTIONS`, default `DENY`) unless the response has one or was
 * marked exempt with {@link xframeOptionsExempt}.
 */
import { settings } from '../conf/index.ts';
import { settingChanged } from '../conf/signals.ts';
import type { GetResponse } from '../core/handlers/exception.ts';
import type { HttpRequest } from '../http/request.ts';
import type { HttpResponseBase } from '../http/response.ts';
import { wrapsView } from '../views/decorators/http.ts';

const exempt = new WeakSet<HttpResponseBase>();

// X_FRAME_OPTIONS, read once per settings change (the settings proxy costs on every request).
let xFrameOptions: string | undefined;
settingChanged.connect(({ setting }) => {
  if (setting === 'X_FRAME_OPTIONS') xFrameOptions = undefined;
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

  call(request: HttpRequest): Promise<HttpResponseBase> {
    return Promise.resolve(this.getResponse(request)).then((response) => this.processResponse(request, response));
  }

  processResponse(request: HttpRequest, response: HttpResponseBase): HttpResponseBase {
    if (response.has('X-Frame-Options') || exempt.has(response)) return response;
    response.set('X-Frame-Options', this.getXframeOptionsValue(request, response));
    return response;
  }

  /** The header value; override in a subclass to vary it per request. */
  getXframeOptionsValue(_request: HttpRequest, _response: HttpResponseBase): string {
    return (xFrameOptions ??= String(settings.X_FRAME_OPTIONS ?? 'DENY').toUpperCase());
  }
}

/**
 * Marks a view's responses as allowed in frames (no `X-Frame-Options`).
 *
 * @example
 * export const widget = xframeOptionsExempt((request) => new HttpResponse('<p>embed me</p>'));
 */
export function xframeOptionsExempt<F extends (request: HttpRequest, ...rest: never[]) => HttpResponseBase | Promise<HttpResponseBase>>(view: F): F {
  const wrapper = async (request: HttpRequest, ...rest: never[]) => {
    const response = await view(request, ...rest);
    exempt.add(response);
    return response;
  };
  return wrapsView(wrapper as unknown as F, view);
}
