/**
 * Context processors, as Django's `django.template.context_processors`: functions of the request
 * whose results every template rendered with a request sees. List them in
 * `TEMPLATES[].OPTIONS.contextProcessors` by dotted name (`'tsgi.template.context-processors.request'`).
 */
import { fromSettings, settings } from '../conf/index.ts';
import { importString, lazyModule } from '../utils/module-loading.ts';
import type * as Csrf from '../middleware/csrf.ts';
import { ImproperlyConfigured } from '../core/exceptions.ts';

/** A context processor: the request in, values for the template out. */
export type ContextProcessor = (request: object) => Record<string, unknown> | Promise<Record<string, unknown>>;

/** `{ request }`: the current request. */
export function request(req: object): Record<string, unknown> {
  return { request: req };
}

/**
 * `{ debug: true }` when DEBUG is on and the client's address is in INTERNAL_IPS, as Django;
 * nothing otherwise, so templates can't leak debug output to the public.
 */
export function debug(req: object): Record<string, unknown> {
  const { on, internal } = debugConf();
  if (!on) return {};
  const meta = (req as { META?: Record<string, unknown> }).META;
  if (typeof meta?.['REMOTE_ADDR'] === 'string' && internal.includes(meta['REMOTE_ADDR'])) return { debug: true };
  return {};
}

// Settings read once per settings change: the settings proxy costs on every read, and these run
// on every render with a request.
const debugConf = fromSettings(() => ({
  on: Boolean(settings.DEBUG),
  internal: (settings.INTERNAL_IPS ?? []) as readonly string[],
}));
const staticUrlConf = fromSettings(() => settings.STATIC_URL);
const mediaUrlConf = fromSettings(() => settings.MEDIA_URL);

/** `{ csrfToken }`, read lazily from the CSRF middleware's helper, for `{% csrf_token %}`. */
export function csrf(req: object): Record<string, unknown> {
  const token = new LazyCsrfToken(req, csrfMiddleware().getToken as (r: object) => string);
  return { csrfToken: token, csrf_token: token };
}

/**
 * The token, asked of the CSRF middleware only when a template uses it, as Django's lazy
 * `csrf_token`: asking is what sets the CSRF cookie, so a page without a form sends no
 * Set-Cookie (and stays cacheable). Prints, compares and measures as the string it stands for.
 */
export class LazyCsrfToken {
  readonly #req: object;
  readonly #getToken: (r: object) => string;
  #value: string | undefined;

  constructor(req: object, getToken: (r: object) => string) {
    this.#req = req;
    this.#getToken = getToken;
  }

  toString(): string {
    return (this.#value ??= this.#getToken(this.#req));
  }

  valueOf(): string {
    return this.toString();
  }

  toJSON(): string {
    return this.toString();
  }

  get length(): number {
    return this.toString().length;
  }
}

// The CSRF middleware, loaded by the first template that asks for a token. It is part of tsgi: a
// failure to load it is a bug to show, not "no CSRF".
const csrfMiddleware = lazyModule<typeof Csrf>(import.meta.url, '../middleware/csrf');

/** `{ STATIC_URL }`. */
export function static_(_req: object): Record<string, unknown> {
  return { STATIC_URL: staticUrlConf() };
}
export { static_ as static };

/** `{ MEDIA_URL }`. */
export function media(_req: object): Record<string, unknown> {
  return { MEDIA_URL: mediaUrlConf() };
}

/** Resolves TEMPLATES[].OPTIONS.contextProcessors entries to functions, with a clear error for a bad one. */
export function resolveContextProcessors(entries: ReadonlyArray<string | ContextProcessor>): ContextProcessor[] {
  return entries.map((entry) => {
    const fn = typeof entry === 'string' ? importString(entry) : entry;
    if (typeof fn !== 'function') {
      throw new ImproperlyConfigured(
        `The context processor ${JSON.stringify(String(entry))} is not a function. ` +
          `List functions of the request (or their dotted names) in TEMPLATES[].OPTIONS.contextProcessors.`,
      );
    }
    return fn as ContextProcessor;
  });
}
