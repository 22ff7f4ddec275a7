/**
 * `collectstatic`, as Django's management command of that name: copies every file the finders
 * know into STATIC_ROOT (the first finder to have a path wins), then lets the storage post-process
 * them (hashed names and a manifest with ManifestStaticFilesStorage). manage.ts wraps it.
 */
import { readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline/promises';
import { ImproperlyConfigured } from '../core/exceptions.ts';
import { CommandError } from '../core/management/base.ts';
import { copyFileAtomic } from '../core/files/storage.ts';
import { getFinders, DEFAULT_IGNORE_PATTERNS, type BaseFinder } from './finders.ts';
import { staticfilesStorage, ManifestStaticFilesStorage, type StaticFilesStorage } from './storage.ts';

/** Where collectstatic writes its report; a TTY gets a progress bar. */
export interface OutputStream {
  write(text: string): unknown;
  isTTY?: boolean;
}

export interface CollectstaticOptions {
  /** Delete the existing files in STATIC_ROOT first (`--clear`). */
  clear?: boolean;
  /** Report what would be done, change nothing (`--dry-run`). */
  dryRun?: boolean;
  /** Ask before overwriting (`--noinput` sets false). Default false for the function; manage.ts passes true. */
  interactive?: boolean;
  /** Answers the confirmation question; default: `prompt`, else a prompt on stdin. */
  confirm?: (question: string) => Promise<boolean>;
  /** Reads the user's answer (manage.ts passes its own); "yes" confirms. */
  prompt?: (question: string) => Promise<string>;
  /** 0 silent, 1 summary (default), 2 every file. */
  verbosity?: number;
  /** Extra shell-style patterns to skip (`--ignore`). */
  ignorePatterns?: readonly string[];
  /** Apply Django's defaults `CVS`, `.*`, `*~` (default true; `--no-default-ignore` sets false). */
  useDefaultIgnorePatterns?: boolean;
  /** Run the storage's post-processing (default true; `--no-post-process` sets false). */
  postProcess?: boolean;
  stdout?: OutputStream;
  stderr?: OutputStream;
  /** Storage and finders, for tests and tools; default: the configured ones. */
  storage?: StaticFilesStorage;
  finders?: readonly BaseFinder[];
}

/** What collectstatic did. */
export interface CollectstaticResult {
  copied: string[];
  unmodified: string[];
  postProcessed: string[];
  deleted: string[];
  warnings: string[];
  /** The one-line summary printed at the end. */
  summary: string;
}

/** The user did not answer "yes" to the confirmation question (a CommandError: manage.ts prints it and exits 1). */
export class CommandCancelled extends CommandError {
  override name = 'CommandCancelled';
}

async function promptOnStdin(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    return (await rl.question(question)).trim().toLowerCase() === 'yes';
  } finally {
    rl.close();
  }
}

