/**
 * Deployment security checks, with Django's ids (`security.W001` ...) so that a Django user's
 * `SILENCED_SYSTEM_CHECKS` and searches carry over. Run by `manage.ts check --deploy`.
 */
import { settings } from '../../conf/index.ts';
import { CheckMessage, ERROR, WARNING } from './messages.ts';
import { register, Tags } from './registry.ts';

const SECRET_KEY_INSECURE_PREFIX = 'tsgi-insecure-';
const SECRET_KEY_MIN_LENGTH = 50;
const SECRET_KEY_MIN_UNIQUE_CHARACTERS = 5;

/** The values `Referrer-Policy` accepts (W3C Referrer Policy §3). */
export const REFERRER_POLICY_VALUES = new Set([
  'no-referrer',
  'no-referrer-when-downgrade',
  'origin',
  'origin-when-cross-origin',
  'same-origin',
  'strict-origin',
  'strict-origin-when-cross-origin',
  'unsafe-url',
]);

/** The values `Cross-Origin-Opener-Policy` accepts (HTML §7.1.3). */
export const CROSS_ORIGIN_OPENER_POLICY_VALUES = new Set(['same-origin', 'same-origin-allow-popups', 'unsafe-none']);

const get = <T>(name: string, fallback: T): T => {
  const value = (settings as unknown as Record<string, unknown>)[name];
  return (value === undefined ? fallback : value) as T;
};

/** Whether MIDDLEWARE has the named class, given as a dotted string or as the class itself. */
function hasMiddleware(className: string): boolean {
  return get<unknown[]>('MIDDLEWARE', []).some((entry) =>
    typeof entry === 'string'
      ? entry.split('.').pop() === className
      : typeof entry === 'function' && entry.name === className,
  );
}

const W = (id: string, msg: string, hint?: string) => new CheckMessage(WARNING, msg, { id: `security.${id}`, hint });

/** True when a secret key is too weak to protect signatures and tokens. */
export function isWeakSecretKey(key: unknown): boolean {
  if (typeof key !== 'string') return true;
  return (
    key.length < SECRET_KEY_MIN_LENGTH ||
    new Set(key).size < SECRET_KEY_MIN_UNIQUE_CHARACTERS ||
    key.startsWith(SECRET_KEY_INSECURE_PREFIX)
  );
}

export function checkSecurityMiddleware(): CheckMessage[] {
  return hasMiddleware('SecurityMiddleware')
    ? []
    : [
        W(
          'W001',
          "You do not have 'tsgi.middleware.security.SecurityMiddleware' in your MIDDLEWARE so the SECURE_HSTS_SECONDS, SECURE_CONTENT_TYPE_NOSNIFF, SECURE_REFERRER_POLICY, SECURE_CROSS_ORIGIN_OPENER_POLICY, and SECURE_SSL_REDIRECT settings will have no effect.",
        ),
      ];
}

export function checkXFrameOptionsMiddleware(): CheckMessage[] {
  return hasMiddleware('XFrameOptionsMiddleware')
    ? []
    : [
        W(
          'W002',
          "You do not have 'tsgi.middleware.clickjacking.XFrameOptionsMiddleware' in your MIDDLEWARE, so your pages will not be served with an 'x-frame-options' header. Unless there is a good reason for your site to be served in a frame, you should consider enabling this header to help prevent clickjacking attacks.",
        ),
      ];
}

export function checkCsrfMiddleware(): CheckMessage[] {
  return hasMiddleware('CsrfViewMiddleware')
    ? []
    : [
        W(
          'W003',
          "You don't appear to be using tsgi's built-in cross-site request forgery protection via the middleware ('tsgi.middleware.csrf.CsrfViewMiddleware' is not in your MIDDLEWARE). Enabling the middleware is the safest approach to ensure you don't leave any holes.",
        ),
      ];
}

export function checkStsHeader(): CheckMessage[] {
  return hasMiddleware('SecurityMiddleware') && !get('SECURE_HSTS_SECONDS', 0)
    ? [
        W(
          'W004',
          'You have not set a value for the SECURE_HSTS_SECONDS setting. If your entire site is served only over SSL, you may want to consider setting a value and enabling HTTP Strict Transport Security. Be sure to read the documentation first; enabling HSTS carelessly can cause serious, irreversible problems.',
        ),
      ]
    : [];
}

export function checkStsIncludeSubdomains(): CheckMessage[] {
  return hasMiddleware('SecurityMiddleware') &&
    get('SECURE_HSTS_SECONDS', 0) &&
    !get('SECURE_HSTS_INCLUDE_SUBDOMAINS', false)
    ? [
        W(
          'W005',
          'You have not set the SECURE_HSTS_INCLUDE_SUBDOMAINS setting to true. Without this, your site is potentially vulnerable to attack via an insecure connection to a subdomain. Only set this to true if you are certain that all subdomains of your domain should be served exclusively via SSL.',
        ),
      ]
    : [];
}

