/**
 * Strings that are already HTML and must not be escaped again, as Django's
 * `django.utils.safestring`. Autoescape leaves a `SafeString` as it is.
 */

/** A string known to be safe HTML. */
export class SafeString {
  readonly value: string;
  constructor(value: string) {
    this.value = value;
  }
  toString(): string {
    return this.value;
  }
  toJSON(): string {
    return this.value;
  }
  get length(): number {
    return this.value.length;
  }
}

/**
 * Marks `html` as safe: templates output it without escaping. Only for markup you built or
 * escaped yourself.
 *
 * @example
 * render(request, 'page.html', { banner: markSafe('<b>Welcome</b>') });
 */
export function markSafe(html: string | SafeString): SafeString {
  return html instanceof SafeString ? html : new SafeString(String(html));
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const ESCAPE_RE = /[&<>"']/g;
const NEEDS_ESCAPE = /[&<>"']/;

/** Escapes the five HTML special characters; a `SafeString` is returned unchanged. */
export function escapeHtml(value: unknown): string {
  if (value instanceof SafeString) return value.value;
  const text = value === null || value === undefined ? '' : String(value);
  return NEEDS_ESCAPE.test(text) ? text.replace(ESCAPE_RE, (c) => ESCAPES[c] as string) : text;
}
