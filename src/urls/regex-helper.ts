/**
 * Reading URL regular expressions, as Django's `django.utils.regex_helper`: turning a pattern
 * into the strings `reverse()` fills in (`normalize`), translating Python's regex dialect to
 * JavaScript's, and finding the literal text every match must start with (the dispatch tree's key).
 */

/**
 * One way to write a URL for a pattern: `segments[0] + value(params[0]) + segments[1] + ...`.
 * `segments.length === params.length + 1`.
 */
export interface ReverseVariant {
  readonly segments: readonly string[];
  /** The parameter written at each position (a back-reference repeats one). */
  readonly params: readonly string[];
  /** The distinct parameters the caller must give, in order; `params` when absent. */
  readonly names?: readonly string[];
}

const UNNAMED = /^_(\d+)$/;

/**
 * Joins two variants end to end (a prefix's and the pattern's under it). Unnamed groups are
 * renumbered so that they continue the first variant's `_0`, `_1`, ... as in one regex.
 */
export function joinVariants(a: ReverseVariant, b: ReverseVariant): ReverseVariant {
  const segments = [
    ...a.segments.slice(0, -1),
    a.segments[a.segments.length - 1] + b.segments[0],
    ...b.segments.slice(1),
  ];
  const aNames = a.names ?? a.params;
  let offset = 0;
  for (const p of aNames) if (UNNAMED.test(p)) offset++;
  const rename = (p: string) => {
    const m = UNNAMED.exec(p);
    return m && offset ? `_${Number(m[1]) + offset}` : p;
  };
  const params = [...a.params, ...b.params.map(rename)];
  if (a.names === undefined && b.names === undefined) return { segments, params };
  return { segments, params, names: [...aNames, ...(b.names ?? b.params).map(rename)] };
}

/** Fills a variant's parameters with already-converted text. */
export function fillVariant(variant: ReverseVariant, values: Record<string, string>): string {
  let out = variant.segments[0];
  for (let i = 0; i < variant.params.length; i++) out += values[variant.params[i]] + variant.segments[i + 1];
  return out;
}

/** A representative character for an escape (Django's ESCAPE_MAPPINGS); `null`: matches nothing. */
const ESCAPE_MAPPINGS: Record<string, string | null> = {
  A: null,
  b: null,
  B: null,
  d: '0',
  D: 'x',
  s: ' ',
  S: 'x',
  w: 'x',
  W: '!',
  Z: null,
  z: null,
};

/** Thrown inside `normalize` for a construct that makes the pattern unreversible (`|`). */
class Unreversible extends Error {}

type Variants = ReverseVariant[];

const EMPTY: ReverseVariant = { segments: [''], params: [] };

function cross(a: Variants, b: Variants): Variants {
  const out: Variants = [];
  for (const x of a) for (const y of b) out.push(joinVariants(x, y));
  return out;
}

/**
 * The ways to write a URL matching `source` (a JavaScript regex source), as Django's
 * `normalize()`: repetitions take their minimum, an optional group yields both the "without"
 * and the "with" variant (in that order), a character class its first character, look-arounds
 * nothing. Named groups become parameters named as the group; unnamed groups `_0`, `_1`, ...
 * A pattern with `|` outside a character class cannot be reversed: `[]`.
 */
