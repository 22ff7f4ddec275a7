/**
 * The lexer, as Django's `Lexer`: splits a template's source into text, `{{ variable }}`,
 * `{% block %}` and `{# comment #}` tokens. A tag never spans lines, as in Django. Every token
 * knows its offsets, line and column, so errors can point at it.
 */

/** The kinds of token, as Django's `TokenType`. */
export const TokenType = { TEXT: 0, VAR: 1, BLOCK: 2, COMMENT: 3 } as const;
export type TokenType = (typeof TokenType)[keyof typeof TokenType];

const TYPE_NAMES = ['Text', 'Var', 'Block', 'Comment'];

/** Python's `\s` and `\S`-split bits, quoted strings kept whole (Django's `smart_split`). */
const SMART_SPLIT = /(?:[^\s'"]*(?:(?:"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')[^\s'"]*)+)|\S+/g;

/**
 * One token. `contents` is the text between the delimiters, stripped (the raw text for TEXT).
 *
 * @example
 * token.splitContents(); // ['url', "'post'", 'post.id', 'as', 'link'] for {% url 'post' post.id as link %}
 */
export class Token {
  readonly tokenType: TokenType;
  readonly contents: string;
  /** Start and end offsets in the source, delimiters included. */
  readonly position: readonly [number, number];
  /** 1-based line and column of the token's first character. */
  readonly lineno: number;
  readonly column: number;

  constructor(tokenType: TokenType, contents: string, position: readonly [number, number], lineno = 1, column = 1) {
    this.tokenType = tokenType;
    this.contents = contents;
    this.position = position;
    this.lineno = lineno;
    this.column = column;
  }

  /** The contents split on spaces, quoted strings (and `_("...")`) kept whole, as Django's `split_contents()`. */
  splitContents(): string[] {
    const bits = this.contents.match(SMART_SPLIT) ?? [];
    const split: string[] = [];
    for (let i = 0; i < bits.length; i++) {
      let bit = bits[i]!;
      if (bit.startsWith('_("') || bit.startsWith("_('")) {
        const sentinel = bit[2] + ')';
        const parts = [bit];
        while (!bit.endsWith(sentinel) && i + 1 < bits.length) {
          bit = bits[++i]!;
          parts.push(bit);
        }
        bit = parts.join(' ');
      }
      split.push(bit);
    }
    return split;
  }

  toString(): string {
    return `<${TYPE_NAMES[this.tokenType]} token: "${this.contents.slice(0, 20).replaceAll('\n', '')}...">`;
  }
}

const TAG = /\{%[^\n]*?%\}|\{\{[^\n]*?\}\}|\{#[^\n]*?#\}/g;

/**
 * Splits `source` into tokens. Inside `{% verbatim %}` (until the matching `{% endverbatim %}`)
 * everything is text, as in Django.
 */
export function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let verbatim: string | undefined;
  let upto = 0;
  let lineno = 1;
  let lineStart = 0;
  const advance = (from: number, to: number) => {
    for (let nl = source.indexOf('\n', from); nl !== -1 && nl < to; nl = source.indexOf('\n', nl + 1)) {
      lineno++;
      lineStart = nl + 1;
    }
  };
  TAG.lastIndex = 0;
  for (let match = TAG.exec(source); match !== null; match = TAG.exec(source)) {
    const start = match.index;
    const end = start + match[0].length;
    if (start > upto) {
      tokens.push(new Token(TokenType.TEXT, source.slice(upto, start), [upto, start], lineno, upto - lineStart + 1));
      advance(upto, start);
    }
    const tag = match[0];
    const column = start - lineStart + 1;
    const inner = tag.slice(2, -2).trim();
    const kind = tag[1];
    if (verbatim !== undefined && kind === '%' && inner === verbatim) verbatim = undefined;
    if (verbatim !== undefined) {
      tokens.push(new Token(TokenType.TEXT, tag, [start, end], lineno, column));
    } else if (kind === '{') {
      tokens.push(new Token(TokenType.VAR, inner, [start, end], lineno, column));
    } else if (kind === '%') {
      if (inner === 'verbatim' || inner.startsWith('verbatim ')) verbatim = 'end' + inner;
      tokens.push(new Token(TokenType.BLOCK, inner, [start, end], lineno, column));
    } else {
      // Django keeps a comment's text only for translators' notes; nothing renders it.
      tokens.push(new Token(TokenType.COMMENT, inner, [start, end], lineno, column));
    }
    upto = end;
  }
  if (upto < source.length) {
    tokens.push(new Token(TokenType.TEXT, source.slice(upto), [upto, source.length], lineno, upto - lineStart + 1));
  }
  return tokens;
}
