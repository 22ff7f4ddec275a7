/**
 * gunicorn's own request corpus (test/fixtures/gunicorn-requests) played against `tsgi serve` and
 * an environ-echo application by test/server/corpus-player.ts. Cases that need a gunicorn setting
 * run with the matching flags.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { skipUnlessPresent } from '../prerequisites.ts';
import { CORPUS, loadCorpus, playCorpus, type CorpusCase, type Judgement } from './corpus-player.ts';
import { serve, type Served } from './helpers.ts';

const present = existsSync(path.join(CORPUS, 'valid.json')) && existsSync(path.join(CORPUS, 'invalid.json'));
const skip = skipUnlessPresent(present ? undefined : `gunicorn's request corpus is missing from ${CORPUS}`);

const started: Served[] = [];
after(async () => {
  await Promise.all(started.map((s) => s.stop(3000)));
});

async function start(flags: string[]): Promise<Served> {
  const s = await serve(['apps.echo', ...flags]);
  started.push(s);
  return s;
}

const failing = (results: Map<string, Judgement>) =>
  [...results.values()]
    .filter((r) => !r.pass)
    .map((r) => r.case)
    .sort();
const outcomes = (results: Map<string, Judgement>) =>
  [...results.values()]
    .filter((r) => !r.pass)
    .map((r) => `${r.case}: ${r.outcome} ${r.failures.join('; ')}`)
    .join('\n');

/**
 * Valid cases refused on purpose: llhttp (node's parser) rejects raw UTF-8 bytes in the target
 * (027) and methods outside its list (031, `-BLARGH`); a gateway cannot change that without
 * replacing the parser. Both are also HTTP/1.1 without Host.
 */
const LLHTTP_REFUSES = ['valid/027', 'valid/031'];

/**
 * Given a Host, still refused by llhttp on purpose: `Transfer-Encoding: identity` with
 * Content-Length (009, HPE_INVALID_CONTENT_LENGTH) and whitespace around `;` in chunk extensions
 * (013, HPE_STRICT), which RFC 9112 §7.1.1 allows; and the method `-BLARGH` (031).
 */
const LLHTTP_REFUSES_WITH_HOST = ['valid/009', 'valid/013', 'valid/031'];

