/**
 * Plays gunicorn's request corpus (test/fixtures/gunicorn-requests, format in its README) against
 * a server over TCP and judges each answer, as the corpus intends:
 *
 * - an invalid case passes unless some response to it is 2xx ("rejected-400", "closed" when the
 *   server hung up without a word, "no-response" when it stayed silent);
 * - a valid case passes when each request it sends gets a complete 2xx answer whose JSON echo
 *   (`{ method, path, query, uri, version, headers, body_base64 }`, as test/server/fixtures/apps/
 *   echo.ts writes it) has the expected method, path and query (the raw target for an
 *   authority-form one), version and body, and every expected header with the same value
 *   (names in any case; extra headers, order and a value found only inside a comma-joined one
 *   are not failures).
 *
 * One fresh connection per case, the bytes in one write; the answer is read until the server
 * closes, or the expected responses are complete and a short grace passes, or nothing arrives
 * for a while.
 */
import { connect } from 'node:net';
import { readFileSync } from 'node:fs';
import path from 'node:path';

export const CORPUS = path.resolve(import.meta.dirname, '../fixtures/gunicorn-requests');

/** The request as gunicorn parses it. */
export interface ExpectedRequest {
  method: string;
  uri: string;
  target_form: 'origin' | 'absolute' | 'authority' | 'asterisk';
  path: string;
  query: string;
  version: string;
  headers: Array<[string, string]>;
  body_base64: string;
}

export interface CorpusCase {
  suite: 'valid' | 'invalid';
  id: string;
  raw_base64: string;
  config?: Record<string, unknown>;
  http11_without_host?: boolean;
  caveat?: string;
  expect: ExpectedRequest & { error?: string };
  expect_pipelined?: ExpectedRequest[];
}

export interface Judgement {
  /** `valid/001`. */
  case: string;
  pass: boolean;
  /** `pass`, `fail`, `rejected-<status>`, `other-<status>`, `accepted-<status>`, `closed`, `no-response`. */
  outcome: string;
  /** Why a valid case failed. */
  failures: string[];
}

/** The cases of one suite of the corpus. */
export function loadCorpus(suite: 'valid' | 'invalid'): CorpusCase[] {
  const cases = JSON.parse(readFileSync(path.join(CORPUS, `${suite}.json`), 'utf8')) as Omit<CorpusCase, 'suite'>[];
  return cases.map((c) => ({ ...c, suite }));
}

interface Response {
  status: number;
  headers: Map<string, string>;
  body: Buffer;
  complete: boolean;
}

/** The responses in `bytes` (1xx interim ones left out); `ended`: no more bytes will come. */
function parseResponses(bytes: Buffer, ended: boolean): Response[] {
  const out: Response[] = [];
  let at = 0;
  while (at < bytes.length) {
    const headEnd = bytes.indexOf('\r\n\r\n', at);
    if (headEnd < 0) break;
    const [statusLine, ...fields] = bytes.subarray(at, headEnd).toString('latin1').split('\r\n');
    const match = /^HTTP\/1\.[01] (\d{3})/.exec(statusLine!);
    if (!match) break;
    const status = Number(match[1]);
    const headers = new Map<string, string>();
    for (const field of fields) {
      const colon = field.indexOf(':');
      if (colon > 0) headers.set(field.slice(0, colon).trim().toLowerCase(), field.slice(colon + 1).trim());
    }
    let start = headEnd + 4;
    if (status >= 100 && status < 200) {
      at = start;
      continue;
    }
    const length = headers.get('content-length');
    let body: Buffer;
    let complete: boolean;
    if (status === 204 || status === 304) {
      [body, complete] = [Buffer.alloc(0), true];
    } else if (/chunked\s*$/i.test(headers.get('transfer-encoding') ?? '')) {
      const chunks: Buffer[] = [];
      complete = false;
      for (;;) {
        const lineEnd = bytes.indexOf('\r\n', start);
        if (lineEnd < 0) break;
        const size = parseInt(bytes.subarray(start, lineEnd).toString('latin1'), 16);
        if (!(size >= 0)) break;
        if (size === 0) {
          // The last chunk, then the trailer section up to an empty line.
          const end = bytes.indexOf('\r\n\r\n', lineEnd);
          complete = end >= 0;
          start = end + 4;
          break;
        }
        if (bytes.length < lineEnd + 2 + size + 2) break;
        chunks.push(bytes.subarray(lineEnd + 2, lineEnd + 2 + size));
        start = lineEnd + 2 + size + 2;
      }
      body = Buffer.concat(chunks);
      if (!complete) start = bytes.length;
    } else if (length !== undefined && /^\d+$/.test(length)) {
      const end = start + Number(length);
      complete = bytes.length >= end;
      body = bytes.subarray(start, Math.min(end, bytes.length));
      start = Math.min(end, bytes.length);
    } else {
      // Delimited by the end of the connection.
      [body, complete] = [bytes.subarray(start), ended];
      start = bytes.length;
    }
    out.push({ status, headers, body, complete });
    if (!complete) break;
    at = start;
  }
  return out;
}

interface Exchange {
  bytes: Buffer;
  /** `closed` (the server closed or reset), `complete` (all expected answers arrived), `silent`. */
  end: 'closed' | 'complete' | 'silent';
}

