// The public surface of tsgi/urls, tsgi/views and tsgi/shortcuts, imported through the package's
// own "exports" (self-reference), so that a renamed or dropped export fails here.
import { test } from 'node:test';
import assert from 'node:assert/strict';

const surfaces: Record<string, string[]> = {
  'tsgi/urls': [
    'path',
    'rePath',
    'include',
    'Included',
    'resolve',
    'reverse',
    'reverseLazy',
    'LazyUrl',
    'getResolver',
    'clearUrlCaches',
    'getScriptPrefix',
    'setScriptPrefix',
    'getUrlconf',
    'setUrlconf',
    'runWithUrlconf',
    'isValidPath',
    'registerConverter',
    'getConverter',
    'IntConverter',
    'StringConverter',
    'SlugConverter',
    'PathConverter',
    'UUIDConverter',
    'Resolver404',
    'NoReverseMatch',
    'ResolverMatch',
    'URLPattern',
    'URLResolver',
    'RoutePattern',
    'RegexPattern',
    'checkUrlConfig',
    'registerUrlChecks',
  ],
  'tsgi/views': [
    'View',
    'RedirectView',
    'TemplateView',
    'splitViewArguments',
    'requireHttpMethods',
    'requireGET',
    'requirePOST',
    'requireSafe',
    'wrapsView',
    'noAppendSlash',
    'condition',
    'etag',
    'lastModified',
    'cacheControl',
    'neverCache',
    'varyOnHeaders',
    'varyOnCookie',
  ],
  'tsgi/shortcuts': ['redirect', 'resolveUrl'],
};

for (const [specifier, names] of Object.entries(surfaces)) {
  test(`${specifier} exports ${names.length} names`, async () => {
    const mod = (await import(specifier)) as Record<string, unknown>;
    for (const name of names) assert.ok(mod[name] !== undefined, `${specifier} does not export ${name}`);
  });
}
