/**
 * The text of an HTML fragment with its markup removed, tokenized as Python's `html.parser`
 * tokenizes it (Django's `strip_tags` is built on that parser, quirks included: an unterminated
 * `<script>` swallows the rest, `&amp` gains its `;`, a lone `<` stays text).
 *
 * Only what stripping needs is kept: data, entity and character references (kept as written,
 * with a `;`), everything else (tags, comments, declarations, processing instructions) dropped.
 */

const WS = '[\\t\\n\\x0b\\x0c\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]';

const sticky = (source: string, flags = '') => new RegExp(source, `y${flags}u`);

const INTERESTING = /[&<]/g;
const INCOMPLETE = sticky('&[a-zA-Z#]');
const ENTITYREF = sticky('&([a-zA-Z][-.a-zA-Z0-9]*)[^a-zA-Z0-9]');
const CHARREF = sticky('&#(?:[0-9]+|[xX][0-9a-fA-F]+)[^0-9a-fA-F]');
const STARTTAGOPEN = sticky('<[a-zA-Z]');
const COMMENTCLOSE = new RegExp(`--${WS}*>`, 'gu');
const TAGFIND = sticky(`([a-zA-Z][^\\t\\n\\r\\f />\\x00]*)(?:${WS}|/(?!>))*`);
const ATTRFIND = sticky(
  `((?<=['"${WS.slice(1, -1)}/])[^${WS.slice(1, -1)}/>][^${WS.slice(1, -1)}/=>]*)(${WS}*=+${WS}*` +
    `('[^']*'|"[^"]*"|(?!['"])[^>${WS.slice(1, -1)}]*))?(?:${WS}|/(?!>))*`,
);
const LOCATESTARTTAGEND = sticky(
  `<[a-zA-Z][^\\t\\n\\r\\f />\\x00]*` +
    `(?:[${WS.slice(1, -1)}/]*` +
    `(?:(?<=['"${WS.slice(1, -1)}/])[^${WS.slice(1, -1)}/>][^${WS.slice(1, -1)}/=>]*` +
    `(?:${WS}*=+${WS}*(?:'[^']*'|"[^"]*"|(?!['"])[^>${WS.slice(1, -1)}]*)${WS}*)?(?:${WS}|/(?!>))*` +
    `)*)?${WS}*`,
);
const ENDTAGFIND = sticky(`</${WS}*([a-zA-Z][-.a-zA-Z0-9:_]*)${WS}*>`);
const DECLNAME = sticky(`[a-zA-Z][-_.a-zA-Z0-9]*${WS}*`);
const MARKEDSECTIONCLOSE = new RegExp(`\\]${WS}*\\]${WS}*>`, 'gu');
const MSMARKEDSECTIONCLOSE = new RegExp(`\\]${WS}*>`, 'gu');

function matchAt(re: RegExp, text: string, at: number): RegExpExecArray | null {
  re.lastIndex = at;
  return re.exec(text);
}

function searchFrom(re: RegExp, text: string, at: number): RegExpExecArray | null {
  re.lastIndex = at;
  return re.exec(text);
}

const pyStrip = (s: string) => s.replace(new RegExp(`^${WS}+|${WS}+$`, 'gu'), '');

/** The parser's state across `feed()` and `close()`, as html.parser keeps it. */
class Stripper {
  out: string[] = [];
  raw = '';
  cdataElem: string | undefined;
  cdataEnd: RegExp | undefined;

  run(end: boolean): void {
    const raw = this.raw;
    const n = raw.length;
    let i = 0;
    while (i < n) {
      let j: number;
      const interesting = this.cdataEnd ?? INTERESTING;
      const found = searchFrom(interesting, raw, i);
      if (found) j = found.index;
      else {
        if (this.cdataElem !== undefined) break;
        j = n;
      }
      if (i < j) this.out.push(raw.slice(i, j));
      i = j;
      if (i === n) break;
      if (raw.startsWith('<', i)) {
        let k: number;
        if (matchAt(STARTTAGOPEN, raw, i)) k = this.parseStartTag(i);
        else if (raw.startsWith('</', i)) k = this.parseEndTag(i);
        else if (raw.startsWith('<!--', i)) k = this.parseComment(i);
        else if (raw.startsWith('<?', i)) {
          const close = raw.indexOf('>', i + 2);
          k = close < 0 ? -1 : close + 1;
        } else if (raw.startsWith('<!', i)) k = this.parseDeclaration(i);
        else if (i + 1 < n) {
          this.out.push('<');
          k = i + 1;
        } else break;
        if (k < 0) {
          if (!end) break;
          k = raw.indexOf('>', i + 1);
          if (k < 0) {
            k = raw.indexOf('<', i + 1);
            if (k < 0) k = i + 1;
          } else k += 1;
          this.out.push(raw.slice(i, k));
        }
        i = k;
      } else if (raw.startsWith('&#', i)) {
        const m = matchAt(CHARREF, raw, i);
        if (m) {
          this.out.push(`&#${m[0].slice(2, -1)};`);
          let k = i + m[0].length;
          if (raw[k - 1] !== ';') k -= 1;
          i = k;
          continue;
        }
        if (raw.slice(i).includes(';')) {
          this.out.push(raw.slice(i, i + 2));
          i += 2;
        }
        break;
      } else if (raw.startsWith('&', i)) {
        const m = matchAt(ENTITYREF, raw, i);
        if (m) {
          this.out.push(`&${m[1]!};`);
          let k = i + m[0].length;
          if (raw[k - 1] !== ';') k -= 1;
          i = k;
          continue;
        }
        const incomplete = matchAt(INCOMPLETE, raw, i);
        if (incomplete) {
          if (end && incomplete[0] === raw.slice(i)) i += 1;
          break;
        } else if (i + 1 < n) {
          this.out.push('&');
          i += 1;
        } else break;
      }
    }
    if (end && i < n && this.cdataElem === undefined) {
      this.out.push(raw.slice(i, n));
      i = n;
    }
    this.raw = raw.slice(i);
  }