describe("gunicorn's request corpus against tsgi serve", { skip }, () => {
  const valid = present ? loadCorpus('valid') : [];
  const invalid = present ? loadCorpus('invalid') : [];
  // valid/099 announces more body than it sends: a server over a socket waits for the rest.
  const playable = (c: CorpusCase) => c.caveat === undefined;

  test('default settings: every invalid request refused; valid ones parsed, except HTTP/1.1 without Host (RFC 9112 §3.2)', async () => {
    const s = await start([]);
    const results = await playCorpus(
      s.port,
      [...valid, ...invalid].filter((c) => !c.config && playable(c)),
    );
    const withoutHost = valid.filter((c) => c.http11_without_host && !c.config).map((c) => `valid/${c.id}`);
    const expected = [...new Set([...withoutHost, ...LLHTTP_REFUSES])].sort();
    assert.deepEqual(failing(results), expected);
    assert.equal([...results.keys()].filter((name) => name.startsWith('invalid/')).length, 63);
    // The ten node:http accepts (README) are among the refused, for their own defect.
    for (const id of [
      '006',
      '007',
      '008',
      '009',
      '041',
      '042',
      'chunked_05',
      'rfc9110_trailer_forbidden_host_01',
      'rfc9112_target_asterisk_non_options_01',
      'version_02',
    ]) {
      assert.match(results.get(`invalid/${id}`)!.outcome, /^rejected-(400|414|431|505)$/, id);
    }
  });

  test('the valid requests without Host, given a Host header, are parsed as gunicorn parses them', async () => {
    // Same bytes with "Host: corpus.example" after the request line: proves the parse, not the Host rule.
    const cases = valid
      .filter((c) => c.http11_without_host && !c.config && !c.expect_pipelined && playable(c))
      .map((c) => {
        const raw = Buffer.from(c.raw_base64, 'base64');
        const eol = raw.indexOf('\r\n');
        const bytes = Buffer.concat([
          raw.subarray(0, eol + 2),
          Buffer.from('Host: corpus.example\r\n'),
          raw.subarray(eol + 2),
        ]);
        const headers: Array<[string, string]> = [['HOST', 'corpus.example'], ...c.expect.headers];
        return { ...c, raw_base64: bytes.toString('base64'), expect: { ...c.expect, headers } };
      });
    const s = await start([]);
    const results = await playCorpus(s.port, cases);
    assert.ok(results.size >= 15, `only ${results.size} cases`);
    assert.deepEqual(failing(results), LLHTTP_REFUSES_WITH_HOST, outcomes(results));
  });

  // gunicorn setting → our flags. Settings without a counterpart are deliberate differences:
  // obs-fold, PROXY protocol, unconventional methods and spaces before ":" are all refused by
  // llhttp, and header_map=dangerous is not offered (the gateway always drops "_" names, spec §3.2).
  const flagsFor = (config: Record<string, unknown>, suite: string): string[] | null => {
    const flags: string[] = [];
    for (const [k, v] of Object.entries(config)) {
      if (k === 'limit_request_line') flags.push('--limit-request-line', String(v));
      else if (k === 'limit_request_field_size') flags.push('--limit-request-field-size', String(v));
      else if (k === 'limit_request_fields') flags.push('--limit-request-fields', String(v));
      else if (k === 'forwarded_allow_ips') flags.push('--forwarded-allow-ips', String(v));
      else if (k === 'header_map' && v !== 'dangerous') flags.push('--header-map', String(v));
      else if (k === 'permit_obsolete_folding' && suite === 'invalid')
        continue; // llhttp refuses obs-fold; the case's limit applies too
      else return null;
    }
    return flags;
  };

  test('cases that need a setting, run with the matching flags', async () => {
    const all = [...valid, ...invalid];
    const groups = new Map<string, CorpusCase[]>();
    const unsupported: string[] = [];
    for (const c of all) {
      if (!c.config || !playable(c)) continue;
      const flags = flagsFor(c.config, c.suite);
      if (flags === null) {
        unsupported.push(`${c.suite}/${c.id}`);
        continue;
      }
      const key = JSON.stringify(flags);
      groups.set(key, [...(groups.get(key) ?? []), c]);
    }
    const results = new Map<string, Judgement>();
    await Promise.all(
      [...groups].map(async ([key, cases]) => {
        const s = await start(JSON.parse(key) as string[]);
        for (const [name, r] of await playCorpus(s.port, cases)) results.set(name, r);
      }),
    );
    assert.equal(results.size, [...groups.values()].flat().length);
    // valid/024 and 026 raise the limits and pass; every invalid config case is refused, except
    // none. (invalid/013's obs-fold is refused by llhttp as well as by the limit.)
    assert.deepEqual(failing(results), [], outcomes(results));
    assert.deepEqual(unsupported.sort(), [
      'invalid/pp_01',
      'invalid/pp_02',
      'invalid/pp_03',
      'valid/028',
      'valid/031compat',
      'valid/031compat2',
      'valid/040_compat',
      'valid/compat_obs_fold',
      'valid/compat_obs_fold_huge',
      'valid/pp_01',
      'valid/pp_02',
      'valid/pp_03',
      'valid/pp_04',
      'valid/pp_05',
    ]);
  });

  test('the PROXY-protocol invalid cases are refused without the setting too', async () => {
    const s = await start([]);
    const results = await playCorpus(
      s.port,
      invalid.filter((c) => ['pp_01', 'pp_02', 'pp_03'].includes(c.id)),
    );
    assert.equal(results.size, 3);
    assert.deepEqual(failing(results), []);
  });
});
