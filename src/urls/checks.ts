/**
 * URL system checks, as Django's `django.core.checks.urls`: problems in a URLconf that do not
 * stop it from loading but will surprise its author. Ids are Django's, so a Django user can
 * search for them and silence them with `SILENCED_SYSTEM_CHECKS`.
 */
import { settings } from '../conf/index.ts';
import { Error_, Warning } from '../core/checks/messages.ts';
import type { CheckMessage } from '../core/checks/messages.ts';
import { register, Tags } from '../core/checks/registry.ts';
import { getResolver } from './base.ts';
import { RegexPattern, RoutePattern } from './patterns.ts';
import type { UrlPatternShape } from './patterns.ts';
import { URLPattern, URLResolver } from './resolvers.ts';
import type { Urlconf } from './resolvers.ts';
import { describe } from '../gateway/describe.ts';

function readSetting(name: 'APPEND_SLASH' | 'ROOT_URLCONF' | 'STATIC_URL' | 'MEDIA_URL'): unknown {
  return (settings as unknown as Record<string, unknown>)[name];
}

function checkPattern(pattern: UrlPatternShape, isEndpoint: boolean): CheckMessage[] {
  const out: CheckMessage[] = [];
  const text = String(pattern);
  if (readSetting('APPEND_SLASH') !== false && /^(\/|\^\/|\^\\\/)/.test(text) && !text.endsWith('/')) {
    out.push(
      Warning(
        `Your URL pattern ${pattern.describe()} has a route beginning with a '/'. Remove this slash as it is unnecessary. ` +
          `If this pattern is targeted in an include(), ensure the include() pattern has a trailing '/'.`,
        { id: 'urls.W002', obj: pattern.describe() },
      ),
    );
  }
  if (pattern instanceof RegexPattern && !isEndpoint && text.endsWith('$') && !text.endsWith('\\$')) {
    out.push(
      Warning(
        `Your URL pattern ${pattern.describe()} uses include with a route ending with a '$'. ` +
          `Remove the dollar from the route to avoid problems including URLs.`,
        { id: 'urls.W001', obj: pattern.describe() },
      ),
    );
  }
  if (pattern instanceof RoutePattern) {
    let open = 0;
    for (const c of text) {
      if (c === '<') open++;
      else if (c === '>') {
        open--;
        if (open < 0) {
          out.push(unmatched(pattern, '>'));
          open = 0;
        }
      }
    }
    if (open > 0) out.push(unmatched(pattern, '<'));
  }
  return out;
}

function unmatched(pattern: UrlPatternShape, bracket: string): CheckMessage {
  return Warning(
    `Your URL pattern ${pattern.describe()} has an unmatched '${bracket}' bracket. ` +
      `Write parameters as <converter:name>, with both brackets.`,
    { id: 'urls.W010', obj: pattern.describe() },
  );
}

/** Checks one entry of `urlpatterns`, and an include's patterns recursively. */
export function checkResolver(entry: unknown): CheckMessage[] {
  if (entry instanceof URLPattern) {
    const out: CheckMessage[] = [];
    if (entry.pattern.name !== undefined && entry.pattern.name.includes(':')) {
      out.push(
        Warning(
          `Your URL pattern ${entry.pattern.describe()} has a name including a ':'. Remove the colon, to avoid ambiguous namespace references.`,
          { id: 'urls.W003', obj: entry.pattern.describe() },
        ),
      );
    }
    out.push(...checkPattern(entry.pattern, true));
    return out;
  }
  if (entry instanceof URLResolver) {
    const out: CheckMessage[] = [];
    let patterns: readonly unknown[];
    try {
      patterns = entry.urlPatterns;
    } catch (error) {
      return [Error_((error as Error).message, { id: 'urls.E004' })];
    }
    for (const p of patterns) out.push(...checkResolver(p));
    return out.length ? out : checkPattern(entry.pattern, false);
  }
  return [
    Error_(
      `Your URL pattern, ${describe(entry)}, is invalid. Ensure that urlpatterns is a list of path() and/or rePath() instances.`,
      { id: 'urls.E004', hint: 'Try removing the string, or wrap it in path(), rePath() or include().' },
    ),
  ];
}

