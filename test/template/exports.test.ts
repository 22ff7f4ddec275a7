/** The public surface of tsgi/template and tsgi/staticfiles, by package name, so it never drifts silently. */
import { test } from 'node:test';
import assert from 'node:assert/strict';

test('tsgi/template exports', async () => {
  const mod = await import('tsgi/template');
  assert.deepEqual(Object.keys(mod).sort(), [
    'ContentNotRenderedError',
    'Context',
    'DjangoTemplates',
    'Engine',
    'FilterExpression',
    'Library',
    'Node',
    'NodeList',
    'Origin',
    'RequestContext',
    'SafeString',
    'Template',
    'TemplateDoesNotExist',
    'TemplateResponse',
    'TemplateSyntaxError',
    'Variable',
    'VariableDoesNotExist',
    'checkTemplates',
    'contextProcessors',
    'engines',
    'escapeHtml',
    'getEngine',
    'getTemplate',
    'makeContext',
    'markSafe',
    'registerTemplateChecks',
    'render',
    'renderErrorTemplate',
    'renderToString',
    'resetEngines',
    'selectTemplate',
  ]);
});

test('tsgi/staticfiles exports', async () => {
  const mod = await import('tsgi/staticfiles');
  assert.deepEqual(Object.keys(mod).sort(), [
    'AppDirectoriesFinder',
    'CommandCancelled',
    'DEFAULT_IGNORE_PATTERNS',
    'FileSystemFinder',
    'ManifestStaticFilesStorage',
    'MissingManifestEntry',
    'StaticFileIndex',
    'StaticFileResponse',
    'StaticFilesMiddleware',
    'StaticFilesStorage',
    'StaticServing',
    'checkStaticManifest',
    'checkStaticfiles',
    'collectstatic',
    'find',
    'getFinders',
    'planStaticResponse',
    'registerStaticfilesChecks',
    'resetFinders',
    'serve',
    'serveFromFinders',
    'static',
    'staticFilesHandler',
    'staticPatterns',
    'staticUrl',
    'staticfilesStorage',
    'staticfilesUrlpatterns',
  ]);
  assert.equal(mod.static, mod.staticUrl);
});
