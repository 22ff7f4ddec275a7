/**
 * examples/markup was made by `tsgi startproject markup`: regenerate it and fail if the example
 * drifted from the template. The entry points stay verbatim; settings.ts may grow (more apps)
 * but keeps every line of the template, in order, except the secret key and the contrib apps'
 * lines (markup, as the seed's, runs without them).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT, tempDir, tsgi } from './helpers.ts';

const MARKUP = path.join(REPO_ROOT, 'examples', 'markup');
let tmp: ReturnType<typeof tempDir>;
let generated: string;

before(async () => {
  tmp = tempDir();
  const result = await tsgi(['startproject', 'markup'], { cwd: tmp.dir });
  assert.equal(result.code, 0, result.stderr);
  generated = path.join(tmp.dir, 'markup');
});
after(() => tmp.remove());

for (const file of ['manage.ts', 'markup/wsgi.ts', 'tsconfig.json', '.gitignore']) {
  test(`examples/markup/${file} is the template's, verbatim`, () => {
    assert.equal(
      readFileSync(path.join(MARKUP, file), 'utf8'),
      readFileSync(path.join(generated, file), 'utf8'),
      `examples/markup/${file} differs from what 'tsgi startproject markup' writes: change the template in src/core/management/templates/ and the example together.`,
    );
  });
}

/**
 * The template's lines markup leaves out on purpose: the contrib apps (auth, sessions, messages),
 * their middleware and context processors, and the password validators. The seed's markup is
 * Django's default stack minus what needs a database (as its Django 3.2 reference project).
 */
function withoutContrib(lines: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (lines[i]!.startsWith('/** Password validation')) {
      while (lines[i] !== '];') i++;
      i++; // the blank line after the block
      continue;
    }
    if (!lines[i]!.includes("'tsgi.contrib.")) out.push(lines[i]!);
  }
  return out;
}

test("examples/markup/markup/settings.ts keeps every line of the template's, in order", () => {
  const ignore = (line: string) => /SECRET_KEY = |^ \* Settings of the markup project/.test(line);
  const template = withoutContrib(readFileSync(path.join(generated, 'markup/settings.ts'), 'utf8').split('\n')).filter(
    (l) => !ignore(l),
  );
  const example = readFileSync(path.join(MARKUP, 'markup/settings.ts'), 'utf8').split('\n');
  let at = 0;
  for (const line of template) {
    const found = example.indexOf(line, at);
    assert.ok(
      found >= 0,
      `examples/markup/markup/settings.ts lost the template line ${JSON.stringify(line)} (or has it out of order).`,
    );
    at = found + 1;
  }
});
