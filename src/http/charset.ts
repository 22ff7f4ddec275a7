/**
 * Encoding text to bytes and back with a response's or request's charset. Node encodes only a
 * few charsets natively; anything else is refused with a clear error rather than sent wrongly.
 */

const ALIASES: Record<string, BufferEncoding> = {
  'utf-8': 'utf8',
  utf8: 'utf8',
  'iso-8859-1': 'latin1',
  'iso8859-1': 'latin1',
  latin1: 'latin1',
  'latin-1': 'latin1',
  'us-ascii': 'ascii',
  ascii: 'ascii',
  'utf-16le': 'utf16le',
  'utf-16': 'utf16le',
};

/** Encodes text with a charset. @throws TypeError for charsets Node cannot encode or unencodable text. */
export function encode(text: string, charset: string): Uint8Array {
  const encoding = ALIASES[charset.toLowerCase()];
  if (encoding === undefined) {
    throw new TypeError(
      `Cannot encode text as ${JSON.stringify(charset)}: tsgi encodes utf-8, iso-8859-1, us-ascii and utf-16le; ` +
        'pass bytes (a Uint8Array) for other charsets.',
    );
  }
  if (encoding === 'utf8') return Buffer.from(text, 'utf8');
  const limit = encoding === 'latin1' ? 0xff : encoding === 'ascii' ? 0x7f : Infinity;
  if (limit !== Infinity) {
    for (let i = 0; i < text.length; i++) {
      if (text.charCodeAt(i) > limit) {
        throw new TypeError(
          `Cannot encode ${JSON.stringify(text.slice(Math.max(0, i - 10), i + 10))} as ${charset}: ` +
            `the character ${JSON.stringify(text[i])} has no ${charset} form. Use utf-8.`,
        );
      }
    }
  }
  return Buffer.from(text, encoding);
}

/** Decodes bytes with a charset (any WHATWG label); invalid sequences become U+FFFD. */
export function decode(bytes: Uint8Array, charset: string): string {
  try {
    return new TextDecoder(charset).decode(bytes);
  } catch {
    throw new TypeError(`Cannot decode bytes as ${JSON.stringify(charset)}: it is not a charset this runtime knows.`);
  }
}
