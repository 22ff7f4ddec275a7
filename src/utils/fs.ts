/**
 * Questions to the file system that answer no instead of throwing: a missing path, a file on
 * the way (ENOTDIR) or one that cannot be read (EACCES) all mean "not here".
 */
// Not an ESM import: building node:fs's namespace runs its lazy getters (fs/promises, readline,
// streams), ~3.5 ms of every cold start (docs/performance.md, Framework, start-up).
const { statSync } = process.getBuiltinModule('node:fs');

/** Whether `file` is a file (following links); no exception for a missing one. */
export function isFile(file: string): boolean {
  try {
    return statSync(file, { throwIfNoEntry: false })?.isFile() ?? false;
  } catch {
    return false;
  }
}

/** Whether `dir` is a folder (following links); no exception for a missing one. */
export function isDirectory(dir: string): boolean {
  try {
    return statSync(dir, { throwIfNoEntry: false })?.isDirectory() ?? false;
  } catch {
    return false;
  }
}