export function checkStsPreload(): CheckMessage[] {
  return hasMiddleware('SecurityMiddleware') && get('SECURE_HSTS_SECONDS', 0) && !get('SECURE_HSTS_PRELOAD', false)
    ? [
        W(
          'W021',
          'You have not set the SECURE_HSTS_PRELOAD setting to true. Without this, your site cannot be submitted to the browser preload list.',
        ),
      ]
    : [];
}

export function checkContentTypeNosniff(): CheckMessage[] {
  return hasMiddleware('SecurityMiddleware') && get<boolean>('SECURE_CONTENT_TYPE_NOSNIFF', true) !== true
    ? [
        W(
          'W006',
          "Your SECURE_CONTENT_TYPE_NOSNIFF setting is not set to true, so your pages will not be served with an 'X-Content-Type-Options: nosniff' header. You should consider enabling this header to prevent the browser from identifying content types incorrectly.",
        ),
      ]
    : [];
}

export function checkSslRedirect(): CheckMessage[] {
  return hasMiddleware('SecurityMiddleware') && get<boolean>('SECURE_SSL_REDIRECT', false) !== true
    ? [
        W(
          'W008',
          'Your SECURE_SSL_REDIRECT setting is not set to true. Unless your site should be available over both SSL and non-SSL connections, you may want to either set this setting true or configure a load balancer or reverse-proxy server to redirect all connections to HTTPS.',
        ),
      ]
    : [];
}

export function checkSecretKey(): CheckMessage[] {
  let key: unknown;
  try {
    key = get('SECRET_KEY', '');
  } catch {
    key = '';
  }
  return isWeakSecretKey(key)
    ? [
        W(
          'W009',
          `Your SECRET_KEY has less than ${SECRET_KEY_MIN_LENGTH} characters, less than ${SECRET_KEY_MIN_UNIQUE_CHARACTERS} unique characters, or it's prefixed with '${SECRET_KEY_INSECURE_PREFIX}' indicating that it was generated automatically by tsgi. Please generate a long and random value, otherwise many of tsgi's security-critical features will be vulnerable to attack.`,
        ),
      ]
    : [];
}

export function checkSecretKeyFallbacks(): CheckMessage[] {
  return get<unknown[]>('SECRET_KEY_FALLBACKS', []).flatMap((key, index) =>
    isWeakSecretKey(key)
      ? [
          W(
            'W025',
            `Your SECRET_KEY_FALLBACKS[${index}] has less than ${SECRET_KEY_MIN_LENGTH} characters, less than ${SECRET_KEY_MIN_UNIQUE_CHARACTERS} unique characters, or it's prefixed with '${SECRET_KEY_INSECURE_PREFIX}' indicating that it was generated automatically by tsgi. Please generate a long and random value, otherwise many of tsgi's security-critical features will be vulnerable to attack.`,
          ),
        ]
      : [],
  );
}

export function checkCsrfCookieSecure(): CheckMessage[] {
  return hasMiddleware('CsrfViewMiddleware') &&
    !get('CSRF_USE_SESSIONS', false) &&
    get<boolean>('CSRF_COOKIE_SECURE', false) !== true
    ? [
        W(
          'W016',
          "You have 'tsgi.middleware.csrf.CsrfViewMiddleware' in your MIDDLEWARE, but you have not set CSRF_COOKIE_SECURE to true. Using a secure-only CSRF cookie makes it more difficult for network traffic sniffers to steal the CSRF token.",
        ),
      ]
    : [];
}

const sessionsApp = () => get<unknown[]>('INSTALLED_APPS', []).includes('tsgi.contrib.sessions');
const sessionCookieSecure = (m: string) =>
  m +
  ' Using a secure-only session cookie makes it more difficult for network traffic sniffers to hijack user sessions.';
const sessionCookieHttpOnly = (m: string) =>
  m +
  ' Using an HttpOnly session cookie makes it more difficult for cross-site scripting attacks to hijack user sessions.';

/** W010/W011/W012: the session cookie should be Secure when sessions are used (Django's ids and texts). */
export function checkSessionCookieSecure(): CheckMessage[] {
  if (get('SESSION_COOKIE_SECURE', false)) return [];
  const app = sessionsApp();
  const middleware = hasMiddleware('SessionMiddleware');
  if (app && middleware) return [W('W012', sessionCookieSecure('SESSION_COOKIE_SECURE is not set to true.'))];
  if (app)
    return [
      W(
        'W010',
        sessionCookieSecure(
          "You have 'tsgi.contrib.sessions' in your INSTALLED_APPS, but you have not set SESSION_COOKIE_SECURE to true.",
        ),
      ),
    ];
  if (middleware)
    return [
      W(
        'W011',
        sessionCookieSecure(
          "You have 'tsgi.contrib.sessions.middleware.SessionMiddleware' in your MIDDLEWARE, but you have not set SESSION_COOKIE_SECURE to true.",
        ),
      ),
    ];
  return [];
}

