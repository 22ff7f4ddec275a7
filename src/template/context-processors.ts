/**
 * Context processors, as Django's `django.template.context_processors`: functions of the request
 * whose results every template rendered with a request sees. List them in
 * `TEMPLATES[].OPTIONS.contextProcessors` by dotted name (`'tsgi.template.context-processors.request'`).
 */
import { createRequire } from 'node:module';
import { fromSettings, settings } from '../conf/index.ts';
import { importString, OWN_EXTENSION } from '../utils/module-loading.ts';
import { ImproperlyConfigured } from '../core/exceptions.ts';

const require = createRequire(import.meta.url);

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
  const token = new LazyCsrfToken(req, csrfGetToken());
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

// The CSRF middleware's getToken, required once (it imports the template layer through the
// handler, so not at the top) and kept: require() of an ES module goes through the module loader
// on every call. It is part of tsgi: a failure to load it is a bug to show, not "no CSRF".
let csrfGetTokenFn: ((r: object) => string) | undefined;
function csrfGetToken(): (r: object) => string {
  return (csrfGetTokenFn ??= (require(`../middleware/csrf${OWN_EXTENSION}`) as { getToken: (r: object) => string })
    .getToken);
}

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
