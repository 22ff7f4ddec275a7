/**
 * Markdown to HTML with markdown-it: CommonMark, well kept, and raw HTML off (`html: false`), so
 * text a visitor submits cannot inject markup or scripts into the page. The HTML is marked safe
 * here, where it is made, so templates print it as it is.
 */
import MarkdownIt from 'markdown-it';
import { markSafe, type SafeString } from 'tsgi/utils/safestring';

const md = new MarkdownIt({ html: false, linkify: true, typographer: true });

/** Renders Markdown to safe HTML. */
export function renderMarkdown(source: string): SafeString {
  return markSafe(md.render(source));
}

/** The text of the first `# heading`, or the fallback. */
export function titleOf(source: string, fallback: string): string {
  return /^#\s+(.+)$/m.exec(source)?.[1].trim() ?? fallback;
}