  parseComment(i: number): number {
    const m = searchFrom(COMMENTCLOSE, this.raw, i + 4);
    return m ? m.index + m[0].length : -1;
  }

  parseBogusComment(i: number): number {
    const pos = this.raw.indexOf('>', i + 2);
    return pos < 0 ? -1 : pos + 1;
  }

  parseDeclaration(i: number): number {
    const raw = this.raw;
    if (raw.startsWith('<![', i)) {
      const at = i + 3;
      if (at === raw.length) return -1;
      const name = matchAt(DECLNAME, raw, at);
      if (!name) throw new Error(`expected name token at ${JSON.stringify(raw.slice(i, i + 20))}`);
      if (at + name[0].length === raw.length) return -1;
      const section = pyStrip(name[0]).toLowerCase();
      let close: RegExp;
      if (['temp', 'cdata', 'ignore', 'include', 'rcdata'].includes(section)) close = MARKEDSECTIONCLOSE;
      else if (['if', 'else', 'endif'].includes(section)) close = MSMARKEDSECTIONCLOSE;
      else
        throw new Error(
          `unknown status keyword ${JSON.stringify(raw.slice(at, at + name[0].length))} in marked section`,
        );
      const m = searchFrom(close, raw, at);
      return m ? m.index + m[0].length : -1;
    }
    if (raw.slice(i, i + 9).toLowerCase() === '<!doctype') {
      const gt = raw.indexOf('>', i + 9);
      return gt < 0 ? -1 : gt + 1;
    }
    return this.parseBogusComment(i);
  }

  wholeStartTagEnd(i: number): number {
    const raw = this.raw;
    const m = matchAt(LOCATESTARTTAGEND, raw, i)!;
    const j = i + m[0].length;
    const next = raw.slice(j, j + 1);
    if (next === '>') return j + 1;
    if (next === '/') {
      if (raw.startsWith('/>', j)) return j + 2;
      return -1; // a '/' at the end of the buffer
    }
    if (next === '') return -1;
    if (/^[a-zA-Z=/]$/.test(next)) return -1;
    return j > i ? j : i + 1;
  }

  parseStartTag(i: number): number {
    const raw = this.raw;
    const endpos = this.wholeStartTagEnd(i);
    if (endpos < 0) return endpos;
    const tag = matchAt(TAGFIND, raw, i + 1)!;
    let k = i + 1 + tag[0].length;
    const name = tag[1]!.toLowerCase();
    while (k < endpos) {
      const m = matchAt(ATTRFIND, raw, k);
      if (!m) break;
      k += m[0].length;
    }
    const rest = pyStrip(raw.slice(k, endpos));
    if (rest !== '>' && rest !== '/>') {
      this.out.push(raw.slice(i, endpos));
      return endpos;
    }
    if (!rest.endsWith('/>') && (name === 'script' || name === 'style')) {
      this.cdataElem = name;
      this.cdataEnd = new RegExp(`</${WS}*${name}${WS}*>`, 'giu');
    }
    return endpos;
  }

  parseEndTag(i: number): number {
    const raw = this.raw;
    const gt = raw.indexOf('>', i + 1);
    if (gt < 0) return -1;
    const gtpos = gt + 1;
    const m = matchAt(ENDTAGFIND, raw, i);
    if (!m) {
      if (this.cdataElem !== undefined) {
        this.out.push(raw.slice(i, gtpos));
        return gtpos;
      }
      const name = matchAt(TAGFIND, raw, i + 2);
      if (!name) {
        if (raw.startsWith('</>', i)) return i + 3;
        return this.parseBogusComment(i);
      }
      return raw.indexOf('>', i + 2 + name[0].length) + 1;
    }
    const elem = m[1]!.toLowerCase();
    if (this.cdataElem !== undefined && elem !== this.cdataElem) {
      this.out.push(raw.slice(i, gtpos));
      return gtpos;
    }
    this.cdataElem = undefined;
    this.cdataEnd = undefined;
    return gtpos;
  }
}

/** One pass of html.parser over `html`: its text and references, without markup. */
export function stripOnce(html: string): string {
  const parser = new Stripper();
  parser.raw = html;
  parser.run(false);
  parser.run(true);
  return parser.out.join('');
}
