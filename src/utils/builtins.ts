/**
 * Node built-ins that only some requests need, loaded on first use rather than when the framework
 * is imported: an ESM import of node:crypto costs ~7 ms of every cold start (its two dozen
 * internal modules), node:util ~3 ms (building its namespace runs lazy getters), node:fs/promises
 * ~2 ms (it loads readline and the stream machinery), and a request that never signs, hashes,
 * compresses, spools or sends a file should not pay for them
 * (docs/performance.md, Framework, start-up).
 *
 * @example
 * const { randomInt } = nodeCrypto();
 */
import type * as Crypto from 'node:crypto';
import type * as FsPromises from 'node:fs/promises';
import type * as Util from 'node:util';
import type * as Zlib from 'node:zlib';

let crypto: typeof Crypto | undefined;
let util: typeof Util | undefined;
let zlib: typeof Zlib | undefined;
let fsPromises: typeof FsPromises | undefined;

/** node:crypto, loaded on the first call. */
export function nodeCrypto(): typeof Crypto {
  return (crypto ??= process.getBuiltinModule('node:crypto'));
}

/** node:util, loaded on the first call. */
export function nodeUtil(): typeof Util {
  return (util ??= process.getBuiltinModule('node:util'));
}

/** node:zlib, loaded on the first call. */
export function nodeZlib(): typeof Zlib {
  return (zlib ??= process.getBuiltinModule('node:zlib'));
}

/** node:fs/promises, loaded on the first call. */
export function nodeFsPromises(): typeof FsPromises {
  return (fsPromises ??= process.getBuiltinModule('node:fs/promises'));
}
