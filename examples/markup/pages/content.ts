/**
 * The site's own documentation pages: Markdown files in `content/`, rendered once and cached
 * until the file changes. The file's mtime is checked at most once a second per page, not on
 * every request: a stat per page made the home page's list cost more than its template.
 */
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { SafeString } from 'tsgi/utils/safestring';
import { renderMarkdown, titleOf } from './markdown.ts';

const CONTENT_DIR = path.join(import.meta.dirname, 'content');

/** The pages, in reading order; a slug not listed here is a 404, never a file path. */
export const PAGES = ['getting-started', 'the-gateway', 'deployment'] as const;

export interface Page {
  slug: string;
  title: string;
  html: SafeString;
}

/** How long a page is served without looking at its file again, in milliseconds. */
const RECHECK_MS = 1000;

const cache = new Map<string, { mtimeMs: number; checkedAt: number; page: Page }>();

/** The page for a slug, or undefined when there is none. */
export function getPage(slug: string): Page | undefined {
  if (!(PAGES as readonly string[]).includes(slug)) return undefined;
  const hit = cache.get(slug);
  const now = Date.now();
  if (hit && now - hit.checkedAt < RECHECK_MS) return hit.page;
  const file = path.join(CONTENT_DIR, `${slug}.md`);
  const { mtimeMs } = statSync(file);
  if (hit && hit.mtimeMs === mtimeMs) {
    hit.checkedAt = now;
    return hit.page;
  }
  const source = readFileSync(file, 'utf8');
  const page = { slug, title: titleOf(source, slug), html: renderMarkdown(source) };
  cache.set(slug, { mtimeMs, checkedAt: now, page });
  return page;
}

/** Every page, for the home page's list. */
export function allPages(): Page[] {
  return PAGES.map((slug) => getPage(slug)!);
}