function progressBar(out: OutputStream, done: number, total: number): void {
  const width = 30;
  const filled = total === 0 ? width : Math.round((done / total) * width);
  out.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}`);
}

/**
 * Gathers static files into STATIC_ROOT.
 *
 * @example
 * const result = await collectstatic({ clear: true });
 * console.log(result.summary); // "12 static files copied to '/srv/app/staticfiles', 12 post-processed."
 */
export async function collectstatic(options: CollectstaticOptions = {}): Promise<CollectstaticResult> {
  const storage = options.storage ?? staticfilesStorage();
  const finders = options.finders ?? getFinders();
  const verbosity = options.verbosity ?? 1;
  const out: OutputStream = options.stdout ?? { write: () => true };
  const err: OutputStream = options.stderr ?? out;
  const dryRun = options.dryRun ?? false;
  const root = storage.location;
  const result: CollectstaticResult = {
    copied: [],
    unmodified: [],
    postProcessed: [],
    deleted: [],
    warnings: [],
    summary: '',
  };

  if (options.interactive) {
    const what = options.clear ? 'This will DELETE ALL FILES in this location!' : 'This will overwrite existing files!';
    const question =
      `\nYou have requested to collect static files at the destination location as specified in your settings:\n\n    ${root}\n\n` +
      `${what}\nAre you sure you want to do this?\n\nType 'yes' to continue, or 'no' to cancel: `;
    const prompt = options.prompt;
    const confirm =
      options.confirm ??
      (prompt ? async (q: string) => (await prompt(q)).trim().toLowerCase() === 'yes' : promptOnStdin);
    const ok = await confirm(question);
    if (!ok) throw new CommandCancelled('Collecting static files cancelled.');
  }

  if (options.clear) {
    result.deleted = await clearDirectory(root, dryRun);
    if (verbosity >= 2)
      for (const f of result.deleted) out.write(`${dryRun ? 'Pretending to delete' : 'Deleting'} '${f}'\n`);
  }

  const ignore = [
    ...((options.useDefaultIgnorePatterns ?? true) ? DEFAULT_IGNORE_PATTERNS : []),
    ...(options.ignorePatterns ?? []),
  ];
  const found = new Map<string, string>();
  for (const finder of finders) {
    for (const file of finder.list(ignore)) {
      if (found.has(file.path)) {
        if (verbosity >= 1) {
          const warning = `Found another file with the destination path '${file.path}'. It will be ignored since only the first encountered file is collected. If this is not what you want, make sure every static file has a unique path.`;
          result.warnings.push(warning);
        }
        continue;
      }
      found.set(file.path, file.source);
    }
  }
  if (root === path.parse(root).root)
    throw new ImproperlyConfigured(`STATIC_ROOT is the file system root (${root}). Point it at a dedicated folder.`);

  const tty = out.isTTY === true && verbosity >= 1;
  let done = 0;
  for (const [rel, source] of found) {
    const target = storage.path(rel);
    // After --clear nothing is left to compare with (also when only pretending to clear).
    const copy = options.clear ? true : await isNewer(source, target);
    if (copy) {
      if (!dryRun) await copyFileAtomic(source, target);
      result.copied.push(rel);
      if (verbosity >= 2) out.write(`${dryRun ? 'Pretending to copy' : 'Copying'} '${source}'\n`);
    } else {
      result.unmodified.push(rel);
      if (verbosity >= 2) out.write(`Skipping '${rel}' (not modified)\n`);
    }
    done++;
    if (tty) progressBar(out, done, found.size);
  }
  if (tty) out.write('\n');

  if ((options.postProcess ?? true) && storage instanceof ManifestStaticFilesStorage && !dryRun) {
    for (const item of await storage.postProcess([...found.keys()])) {
      result.postProcessed.push(item.name);
      if (item.warning) result.warnings.push(item.warning);
      if (verbosity >= 2) out.write(`Post-processed '${item.name}' as '${item.hashedName}'\n`);
    }
  }

  for (const warning of result.warnings) if (verbosity >= 1) err.write(`Warning: ${warning}\n`);
  const parts = [
    `${result.copied.length} static file${result.copied.length === 1 ? '' : 's'} ${dryRun ? 'would be copied' : 'copied'} to '${root}'`,
  ];
  if (result.unmodified.length) parts.push(`${result.unmodified.length} unmodified`);
  if (result.postProcessed.length) parts.push(`${result.postProcessed.length} post-processed`);
  result.summary = parts.join(', ') + '.';
  if (verbosity >= 1) out.write(`\n${result.summary}\n`);
  return result;
}

/** Whether `source` must be copied over `target` (missing, older or a different size). */
async function isNewer(source: string, target: string): Promise<boolean> {
  try {
    const [s, t] = await Promise.all([stat(source), stat(target)]);
    return !(t.mtimeMs >= s.mtimeMs && t.size === s.size);
  } catch {
    return true;
  }
}

/** Deletes everything inside `dir` (not `dir` itself), returning what went. */
async function clearDirectory(dir: string, dryRun: boolean): Promise<string[]> {
  let entries: string[];
  try {
    entries = await readdir(dir);
  } catch (error) {
    if ((error as { code?: string }).code === 'ENOENT') return [];
    throw error;
  }
  const deleted = entries.map((e) => path.join(dir, e));
  if (!dryRun) await Promise.all(deleted.map((p) => rm(p, { recursive: true, force: true })));
  return deleted;
}