/** W013/W014/W015: the session cookie should be HttpOnly when sessions are used. */
export function checkSessionCookieHttpOnly(): CheckMessage[] {
  if (get('SESSION_COOKIE_HTTPONLY', true)) return [];
  const app = sessionsApp();
  const middleware = hasMiddleware('SessionMiddleware');
  if (app && middleware) return [W('W015', sessionCookieHttpOnly('SESSION_COOKIE_HTTPONLY is not set to true.'))];
  if (app)
    return [
      W(
        'W013',
        sessionCookieHttpOnly(
          "You have 'tsgi.contrib.sessions' in your INSTALLED_APPS, but you have not set SESSION_COOKIE_HTTPONLY to true.",
        ),
      ),
    ];
  if (middleware)
    return [
      W(
        'W014',
        sessionCookieHttpOnly(
          "You have 'tsgi.contrib.sessions.middleware.SessionMiddleware' in your MIDDLEWARE, but you have not set SESSION_COOKIE_HTTPONLY to true.",
        ),
      ),
    ];
  return [];
}

export function checkDebug(): CheckMessage[] {
  return get('DEBUG', false) ? [W('W018', 'You should not have DEBUG set to true in deployment.')] : [];
}

export function checkXFrameDeny(): CheckMessage[] {
  return hasMiddleware('XFrameOptionsMiddleware') && get('X_FRAME_OPTIONS', 'DENY') !== 'DENY'
    ? [
        W(
          'W019',
          "You have 'tsgi.middleware.clickjacking.XFrameOptionsMiddleware' in your MIDDLEWARE, but X_FRAME_OPTIONS is not set to 'DENY'. Unless there is a good reason for your site to serve other parts of itself in a frame, you should change it to 'DENY'.",
        ),
      ]
    : [];
}

export function checkAllowedHosts(): CheckMessage[] {
  return get<unknown[]>('ALLOWED_HOSTS', []).length === 0
    ? [W('W020', 'ALLOWED_HOSTS must not be empty in deployment.')]
    : [];
}

export function checkReferrerPolicy(): CheckMessage[] {
  if (!hasMiddleware('SecurityMiddleware')) return [];
  const policy = get<string | string[] | null>('SECURE_REFERRER_POLICY', 'same-origin');
  if (policy === null || policy === '') {
    return [
      W(
        'W022',
        'You have not set the SECURE_REFERRER_POLICY setting. Without this, your site will not send a Referrer-Policy header. You should consider enabling this header to protect user privacy.',
      ),
    ];
  }
  const values = typeof policy === 'string' ? policy.split(',').map((v) => v.trim()) : policy;
  const bad = values.filter((v) => !REFERRER_POLICY_VALUES.has(v));
  return bad.length
    ? [
        new CheckMessage(
          ERROR,
          `You have set the SECURE_REFERRER_POLICY setting to an invalid value: ${bad.map((v) => `'${v}'`).join(', ')}.`,
          {
            id: 'security.E023',
            hint: `Valid values are: ${[...REFERRER_POLICY_VALUES].join(', ')}.`,
          },
        ),
      ]
    : [];
}

export function checkCrossOriginOpenerPolicy(): CheckMessage[] {
  const policy = get<string | null>('SECURE_CROSS_ORIGIN_OPENER_POLICY', 'same-origin');
  return hasMiddleware('SecurityMiddleware') && policy !== null && !CROSS_ORIGIN_OPENER_POLICY_VALUES.has(policy)
    ? [
        new CheckMessage(
          ERROR,
          `You have set the SECURE_CROSS_ORIGIN_OPENER_POLICY setting to an invalid value: '${policy}'.`,
          {
            id: 'security.E024',
            hint: `Valid values are: ${[...CROSS_ORIGIN_OPENER_POLICY_VALUES].join(', ')}.`,
          },
        ),
      ]
    : [];
}

/** Registers every check above as a deployment check tagged `security`. */
export function registerSecurityChecks(): void {
  for (const check of [
    checkSecurityMiddleware,
    checkXFrameOptionsMiddleware,
    checkCsrfMiddleware,
    checkStsHeader,
    checkStsIncludeSubdomains,
    checkContentTypeNosniff,
    checkSslRedirect,
    checkSecretKey,
    checkSecretKeyFallbacks,
    checkSessionCookieSecure,
    checkSessionCookieHttpOnly,
    checkCsrfCookieSecure,
    checkDebug,
    checkXFrameDeny,
    checkAllowedHosts,
    checkStsPreload,
    checkReferrerPolicy,
    checkCrossOriginOpenerPolicy,
  ])
    register(check, [Tags.security], { deploy: true });
}
