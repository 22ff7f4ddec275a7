/**
 * The oldest Node.js that runs tsgi, and the one sentence that says so to a user on an older one.
 *
 * tsgi and its projects are TypeScript run by Node's own type stripping, on by default from Node
 * 22.18 (and from 23.6 on the 23 line). An older Node fails with "Unknown file extension .ts" or
 * "does not provide an export named 'enableCompileCache'", which names neither version. This
 * module imports nothing and uses no syntax newer than Node 14, so the `tsgi` command can import
 * it statically and check before it loads anything an old Node lacks.
 */

/** The oldest Node.js release line tsgi supports, as package.json's `engines` says (`>=22.18`). */
export const MINIMUM_NODE = '22.18';

/** Whether `version` (`process.versions.node`, "22.18.0") strips TypeScript types by default. */
export function nodeSupported(version: string): boolean {
  const [major = 0, minor = 0] = version.split('.').map(Number);
  return major > 23 || (major === 23 && minor >= 6) || (major === 22 && minor >= 18);
}

/**
 * Why this Node.js cannot run tsgi, as one sentence naming the version found and the version
 * needed, or `undefined` when it can.
 *
 * @example
 * const problem = nodeVersionProblem();
 * if (problem) process.stderr.write(problem + '\n');
 * // tsgi needs Node.js 22.18 or later, but this is Node.js 20.20.2 (/usr/bin/node): install a
 * // current LTS from https://nodejs.org, or put a newer node first on PATH.
 */
export function nodeVersionProblem(
  version: string = process.versions.node,
  execPath: string = process.execPath,
): string | undefined {
  if (nodeSupported(version)) return undefined;
  const needed = version.startsWith('23.')
    ? `${MINIMUM_NODE} or later (23.6 or later on the 23 line)`
    : `${MINIMUM_NODE} or later`;
  return (
    `tsgi needs Node.js ${needed}, but this is Node.js ${version} (${execPath}): ` +
    'install a current LTS from https://nodejs.org, or put a newer node first on PATH.'
  );
}