const QUIET_MS = 2000;
const GRACE_MS = 250;
const MAX_MS = 15_000;

/** Sends `raw` on a new connection and reads the answer. */
function exchange(port: number, raw: Buffer, expected: number): Promise<Exchange> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = connect({ host: '127.0.0.1', port, allowHalfOpen: true });
    let quiet: NodeJS.Timeout | undefined;
    let grace: NodeJS.Timeout | undefined;
    let connected = false;
    const finish = (end: Exchange['end']) => {
      clearTimeout(quiet);
      clearTimeout(grace);
      clearTimeout(max);
      socket.destroy();
      resolve({ bytes: Buffer.concat(chunks), end });
    };
    const max = setTimeout(() => finish('silent'), MAX_MS);
    const armQuiet = () => {
      clearTimeout(quiet);
      quiet = setTimeout(() => finish('silent'), QUIET_MS);
    };
    socket.once('connect', () => {
      connected = true;
      socket.write(raw);
      armQuiet();
    });
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      armQuiet();
      clearTimeout(grace);
      if (parseResponses(Buffer.concat(chunks), false).filter((r) => r.complete).length >= expected) {
        grace = setTimeout(() => finish('complete'), GRACE_MS);
      }
    });
    socket.once('end', () => finish('closed'));
    socket.once('close', () => finish('closed'));
    socket.on('error', (error) => {
      if (!connected) {
        clearTimeout(max);
        reject(new Error(`cannot connect to 127.0.0.1:${port}: ${error.message}`));
      } else finish('closed');
    });
  });
}

/** What a valid request's echo differs in, as sentences (none when it matches). */
function differences(expected: ExpectedRequest, response: Response | undefined, label: string): string[] {
  if (response === undefined) return [`${label}no response`];
  if (response.status < 200 || response.status > 299) return [`${label}status ${response.status}`];
  if (!response.complete) return [`${label}an incomplete response`];
  let echo: {
    method?: unknown;
    path?: unknown;
    query?: unknown;
    uri?: unknown;
    version?: unknown;
    headers?: unknown;
    body_base64?: unknown;
  };
  try {
    echo = JSON.parse(response.body.toString('utf8')) as typeof echo;
  } catch {
    return [`${label}a body that is not JSON`];
  }
  const out: string[] = [];
  const differ = (what: string, got: unknown, want: unknown) => {
    if (got !== want) out.push(`${label}${what} ${JSON.stringify(got)}, expected ${JSON.stringify(want)}`);
  };
  differ('method', echo.method, expected.method);
  if (expected.target_form === 'authority') {
    differ('target', echo.uri ?? echo.path, expected.uri);
  } else {
    differ('path', echo.path, expected.path);
    differ('query', echo.query ?? '', expected.query);
  }
  if (echo.version !== undefined) differ('version', String(echo.version), expected.version);
  const body = Buffer.from(String(echo.body_base64 ?? ''), 'base64');
  if (!body.equals(Buffer.from(expected.body_base64, 'base64'))) out.push(`${label}a body of ${body.length} bytes`);
  const got = Array.isArray(echo.headers) ? (echo.headers as Array<[string, string]>) : [];
  for (const [name, value] of expected.headers) {
    const same = got.filter(([n]) => n.toLowerCase() === name.toLowerCase()).map(([, v]) => v);
    const found = same.includes(value) || same.some((v) => v.split(/[ \t]*,[ \t]*/).includes(value));
    if (!found) out.push(`${label}header ${name} ${JSON.stringify(same)}, expected ${JSON.stringify(value)}`);
  }
  return out;
}

/** Plays one case against the server on `port` and judges the answer. */
export async function playCase(port: number, c: CorpusCase): Promise<Judgement> {
  const requests = c.suite === 'valid' ? [c.expect, ...(c.expect_pipelined ?? [])] : [];
  const { bytes, end } = await exchange(port, Buffer.from(c.raw_base64, 'base64'), Math.max(1, requests.length));
  const responses = parseResponses(bytes, end === 'closed');
  const name = `${c.suite}/${c.id}`;
  if (c.suite === 'invalid') {
    const statuses = responses.map((r) => r.status);
    const accepted = statuses.find((s) => s >= 200 && s <= 299);
    const refused = statuses.find((s) => s >= 400);
    const outcome =
      accepted !== undefined
        ? `accepted-${accepted}`
        : refused !== undefined
          ? `rejected-${refused}`
          : statuses.length > 0
            ? `other-${statuses[0]}`
            : end === 'closed'
              ? 'closed'
              : 'no-response';
    return { case: name, pass: accepted === undefined, outcome, failures: [] };
  }
  const failures = requests.flatMap((request, n) =>
    differences(request, responses[n], n === 0 ? '' : `request ${n + 1}: `),
  );
  return { case: name, pass: failures.length === 0, outcome: failures.length === 0 ? 'pass' : 'fail', failures };
}

/** Plays `cases` (a few connections at a time) and returns the judgements by case name. */
export async function playCorpus(port: number, cases: readonly CorpusCase[]): Promise<Map<string, Judgement>> {
  const results = new Map<string, Judgement>();
  const queue = [...cases];
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      for (let c = queue.shift(); c !== undefined; c = queue.shift()) {
        const judgement = await playCase(port, c);
        results.set(judgement.case, judgement);
      }
    }),
  );
  return results;
}
