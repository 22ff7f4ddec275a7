/**
 * `FileResponse`, as Django's: streams a file with its Content-Length, a Content-Type guessed
 * from the name, and a Content-Disposition when it has a name or is an attachment. When it
 * wraps a file on disk it exposes `fileSource`, so the handler can hand it to
 * `wsgi.file_wrapper` (spec §5.5) and the server can send it with sendfile.
 */
import path from 'node:path';
import type { FileSource } from '../gateway/types.ts';
import { nodeFsPromises } from '../utils/builtins.ts';
import { StreamingHttpResponse } from './response.ts';
import type { ContentChunk, ResponseOptions } from './response.ts';
// Not an ESM import: building node:fs's namespace runs its lazy getters (fs/promises, readline,
// streams), ~3.5 ms of every cold start (docs/performance.md, Framework, start-up).
const { closeSync, fstatSync, read, statSync } = process.getBuiltinModule('node:fs');

/** Media types by extension, as Python's `mimetypes` (no charset parameter, as Django sends them). */
const MEDIA_TYPES: Record<string, string> = {
  '.html': 'text/html',
  '.htm': 'text/html',
  '.txt': 'text/plain',
  '.css': 'text/css',
  '.csv': 'text/csv',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.json': 'application/json',
  '.xml': 'application/xml',
  '.pdf': 'application/pdf',
  '.zip': 'application/zip',
  '.tar': 'application/x-tar',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.svg': 'image/svg+xml',
  '.webp': 'image/webp',
  '.ico': 'image/vnd.microsoft.icon',
  '.mp3': 'audio/mpeg',
  '.mp4': 'video/mp4',
  '.webm': 'video/webm',
  '.wasm': 'application/wasm',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.md': 'text/markdown',
};
/** Compressed files are sent as what they are, not what they contain (Django's encoding map). */
const ENCODINGS: Record<string, string> = {
  '.gz': 'application/gzip',
  '.tgz': 'application/gzip',
  '.bz2': 'application/x-bzip',
  '.xz': 'application/x-xz',
  '.br': 'application/x-brotli',
  '.z': 'application/x-compress',
};

/** The media type for a file name, `application/octet-stream` when unknown. */
export function guessMediaType(filename: string): string {
  const ext = path.extname(filename).toLowerCase();
  return ENCODINGS[ext] ?? MEDIA_TYPES[ext] ?? 'application/octet-stream';
}

/** Options of `FileResponse`. */
export interface FileResponseOptions extends ResponseOptions {
  /** Sends `Content-Disposition: attachment` so browsers download the file. */
  asAttachment?: boolean;
  /** The name given to the browser; the file's own name by default. */
  filename?: string;
  /** Bytes per chunk when the file is read by us rather than by the server. */
  blockSize?: number;
}

/** What a FileResponse can send: a path, an open file descriptor, or a stream of bytes. */
export type FileLike = string | number | AsyncIterable<ContentChunk> | Iterable<ContentChunk>;

function statFile(source: string | number): number {
  try {
    const stat = typeof source === 'number' ? fstatSync(source) : statSync(source);
    if (!stat.isFile()) throw Object.assign(new Error('not a regular file'), { code: 'ENOTFILE' });
    return stat.size;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const what = typeof source === 'number' ? `file descriptor ${source}` : `'${source}'`;
    const reason =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'ENOTFILE'
          ? 'it is not a regular file'
          : code === 'EBADF'
            ? 'it is not open'
            : String(code);
    throw new Error(`FileResponse cannot send ${what}: ${reason}.`, { cause: error });
  }
}

async function* readFile(source: string | number, blockSize: number): AsyncGenerator<Uint8Array> {
  const handle = typeof source === 'number' ? undefined : await nodeFsPromises().open(source, 'r');
  const fd = handle?.fd ?? (source as number);
  try {
    let position = 0;
    while (true) {
      const buffer = Buffer.allocUnsafe(blockSize);
      const bytesRead = await new Promise<number>((resolve, reject) =>
        read(fd, buffer, 0, blockSize, position, (error, n) => (error ? reject(error) : resolve(n))),
      );
      if (bytesRead === 0) return;
      position += bytesRead;
      yield buffer.subarray(0, bytesRead);
    }
  } finally {
    await handle?.close();
  }
}

/**
 * Streams a file.
 *
 * @example
 * return new FileResponse('/srv/reports/2024.pdf', { asAttachment: true });
 * return new FileResponse(fs.createReadStream(p), { filename: 'data.csv' });
 */
export class FileResponse extends StreamingHttpResponse {
  /** The file on disk, for `wsgi.file_wrapper`; undefined for a stream. */
  readonly fileSource: FileSource | undefined;
  readonly blockSize: number;
  readonly asAttachment: boolean;
  readonly filename: string;

  constructor(file: FileLike, options: FileResponseOptions = {}) {
    const { asAttachment = false, filename, blockSize = 64 * 1024, ...rest } = options;
    const explicitType = rest.contentType !== undefined || hasHeader(rest.headers, 'content-type');
    let size: number | undefined;
    let source: FileSource | undefined;
    let ownName = '';
    let content: AsyncIterable<ContentChunk> | Iterable<ContentChunk>;
    if (typeof file === 'string' || typeof file === 'number') {
      size = statFile(file);
      source = typeof file === 'string' ? { path: path.resolve(file) } : { fd: file };
      if (typeof file === 'string') ownName = file;
      content = {
        [Symbol.asyncIterator]: () => readFile(typeof file === 'string' ? path.resolve(file) : file, blockSize),
      };
    } else {
      const streamPath = (file as { path?: unknown }).path;
      if (typeof streamPath === 'string') {
        ownName = streamPath;
        if (path.isAbsolute(streamPath)) size = statFile(streamPath);
      }
      content = file;
    }
    super(content, {
      ...rest,
      contentType: rest.contentType ?? (explicitType ? undefined : 'application/octet-stream'),
    });
    this.fileSource = source;
    this.blockSize = blockSize;
    this.asAttachment = asAttachment;
    this.filename = filename ?? path.basename(ownName);
    if (size !== undefined) this.headers.set('Content-Length', size);
    if (!explicitType && ownName !== '') this.headers.set('Content-Type', guessMediaType(filename ?? ownName));
    if (this.filename !== '') {
      this.headers.set(
        'Content-Disposition',
        `${asAttachment ? 'attachment' : 'inline'}; ${filenameParameter(this.filename)}`,
      );
    } else if (asAttachment) {
      this.headers.set('Content-Disposition', 'attachment');
    }
    if (typeof file === 'number') this.addResourceCloser(() => closeSync(file));
    const destroyable = file as { destroy?: () => unknown };
    if (typeof file === 'object' && typeof destroyable.destroy === 'function')
      this.addResourceCloser(() => destroyable.destroy!());
  }
}

function hasHeader(headers: FileResponseOptions['headers'], name: string): boolean {
  if (headers === undefined) return false;
  const pairs =
    Symbol.iterator in headers ? [...(headers as Iterable<readonly [string, unknown]>)] : Object.entries(headers);
  return pairs.some(([key]) => key.toLowerCase() === name);
}

/** `filename="..."` for ASCII names, `filename*=utf-8''...` otherwise (RFC 6266 §4.3). */
export function filenameParameter(filename: string): string {
  if (/^[\x20-\x7e]*$/.test(filename)) return `filename="${filename.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
  return `filename*=utf-8''${encodeURIComponent(filename).replace(/['()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase())}`;
}
