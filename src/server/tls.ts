/**
 * Reading and checking --certfile and --keyfile. The master checks them before it forks (and
 * `--check-config` does), so that a missing file, a file that is not PEM or a key that does not
 * belong to the certificate stops the server at once with a sentence saying which file and what
 * to do, instead of workers that die at boot one after another. Each worker reads the files
 * again when it starts, so a reload (HUP) picks up a renewed certificate; a worker that cannot
 * exits with WORKER_BOOT_ERROR (a reload to bad files then keeps the old workers).
 * Loaded only when TLS is on: node:tls costs memory in every process that loads it.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createSecureContext } from 'node:tls';

/** A TLS file that cannot be used; the message names it and says how to fix it. */
export class TlsFileError extends Error {
  override name = 'TlsFileError';
}

const PLAIN_HTTP = 'or leave out --certfile and --keyfile to serve plain HTTP';

function read(file: string, flag: string, what: string): Buffer {
  const abs = path.resolve(file);
  let data: Buffer;
  try {
    data = readFileSync(abs);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'it does not exist'
        : code === 'EACCES'
          ? 'permission denied'
          : code === 'EISDIR'
            ? 'it is a directory'
            : (err as Error).message;
    throw new TlsFileError(
      `The TLS ${what} ${flag} ${abs} cannot be read: ${why}${code ? ` (${code})` : ''}. Fix the path or the file's permissions, ${PLAIN_HTTP}.`,
    );
  }
  if (!data.includes('-----BEGIN ')) {
    throw new TlsFileError(
      `The TLS ${what} ${flag} ${abs} is not in PEM format (${data.length === 0 ? 'the file is empty' : 'no "-----BEGIN" line'}). Give a PEM file (convert a DER one with openssl ${what === 'certificate' ? 'x509' : 'pkey'} -inform der -in FILE -out FILE.pem), ${PLAIN_HTTP}.`,
    );
  }
  return data;
}

/** OpenSSL's reason without its numeric prefix: "error:05800074:x509 certificate routines::key values mismatch" → "key values mismatch". */
function reason(err: unknown): string {
  const message = (err as Error)?.message ?? String(err);
  return message.replace(/^error:[0-9A-F]+:[^:]*::?/, '');
}

/**
 * Reads the certificate chain and private key, and checks that OpenSSL takes each and that the
 * key is the certificate's. Throws TlsFileError.
 *
 * @example
 * const { cert, key } = readTlsFiles(config.certfile, config.keyfile);
 */
export function readTlsFiles(certfile: string, keyfile: string): { cert: Buffer; key: Buffer } {
  const cert = read(certfile, '--certfile', 'certificate');
  const key = read(keyfile, '--keyfile', 'private key');
  try {
    createSecureContext({ cert });
  } catch (err) {
    throw new TlsFileError(
      `The TLS certificate --certfile ${path.resolve(certfile)} is not a valid PEM certificate (${reason(err)}). Give the certificate (chain) in PEM format, "-----BEGIN CERTIFICATE-----", ${PLAIN_HTTP}.`,
    );
  }
  try {
    createSecureContext({ key });
  } catch (err) {
    throw new TlsFileError(
      `The TLS private key --keyfile ${path.resolve(keyfile)} is not a valid PEM private key (${reason(err)}). Give an unencrypted private key in PEM format, "-----BEGIN PRIVATE KEY-----" (decrypt one with openssl pkey -in FILE -out FILE.pem), ${PLAIN_HTTP}.`,
    );
  }
  try {
    createSecureContext({ cert, key });
  } catch (err) {
    throw new TlsFileError(
      `The TLS private key --keyfile ${path.resolve(keyfile)} does not belong to the certificate --certfile ${path.resolve(certfile)} (${reason(err)}). Give the key the certificate was issued for.`,
    );
  }
  return { cert, key };
}
