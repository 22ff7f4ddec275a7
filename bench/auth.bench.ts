/**
 * Login throughput (docs/performance.md, "## Logins"): one login per request (authenticate(),
 * the hash check, login(): a new session key, the session saved, lastLogin written), for each
 * hasher of the stored password, against the framework's hello and bare node:http in the same
 * run; then the cost of one hash check of each hasher, in this process, to show that the hasher
 * is the limit: logins per second per core ≈ 1 / (hash time + the rest of a login).
 *
 *   bash bench/run.sh auth
 */
import path from 'node:path';
import { settings } from 'tsgi/conf';
import {
  Argon2PasswordHasher,
  MD5PasswordHasher,
  PBKDF2PasswordHasher,
  ScryptPasswordHasher,
} from 'tsgi/contrib/auth/hashers';
import {
  compareWithBaseline,
  environmentLines,
  markdownTable,
  nodeBin,
  ratio,
  repoRoot,
  type BenchCase,
} from './lib/index.ts';
import { BENCH_PASSWORD } from './auth.app.ts';

const app = path.join(repoRoot, 'bench/auth.app.ts');
const server = (hasher: string) => ({ command: [nodeBin, app], env: { HASHER: hasher } });
// Four connections for the logins: node's thread pool hashes four at a time, and 32 waiting
// logins of 100 ms and more would run into wrk's 2 s timeout instead of being measured.
const login = {
  path: `/login/?p=${encodeURIComponent(BENCH_PASSWORD)}`,
  expect: { body: 'logged in' },
  wrk: { connections: 4 },
};
const cases: BenchCase[] = [
  {
    name: 'framework hello (auth app, no login)',
    ...server('md5'),
    path: '/hello/',
    expect: { body: 'Hello, world!' },
  },
  { name: 'login, MD5 (no hash cost: the rest of a login)', ...server('md5'), ...login },
  { name: 'login, PBKDF2-SHA256 260,000 iterations (default)', ...server('pbkdf2'), ...login },
  { name: 'login, scrypt N=2^14 r=8 p=1', ...server('scrypt'), ...login },
  // One connection: a hash takes several hundred ms, and four at once overrun wrk's 2 s timeout.
  { name: 'login, Argon2id m=100 MiB t=2 p=8', ...server('argon2'), ...login, wrk: { connections: 1 } },
];

const comparison = await compareWithBaseline(cases);

// One hash check at a time, in this process: the hasher's own cost.
settings.configure({ SECRET_KEY: 'auth-bench' });
const hashers = [
  ['MD5', new MD5PasswordHasher()],
  ['PBKDF2-SHA256 260,000', new PBKDF2PasswordHasher()],
  ['scrypt N=2^14 r=8 p=1', new ScryptPasswordHasher()],
  ['Argon2id m=100 MiB t=2 p=8', new Argon2PasswordHasher()],
] as const;
const costs: string[] = [];
for (const [name, hasher] of hashers) {
  const encoded = await hasher.encode(BENCH_PASSWORD, hasher.salt());
  await hasher.verify(BENCH_PASSWORD, encoded);
  const runs = name === 'MD5' ? 2000 : 10;
  const start = process.hrtime.bigint();
  const cpuStart = process.cpuUsage();
  for (let i = 0; i < runs; i++) await hasher.verify(BENCH_PASSWORD, encoded);
  const wallMs = Number(process.hrtime.bigint() - start) / 1e6 / runs;
  const cpu = process.cpuUsage(cpuStart);
  const cpuMs = (cpu.user + cpu.system) / 1000 / runs;
  costs.push(`| ${name} | ${wallMs.toFixed(wallMs < 1 ? 3 : 1)} | ${cpuMs.toFixed(cpuMs < 1 ? 3 : 1)} |`);
}

console.log(environmentLines().join('\n'));
console.log(`rounds (req/s): ${JSON.stringify(comparison.rounds)}; reported: ${comparison.pick} round`);
console.log(`wrk command: ${comparison.baseline.command.replace(/:\d+\//, ':PORT/')}`);
console.log('');
console.log(markdownTable(comparison));
console.log('');
for (const result of comparison.results) {
  console.log(`${result.name} / node:http = ${ratio(result, comparison.baseline).toFixed(4)}`);
}
console.log('');
console.log('| hasher | one verify(), wall ms | CPU ms |');
console.log('|---|---:|---:|');
console.log(costs.join('\n'));
