/** docs/settings.md is generated from global-settings.ts: every setting documented, the file current. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { declaredSettings, renderSettingsDoc } from '../../src/conf/settings-doc.ts';
import { globalSettings } from '../../src/conf/global-settings.ts';

test('every declared setting has a default and a description', () => {
  const declared = declaredSettings();
  assert.ok(declared.length > 50, `only ${declared.length} settings parsed from global-settings.ts`);
  for (const s of declared) {
    if (s.name !== 'SETTINGS_MODULE')
      assert.ok(s.name in globalSettings, `${s.name} is declared in Settings but has no default in globalSettings`);
    assert.notEqual(s.doc, '', `${s.name} has no JSDoc in the Settings interface: describe it there`);
  }
  for (const name of Object.keys(globalSettings))
    assert.ok(
      declared.some((s) => s.name === name),
      `${name} has a default but is not declared in Settings`,
    );
});

test('docs/settings.md is up to date (run npm run docs:settings)', () => {
  const committed = readFileSync(new URL('../../docs/settings.md', import.meta.url), 'utf8');
  assert.equal(committed, renderSettingsDoc());
});

test('the parser reads one-line and multi-line JSDoc', () => {
  const source =
    'export interface Settings {\n  /** One line. */\n  A: boolean;\n  /**\n   * Two\n   * lines.\n   */\n  B_C?: string | null;\n  [setting: string]: unknown;\n}\n';
  assert.deepEqual(declaredSettings(source), [
    { name: 'A', type: 'boolean', doc: 'One line.' },
    { name: 'B_C', type: 'string | null', doc: 'Two lines.' },
  ]);
});
