/**
 * Python's `pprint.pformat()` (width 80, dict keys sorted) over tsgi's values, for the `pprint`
 * filter: a value whose `repr()` fits on the line stays on one line; a longer list, dict or set
 * has one item per line, and a long string is cut at word boundaries into adjacent literals.
 */
import { SafeString } from './safestring.ts';
import { pyCompare } from './pyops.ts';
import { pyRepr, pyStrLen, pyType, strRepr } from './python.ts';
import { splitlinesKeepEnds } from './text.ts';

const WIDTH = 80;

/** Python's `_safe_key` ordering: values of one type by value, else by type name. */
function safeCompare(a: unknown, b: unknown): number {
  try {
    return pyCompare(a, b);
  } catch {
    const ta = `<class '${pyType(a)}'>`;
    const tb = `<class '${pyType(b)}'>`;
    return ta < tb ? -1 : ta > tb ? 1 : 0;
  }
}

function dictItems(value: Map<unknown, unknown> | Record<string, unknown>): Array<[unknown, unknown]> {
  const items: Array<[unknown, unknown]> = value instanceof Map ? [...value.entries()] : Object.entries(value);
  return items.sort(([ka, va], [kb, vb]) => safeCompare(ka, kb) || safeCompare(va, vb));
}

/** `repr()` with dict keys sorted at every level, as pprint's `_safe_repr`. */
function safeRepr(value: unknown, seen: Set<object>): string {
  if (typeof value === 'object' && value !== null && !(value instanceof SafeString)) {
    const type = pyType(value);
    if (type === 'dict' || type === 'list') {
      if (seen.has(value)) return `<Recursion on ${type} with id=${0}>`;
      seen.add(value);
      try {
        if (type === 'list') return `[${(value as unknown[]).map((v) => safeRepr(v, seen)).join(', ')}]`;
        return `{${dictItems(value as Record<string, unknown>)
          .map(([k, v]) => `${safeRepr(k, seen)}: ${safeRepr(v, seen)}`)
          .join(', ')}}`;
      } finally {
        seen.delete(value);
      }
    }
  }
  return pyRepr(value);
}

class Printer {
  out = '';
  readonly context = new Set<object>();

  format(value: unknown, indent: number, allowance: number, level: number): void {
    const rep = safeRepr(value, new Set(this.context));
    if (pyStrLen(rep) <= WIDTH - indent - allowance) {
      this.out += rep;
      return;
    }
    const type = typeof value === 'string' || value instanceof SafeString ? 'str' : pyType(value);
    if (type === 'str') return this.string(String(value), indent, allowance, level + 1);
    if (typeof value !== 'object' || value === null || this.context.has(value)) {
      this.out += rep;
      return;
    }
    if (type === 'list' || type === 'dict' || type === 'set') {
      this.context.add(value);
      if (type === 'list') {
        this.out += '[';
        this.items(value as unknown[], indent, allowance + 1, level + 1);
        this.out += ']';
      } else if (type === 'set') {
        this.out += '{';
        this.items([...(value as Set<unknown>)].sort(safeCompare), indent, allowance + 1, level + 1);
        this.out += '}';
      } else {
        this.out += '{';
        this.dict(value as Record<string, unknown>, indent, allowance + 1, level + 1);
        this.out += '}';
      }
      this.context.delete(value);
      return;
    }
    this.out += rep;
  }

  items(items: unknown[], indent: number, allowance: number, level: number): void {
    const inner = indent + 1;
    items.forEach((item, i) => {
      if (i > 0) this.out += `,\n${' '.repeat(inner)}`;
      this.format(item, inner, i === items.length - 1 ? allowance : 1, level);
    });
  }

  dict(value: Map<unknown, unknown> | Record<string, unknown>, indent: number, allowance: number, level: number) {
    const inner = indent + 1;
    const items = dictItems(value);
    items.forEach(([key, item], i) => {
      const rep = safeRepr(key, new Set(this.context));
      if (i > 0) this.out += `,\n${' '.repeat(inner)}`;
      this.out += `${rep}: `;
      this.format(item, inner + pyStrLen(rep) + 2, i === items.length - 1 ? allowance : 1, level);
    });
  }

  string(text: string, indent: number, allowance: number, level: number): void {
    if (!text) {
      this.out += strRepr(text);
      return;
    }
    const chunks: string[] = [];
    const lines = splitlinesKeepEnds(text);
    if (level === 1) {
      indent += 1;
      allowance += 1;
    }
    const maxWidth = WIDTH - indent;
    let maxWidth1 = maxWidth;
    let rep = '';
    lines.forEach((line, i) => {
      rep = strRepr(line);
      if (i === lines.length - 1) maxWidth1 -= allowance;
      if (pyStrLen(rep) <= maxWidth1) {
        chunks.push(rep);
        return;
      }
      // Alternating runs of non-space and space, as re.findall(r'\S*\s*', line).
      const parts = line.match(/\S*\s*/gu)!.filter((p) => p !== '');
      let maxWidth2 = maxWidth;
      let current = '';
      parts.forEach((part, j) => {
        const candidate = current + part;
        if (j === parts.length - 1 && i === lines.length - 1) maxWidth2 -= allowance;
        if (pyStrLen(strRepr(candidate)) > maxWidth2) {
          if (current) chunks.push(strRepr(current));
          current = part;
        } else current = candidate;
      });
      if (current) chunks.push(strRepr(current));
    });
    if (chunks.length === 1) {
      this.out += rep;
      return;
    }
    if (level === 1) this.out += '(';
    chunks.forEach((chunk, i) => {
      if (i > 0) this.out += `\n${' '.repeat(indent)}`;
      this.out += chunk;
    });
    if (level === 1) this.out += ')';
  }
}

/**
 * Python's `pprint.pformat(value)`.
 *
 * @example
 * pformat({ b: 1, a: [1, 2] }); // "{'a': [1, 2], 'b': 1}"
 */
export function pformat(value: unknown): string {
  const printer = new Printer();
  printer.format(value, 0, 0, 0);
  return printer.out;
}