function allNamespaces(resolver: URLResolver, parents: readonly string[]): string[] {
  let patterns: readonly unknown[];
  try {
    patterns = resolver.urlPatterns;
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const p of patterns)
    if (p instanceof URLResolver && p.namespace !== undefined) out.push([...parents, p.namespace].join(':'));
  for (const p of patterns) {
    if (p instanceof URLResolver)
      out.push(...allNamespaces(p, p.namespace !== undefined ? [...parents, p.namespace] : parents));
  }
  return out;
}

/**
 * The URL checks for a URLconf (by default `ROOT_URLCONF`): invalid entries (urls.E004), a
 * leading '/' (urls.W002), an include ending in '$' (urls.W001), a ':' in a name (urls.W003),
 * non-unique namespaces (urls.W005), unmatched '<'/'>' (urls.W010), error handlers that do not
 * load (urls.E008) or take too many arguments (urls.E007), and `STATIC_URL` / `MEDIA_URL`
 * without a trailing slash (urls.E006).
 *
 * @example
 * for (const m of checkUrlConfig()) console.log(String(m));
 */
export function checkUrlConfig(urlconf?: Urlconf): CheckMessage[] {
  const out: CheckMessage[] = [];
  for (const name of ['STATIC_URL', 'MEDIA_URL'] as const) {
    const value = readSetting(name);
    if (typeof value === 'string' && value !== '' && !value.endsWith('/')) {
      out.push(Error_(`The ${name} setting must end with a slash. Change it to '${value}/'.`, { id: 'urls.E006' }));
    }
  }
  const conf = urlconf ?? (readSetting('ROOT_URLCONF') as Urlconf | null);
  if (!conf) return out;
  const resolver = getResolver(conf);
  try {
    void resolver.urlPatterns;
  } catch (error) {
    // One message: the handler and namespace checks would only repeat the same load error.
    out.push(Error_((error as Error).message, { id: 'urls.E004' }));
    return out;
  }
  out.push(...checkResolver(resolver));
  try {
    out.push(...checkErrorHandlers(resolver));
  } catch (error) {
    out.push(Error_((error as Error).message, { id: 'urls.E004' }));
  }
  const counts = new Map<string, number>();
  for (const ns of allNamespaces(resolver, [])) counts.set(ns, (counts.get(ns) ?? 0) + 1);
  for (const [ns, count] of counts) {
    if (count > 1) {
      out.push(
        Warning(
          `URL namespace '${ns}' isn't unique. You may not be able to reverse all URLs in this namespace. ` +
            `Give each include() of the same URLconf its own namespace.`,
          { id: 'urls.W005' },
        ),
      );
    }
  }
  return out;
}

/**
 * urls.E008 / urls.E007: the URLconf's `handler400/403/404/500` must load and accept the
 * arguments the handler passes: `(request, exception)`, or `(request)` for 500.
 */
function checkErrorHandlers(resolver: URLResolver): CheckMessage[] {
  const out: CheckMessage[] = [];
  for (const [status, count] of [
    [400, 2],
    [403, 2],
    [404, 2],
    [500, 1],
  ] as const) {
    let handler: ((...args: never[]) => unknown) | undefined;
    try {
      handler = resolver.resolveErrorHandler(status);
    } catch (error) {
      out.push(Error_((error as Error).message, { id: 'urls.E008' }));
      continue;
    }
    if (handler !== undefined && handler.length > count) {
      out.push(
        Error_(
          `The custom handler${status} view '${handler.name || '(anonymous)'}' does not take the correct number of arguments ` +
            `(${count === 2 ? 'request, exception' : 'request'}). It declares ${handler.length}; accept at most ${count}.`,
          { id: 'urls.E007' },
        ),
      );
    }
  }
  return out;
}

/**
 * Registers `checkUrlConfig` with the system check registry under the `urls` tag (once). The
 * management `check` command registers the URL checks itself; call this only when running the
 * registry by other means.
 */
export function registerUrlChecks(): void {
  register(urlsCheck, [Tags.urls]);
}

function urlsCheck(): CheckMessage[] {
  return checkUrlConfig();
}
