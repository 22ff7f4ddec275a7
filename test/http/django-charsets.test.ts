// Differential test against Django 3.2 (Debian's python3-django, /usr/bin/python3): the same
// form bodies and query strings, with the charsets browsers and old clients send, are parsed by
// Django's WSGIRequest (test/http/fixtures/django_request.py) and by tsgi's; POST, GET and the
// request encoding must be identical. Django 3.2 decodes an urlencoded body with the charset of
// its Content-Type (Python's codecs: latin-1 maps every byte to itself, windows-1252 leaves five
// bytes undefined); an undecodable body falls back to ISO-8859-1, bad percent-escapes to U+FFFD.
// Skipped when Django is not installed; in CI (CI=true) that is a failure (test/prerequisites.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { skipUnlessPresent } from '../prerequisites.ts';
import path from 'node:path';
import { settings } from '../../src/conf/index.ts';
import { buildTestEnviron } from '../../src/gateway/testing.ts';
import { loadedRequest } from './helpers.ts';

const PYTHON = '/usr/bin/python3';
const hasDjango = spawnSync(PYTHON, ['-c', 'import django'], { encoding: 'utf8' }).status === 0;
const skip = skipUnlessPresent(hasDjango ? undefined : 'Django is not installed (apt-get install -y python3-django)');
const oracle = path.join(import.meta.dirname, 'fixtures', 'django_request.py');

interface Case {
  contentType: string;
  body: Buffer;
  query?: Buffer;
  method?: string;
}

const FORM = 'application/x-www-form-urlencoded';
const latin1Bytes = Buffer.from([0x61, 0x3d, 0xe9, 0x80, 0x81, 0xff, 0x26, 0x62, 0x3d, 0x9d, 0x8d]); // a=é..ÿ&b=..
const escapes = Buffer.from('a=%E9%80%81%FF&b=%9D%8d+x&c=%C3%A9&d=%zz%&e=%41%42&%E9=k');
const utf8 = Buffer.from('name=Zoë&city=Zürich&e=%C3%A9&split=%C3&bad=\xff', 'latin1');
const query = Buffer.from('q=%E9t%E9&r=%C3%A9&s=caf\xe9', 'latin1');

const charsets = [
  'latin-1',
  'iso-8859-1',
  'ISO-8859-1',
  'latin1',
  'l1',
  'iso_8859_1',
  'cp819',
  'windows-1252',
  'cp1252',
  'Windows_1252',
  'ascii',
  'us-ascii',
  'utf-8',
  'UTF8',
  'utf_8',
  'koi8-r',
  'iso-8859-2',
  'shift_jis',
  'utf-16',
  'utf-16be',
  'bogus',
  '',
];

const cases: Case[] = [];
for (const charset of charsets) {
  const type = charset === '' ? FORM : `${FORM}; charset=${charset}`;
  for (const body of [latin1Bytes, escapes, utf8]) cases.push({ contentType: type, body, query });
}
// Not a POST, or not a form: POST stays empty, GET still follows the charset.
cases.push({ contentType: `${FORM}; charset=latin-1`, body: escapes, query, method: 'PUT' });
cases.push({ contentType: 'text/plain; charset=windows-1252', body: escapes, query });
cases.push({ contentType: `${FORM}; charset="windows-1252"`, body: escapes });

interface Answer {
  encoding: string | null;
  POST: Array<[string, string[]]> | { error: string };
  GET: Array<[string, string[]]> | { error: string };
}

function djangoAnswers(): Answer[] {
  const input = JSON.stringify(
    cases.map((c) => ({
      contentType: c.contentType,
      body: c.body.toString('base64'),
      query: (c.query ?? Buffer.alloc(0)).toString('base64'),
      method: c.method ?? 'POST',
    })),
  );
  const run = spawnSync(PYTHON, [oracle], { input, encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`the Django oracle failed: ${run.stderr}`);
  return JSON.parse(run.stdout) as Answer[];
}

async function tsgiAnswer(c: Case): Promise<Answer> {
  const environ = buildTestEnviron({
    method: c.method ?? 'POST',
    path: '/',
    headers: { 'Content-Type': c.contentType },
    body: c.body,
  });
  environ.QUERY_STRING = (c.query ?? Buffer.alloc(0)).toString('latin1');
  const request = await loadedRequest(environ);
  const answer: Answer = { encoding: request.encoding, POST: [], GET: [] };
  for (const name of ['POST', 'GET'] as const) {
    try {
      answer[name] = request[name].lists();
    } catch (error) {
      answer[name] = { error: (error as Error).name };
    }
  }
  return answer;
}

test('urlencoded bodies and query strings in every charset: tsgi parses them as Django 3.2', { skip }, async () => {
  settings.configure({ ALLOWED_HOSTS: ['*'] });
  const expected = djangoAnswers();
  assert.equal(expected.length, cases.length);
  for (const [i, c] of cases.entries()) {
    const label = `${c.method ?? 'POST'} ${c.contentType} ${JSON.stringify(c.body.toString('latin1'))}`;
    assert.deepEqual(await tsgiAnswer(c), expected[i], label);
  }
});