export function normalize(source: string): ReverseVariant[] {
  let pos = 0;
  let unnamed = 0;
  const n = source.length;

  function quantifier(): { min: number } | null {
    const c = source[pos];
    let min: number;
    if (c === '*' || c === '?') {
      min = 0;
      pos++;
    } else if (c === '+') {
      min = 1;
      pos++;
    } else if (c === '{') {
      const m = /^\{(\d*)(,\d*)?\}/.exec(source.slice(pos));
      if (!m) return null;
      min = m[1] === '' ? 0 : Number(m[1]);
      pos += m[0].length;
    } else {
      return null;
    }
    if (source[pos] === '?' || source[pos] === '+') pos++; // lazy or possessive
    return { min };
  }

  function skipGroup(): void {
    // pos is just after "(...": skip to the matching ')', honouring escapes and classes.
    let depth = 1;
    while (pos < n && depth > 0) {
      const c = source[pos];
      if (c === '\\') pos += 2;
      else if (c === '[') skipClass();
      else {
        if (c === '(') depth++;
        else if (c === ')') depth--;
        pos++;
      }
    }
  }

  function skipClass(): string {
    // pos at '['; returns the first character the class matches (Django: "the first one").
    pos++;
    let first = '';
    if (source[pos] === '^') pos++;
    if (source[pos] === ']') {
      first = ']';
      pos++;
    }
    while (pos < n && source[pos] !== ']') {
      if (source[pos] === '\\') {
        if (!first) first = ESCAPE_MAPPINGS[source[pos + 1]] ?? source[pos + 1];
        pos += 2;
      } else {
        if (!first) first = source[pos];
        pos++;
      }
    }
    pos++;
    return first;
  }

  function sequence(): Variants {
    let result: Variants = [EMPTY];
    while (pos < n) {
      const c = source[pos];
      let element: Variants;
      let isGroup = false;
      if (c === ')') break;
      if (c === '|') throw new Unreversible();
      if (c === '^' || c === '$') {
        pos++;
        continue;
      }
      if (c === '(') {
        pos++;
        isGroup = true;
        if (source[pos] === '?') {
          const rest = source.slice(pos, pos + 4);
          const named = /^\?P?<([A-Za-z_$][\w$]*)>/.exec(source.slice(pos, pos + 200));
          if (named) {
            pos += named[0].length;
            skipGroup();
            element = [{ segments: ['', ''], params: [named[1]] }];
          } else if (rest.startsWith('?:')) {
            pos += 2;
            element = sequence();
            pos++;
          } else {
            // look-around, comment, flags, back reference: contributes nothing.
            skipGroup();
            element = [EMPTY];
            isGroup = false;
          }
        } else {
          skipGroup();
          element = [{ segments: ['', ''], params: [`_${unnamed++}`] }];
        }
      } else if (c === '[') {
        element = [{ segments: [skipClass()], params: [] }];
      } else if (c === '\\') {
        const e = source[pos + 1];
        pos += 2;
        if (e === 'k' && source[pos] === '<') {
          // A back-reference writes the named group's value again, without a new parameter.
          const end = source.indexOf('>', pos);
          element = [{ segments: ['', ''], params: [source.slice(pos + 1, end)], names: [] }];
          pos = end + 1;
        } else {
          const mapped = e in ESCAPE_MAPPINGS ? ESCAPE_MAPPINGS[e] : e;
          element = [{ segments: [mapped ?? ''], params: [] }];
        }
      } else {
        pos++;
        element = [{ segments: [c], params: [] }];
      }
      const q = quantifier();
      if (q) {
        if (q.min === 0) {
          element = isGroup ? [EMPTY, ...element] : [EMPTY];
        } else if (!isGroup && q.min > 1) {
          element = element.map((v) => ({ segments: [v.segments[0].repeat(q.min)], params: [] }));
        }
      }
      result = cross(result, element);
    }
    return result;
  }

  try {
    const variants = sequence();
    if (pos < n) throw new Unreversible(); // an unbalanced ')'
    return variants;
  } catch (error) {
    if (error instanceof Unreversible) return [];
    throw error;
  }
}

/**
 * Translates Python's regex dialect (what Django users write in `re_path`) to JavaScript's:
 * `(?P<name>` → `(?<name>`, `(?P=name)` → `\k<name>`, `\Z` → `$`, `\A` → `^`. JavaScript's own
 * syntax passes through unchanged.
 */
export function pythonRegexToJs(source: string): string {
  let out = '';
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c === '\\') {
      const e = source[i + 1];
      if (!inClass && e === 'Z') out += '$';
      else if (!inClass && e === 'A') out += '^';
      else out += c + (e ?? '');
      i++;
    } else if (inClass) {
      if (c === ']') inClass = false;
      out += c;
    } else if (c === '[') {
      inClass = true;
      out += c;
      if (source[i + 1] === ']' || (source[i + 1] === '^' && source[i + 2] === ']')) {
        // ']' right after '[' or '[^' is a literal in Python; escape it for JavaScript.
        if (source[i + 1] === '^') out += '^';
        out += '\\]';
        i += source[i + 1] === '^' ? 2 : 1;
      }
    } else if (source.startsWith('(?P<', i)) {
      out += '(?<';
      i += 3;
    } else if (source.startsWith('(?P=', i)) {
      const end = source.indexOf(')', i);
      out += `\\k<${source.slice(i + 4, end)}>`;
      i = end;
    } else {
      out += c;
    }
  }
  return out;
}

/**
 * Replaces named groups by non-capturing ones, so that sources can be concatenated without
 * duplicate group names; kept when a back-reference (`\k<name>`) needs them.
 */
export function stripGroupNames(source: string): string {
  if (source.includes('\\k<')) return source;
  return source.replace(/(^|[^\\])\(\?<(?![=!])[^>]*>/g, '$1(?:');
}

const META = new Set(['\\', '^', '$', '.', '|', '?', '*', '+', '(', ')', '[', ']', '{', '}']);

/**
 * The literal text every match of an anchored JavaScript regex source must start with
 * (`^blog/(?<slug>...)` → `blog/`), or `''` when the regex is not anchored with `^` or uses `|`
 * (then it may match anything, and the dispatcher must always try it).
 */
export function literalPrefix(source: string): string {
  if (!source.startsWith('^')) return '';
  if (hasAlternation(source)) return '';
  let out = '';
  let i = 1;
  while (i < source.length) {
    let ch: string;
    let width: number;
    const c = source[i];
    if (c === '\\') {
      const e = source[i + 1];
      if (e === undefined || /[A-Za-z0-9]/.test(e)) break;
      ch = e;
      width = 2;
    } else if (META.has(c)) {
      break;
    } else {
      ch = c;
      width = 1;
    }
    const next = source[i + width];
    if (next === '?' || next === '*' || next === '+' || next === '{') break;
    out += ch;
    i += width;
  }
  return out;
}

function hasAlternation(source: string): boolean {
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c === '\\') i++;
    else if (inClass) inClass = c !== ']';
    else if (c === '[') inClass = true;
    else if (c === '|') return true;
  }
  return false;
}

/** Escapes text for use inside a JavaScript regex. */
export function escapeRegExp(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');
}
