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

/** How a request's bytes are decoded: strictly (throwing) or with U+FFFD for each bad sequence. */
export type DecodeErrors = 'strict' | 'replace';

/** A decoder of bytes with one charset, with Python's codec semantics where they differ from the web's. */
export type Decoder = (bytes: Uint8Array, errors: DecodeErrors) => string;

// Python's names for the charsets whose decoding differs from the WHATWG decoder of the same label
// (encodings.aliases, after encodings.normalize_encoding): Django 3.2 decodes request data with
// Python's codecs. Python's latin-1 maps every byte to the same code point (the web's 'latin1'
// label is windows-1252), Python's cp1252 leaves five bytes undefined, and its ascii refuses
// bytes past 0x7F.
const PY_LATIN_1 = new Set([
  'latin_1',
  'latin1',
  'latin',
  'l1',
  'iso8859',
  'iso8859_1',
  'iso_8859_1',
  'iso_8859_1_1987',
  '8859',
  'cp819',
  'ibm819',
  'iso_ir_100',
  'csisolatin1',
]);
const PY_CP1252 = new Set(['cp1252', 'windows_1252', '1252']);
const PY_ASCII = new Set([
  'ascii',
  '646',
  'us',
  'us_ascii',
  'ansi_x3.4_1968',
  'ansi_x3_4_1968',
  'ansi_x3.4_1986',
  'cp367',
  'csascii',
  'ibm367',
  'iso646_us',
  'iso_646.irv_1991',
  'iso_ir_6',
]);
const PY_UTF_8 = new Set(['utf_8', 'utf8', 'u8', 'utf', 'utf8_ucs2', 'utf8_ucs4', 'cp65001']);

// windows-1252's 0x80-0x9F (Python's table: 0x81, 0x8D, 0x8F, 0x90 and 0x9D are undefined).
const CP1252_HIGH =
  '\u20ac\ufffe\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\ufffe\u017d\ufffe' +
  '\ufffe\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\ufffe\u017e\u0178';

/** A charset name as Python's `encodings.normalize_encoding` (lower-cased) sees it. */
function pythonName(charset: string): string {
  return charset
    .toLowerCase()
    .replace(/[^a-z0-9.]+/g, '_')
    .replace(/^_+|_+$/g, '');
}

function undecodable(charset: string, byte: number, position: number): TypeError {
  return new TypeError(
    `The byte 0x${byte.toString(16).padStart(2, '0')} at position ${position} cannot be decoded as ${charset}.`,
  );
}

function singleByte(charset: string, map: (byte: number) => string | undefined): Decoder {
  return (bytes, errors) => {
    let out = '';
    for (let i = 0; i < bytes.length; i++) {
      const char = map(bytes[i]!);
      if (char !== undefined) out += char;
      else if (errors === 'replace') out += '\ufffd';
      else throw undecodable(charset, bytes[i]!, i);
    }
    return out;
  };
}

const latin1: Decoder = (bytes) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
const cp1252 = singleByte('windows-1252', (b) => {
  if (b < 0x80 || b >= 0xa0) return String.fromCharCode(b);
  const char = CP1252_HIGH[b - 0x80]!;
  return char === '\ufffe' ? undefined : char;
});
const ascii = singleByte('ascii', (b) => (b < 0x80 ? String.fromCharCode(b) : undefined));

function webDecoder(label: string): Decoder | undefined {
  try {
    new TextDecoder(label);
  } catch {
    return undefined;
  }
  return (bytes, errors) => new TextDecoder(label, { fatal: errors === 'strict' }).decode(bytes);
}

const decoders = new Map<string, Decoder | undefined>();

/**
 * The decoder of a request charset as Django 3.2 (Python's codecs) decodes it: latin-1,
 * windows-1252, ascii and utf-8 under all of Python's names, byte for byte as Python; any other
 * charset the runtime knows (WHATWG labels: shift_jis, koi8-r, iso-8859-2, utf-16, ...) with its
 * decoder. Undefined for a charset neither knows.
 *
 * @example
 * charsetDecoder('latin-1')!(bytes, 'strict');
 */
export function charsetDecoder(charset: string): Decoder | undefined {
  let decoder = decoders.get(charset);
  if (decoder !== undefined || decoders.has(charset)) return decoder;
  const name = pythonName(charset);
  if (PY_UTF_8.has(name)) decoder = webDecoder('utf-8');
  else if (PY_LATIN_1.has(name)) decoder = latin1;
  else if (PY_CP1252.has(name)) decoder = cp1252;
  else if (PY_ASCII.has(name)) decoder = ascii;
  else decoder = webDecoder(charset);
  if (decoders.size < 64) decoders.set(charset, decoder);
  return decoder;
}

/** Whether a request's charset is one its body and query can be decoded with (Django keeps only those). */
export function isKnownCharset(charset: string): boolean {
  return charsetDecoder(charset) !== undefined;
}
