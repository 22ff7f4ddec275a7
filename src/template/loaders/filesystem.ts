/**
 * Loads templates from directories (`tsgi.template.loaders.filesystem.Loader`, Django's
 * filesystem loader): the engine's `dirs`, or those given. A name never leaves its directory:
 * `..`, absolute names and symlinks that point outside are refused.
 */
import path from 'node:path';
import { Origin } from '../nodes.ts';
import type { TemplateEngine } from '../template.ts';
import { BaseLoader, SourceNotFound } from './base.ts';

const { readFileSync, realpathSync } = process.getBuiltinModule('node:fs');

const OUTSIDE = 'Outside the template directory';

function isInside(dir: string, file: string): boolean {
  const rel = path.relative(dir, file);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}

/** An origin in a directory of the loader. */
class FileOrigin extends Origin {
  readonly directory: string;
  constructor(name: string, templateName: string, loader: unknown, directory: string) {
    super(name, templateName, loader);
    this.directory = directory;
  }
}

/**
 * @example
 * new Engine({ loaders: [['tsgi.template.loaders.filesystem.Loader', ['/srv/templates']]] });
 */
export class Loader extends BaseLoader {
  readonly dirs: readonly string[] | undefined;
  readonly #decoder: TextDecoder;

  constructor(
    engine: TemplateEngine & { readonly dirs?: readonly string[]; readonly fileCharset?: string },
    dirs?: readonly string[],
  ) {
    super(engine);
    this.dirs = dirs?.map((dir) => path.resolve(dir));
    this.#decoder = new TextDecoder(engine.fileCharset ?? 'utf-8', { fatal: true });
  }

  /** The directories searched, in order. */
  getDirs(): readonly string[] {
    return this.dirs ?? ((this.engine as { dirs?: readonly string[] }).dirs ?? []).map((dir) => path.resolve(dir));
  }

  *getTemplateSources(name: string): Iterable<Origin> {
    for (const dir of this.getDirs()) {
      yield new FileOrigin(path.resolve(dir, name), name, this, dir);
    }
  }

  getContents(origin: Origin): string {
    const dir = (origin as FileOrigin).directory;
    if (dir !== undefined && !isInside(dir, origin.name)) throw new SourceNotFound(OUTSIDE);
    let bytes: Uint8Array;
    try {
      bytes = readFileSync(origin.name);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'EISDIR' || code === 'ENOTDIR') throw new SourceNotFound();
      throw error;
    }
    // A symlink inside the directory that points elsewhere is refused, as `..` is.
    if (dir !== undefined) {
      try {
        if (!isInside(realpathSync(dir), realpathSync(origin.name))) throw new SourceNotFound(OUTSIDE);
      } catch (error) {
        if (error instanceof SourceNotFound) throw error;
        throw new SourceNotFound();
      }
    }
    return this.#decoder.decode(bytes);
  }
}
