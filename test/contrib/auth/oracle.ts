// Runs auth_oracle.py (Django 3.2 on Debian's python3-django, with python3-argon2) over a batch
// of operations and returns its answers in order. TZ=UTC: Django's token generator counts
// seconds in the server's local time, tsgi's in UTC.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { skipUnlessPresent } from '../../prerequisites.ts';

const PYTHON = '/usr/bin/python3';
const ORACLE = path.join(import.meta.dirname, 'auth_oracle.py');

export type OracleAnswer = { value: unknown } | { raises: string; message: string };

const probe = spawnSync(PYTHON, ['-c', 'import django, argon2; assert django.VERSION[:2] == (3, 2)'], {
  encoding: 'utf8',
});

/** The suite's `skip`: Django 3.2 and argon2-cffi are needed (in CI their absence fails: test/prerequisites.ts). */
export const djangoSkip = skipUnlessPresent(
  probe.status === 0
    ? undefined
    : 'needs Django 3.2 and argon2-cffi (apt-get install -y python3-django python3-argon2)',
);

/** Django's answers to `cases`, in order. */
export function oracle(cases: ReadonlyArray<Record<string, unknown>>): OracleAnswer[] {
  const run = spawnSync(PYTHON, [ORACLE], {
    input: JSON.stringify(cases),
    encoding: 'utf8',
    env: { ...process.env, TZ: 'UTC' },
    maxBuffer: 64 * 1024 * 1024,
  });
  if (run.status !== 0) throw new Error(`auth_oracle.py failed (${run.status}):\n${run.stderr}`);
  return JSON.parse(run.stdout) as OracleAnswer[];
}

/** The value of an answer; fails when Django raised. */
export function value(answer: OracleAnswer | undefined): unknown {
  if (answer === undefined || !('value' in answer)) throw new Error(`Django raised: ${JSON.stringify(answer)}`);
  return answer.value;
}
