/**
 * Pagination, as Django's `django.core.paginator`: a `Paginator` splits a list (an array, or
 * anything with `count()` and `slice(start, end)`, as a QuerySet) into pages of `perPage` items;
 * `orphans` folds a short last page into the one before; out-of-range and non-integer page
 * numbers raise `EmptyPage` and `PageNotAnInteger` (`getPage()` forgives both).
 *
 * Counting and slicing may be asynchronous (a QuerySet's are): the methods that need them are.
 *
 * @example
 * const paginator = new Paginator(posts, 10, { orphans: 2 });
 * const page = await paginator.getPage(request.GET.get('page'));
 * page.objectList; page.hasNext(); page.nextPageNumber(); paginator.getElidedPageRange(page.number);
 */

/** The page number is not valid (not an integer, or out of range). */
export class InvalidPage extends Error {
  override name = 'InvalidPage';
}

/** The page number is not an integer. */
export class PageNotAnInteger extends InvalidPage {
  override name = 'PageNotAnInteger';
}

/** The page number is below 1 or past the last page. */
export class EmptyPage extends InvalidPage {
  override name = 'EmptyPage';
}

/** What a Paginator pages: an array, or a collection that counts and slices (a QuerySet). */
export type Pageable<T> =
  | readonly T[]
  | {
      count(): number | Promise<number>;
      slice(start: number, end: number): PromiseLike<T[]> | T[] | Iterable<T>;
    };

export interface PaginatorOptions {
  /** A last page of at most this many items joins the page before (default 0). */
  orphans?: number;
  /** Whether page 1 exists when there are no items (default true). */
  allowEmptyFirstPage?: boolean;
}

/** The marker of elided pages in `getElidedPageRange()`. */
export const ELLIPSIS = '…';

/** Splits `objectList` into pages. */
export class Paginator<T> {
  readonly objectList: Pageable<T>;
  readonly perPage: number;
  readonly orphans: number;
  readonly allowEmptyFirstPage: boolean;
  #count: number | undefined;

  constructor(objectList: Pageable<T>, perPage: number | string, options: PaginatorOptions = {}) {
    this.objectList = objectList;
    this.perPage = Number(perPage);
    this.orphans = Number(options.orphans ?? 0);
    this.allowEmptyFirstPage = options.allowEmptyFirstPage ?? true;
    if (!Number.isInteger(this.perPage) || this.perPage < 1) {
      throw new RangeError(`perPage must be a positive integer, not ${String(perPage)}.`);
    }
  }

  /** The number of items (asked once; a QuerySet is counted with `count()`). */
  async count(): Promise<number> {
    if (this.#count === undefined) {
      const list = this.objectList;
      this.#count = Array.isArray(list) ? list.length : await (list as { count(): number | Promise<number> }).count();
    }
    return this.#count;
  }

  /** The number of pages (at least 1 when `allowEmptyFirstPage`). */
  async numPages(): Promise<number> {
    const count = await this.count();
    if (count === 0 && !this.allowEmptyFirstPage) return 0;
    const hits = Math.max(1, count - this.orphans);
    return Math.ceil(hits / this.perPage);
  }

  /** 1 to `numPages()`. */
  async pageRange(): Promise<number[]> {
    const pages = await this.numPages();
    return Array.from({ length: pages }, (_, i) => i + 1);
  }

  /** The page number as an integer in range; PageNotAnInteger or EmptyPage otherwise. */
  async validateNumber(number: unknown): Promise<number> {
    let n: number;
    if (typeof number === 'number') n = number;
    else if (typeof number === 'string' && /^\s*[-+]?\d+\s*$/.test(number)) n = Number(number);
    else throw new PageNotAnInteger('That page number is not an integer');
    if (!Number.isInteger(n)) throw new PageNotAnInteger('That page number is not an integer');
    if (n < 1) throw new EmptyPage('That page number is less than 1');
    if (n > (await this.numPages())) {
      if (n === 1 && this.allowEmptyFirstPage) return n;
      throw new EmptyPage('That page contains no results');
    }
    return n;
  }

  /** Page `number`, forgiving: the first page for a non-integer, the last for one out of range. */
  async getPage(number: unknown): Promise<Page<T>> {
    let n: number;
    try {
      n = await this.validateNumber(number);
    } catch (error) {
      if (error instanceof PageNotAnInteger) n = 1;
      else if (error instanceof EmptyPage) n = await this.numPages();
      else throw error;
    }
    return this.page(n);
  }

  /** Page `number`; PageNotAnInteger or EmptyPage when it is not one. */
  async page(number: unknown): Promise<Page<T>> {
    const n = await this.validateNumber(number);
    const bottom = (n - 1) * this.perPage;
    let top = bottom + this.perPage;
    const count = await this.count();
    if (top + this.orphans >= count) top = count;
    const list = this.objectList;
    const items = Array.isArray(list)
      ? list.slice(bottom, top)
      : [...((await (list as { slice(a: number, b: number): unknown }).slice(bottom, top)) as Iterable<T>)];
    return new Page<T>(items, n, this, count, await this.numPages());
  }

  /**
   * The page numbers around `number` with `…` for the elided ones: `onEachSide` pages either side
   * of it and `onEnds` at each end (Django's `get_elided_page_range`).
   */
  async getElidedPageRange(
    number: unknown = 1,
    options: { onEachSide?: number; onEnds?: number } = {},
  ): Promise<(number | string)[]> {
    const onEachSide = options.onEachSide ?? 3;
    const onEnds = options.onEnds ?? 2;
    const n = await this.validateNumber(number);
    const numPages = await this.numPages();
    const range = (a: number, b: number): number[] => Array.from({ length: Math.max(0, b - a) }, (_, i) => a + i);
    if (numPages <= (onEachSide + onEnds) * 2) return range(1, numPages + 1);
    const out: (number | string)[] = [];
    if (n > 1 + onEachSide + onEnds + 1) {
      out.push(...range(1, onEnds + 1), ELLIPSIS, ...range(n - onEachSide, n + 1));
    } else {
      out.push(...range(1, n + 1));
    }
    if (n < numPages - onEachSide - onEnds - 1) {
      out.push(...range(n + 1, n + onEachSide + 1), ELLIPSIS, ...range(numPages - onEnds + 1, numPages + 1));
    } else {
      out.push(...range(n + 1, numPages + 1));
    }
    return out;
  }
}

/** One page: its items and where it is. */
export class Page<T> implements Iterable<T> {
  readonly objectList: T[];
  readonly number: number;
  readonly paginator: Paginator<T>;
  /** The paginator's count and number of pages, known when the page was made. */
  readonly count: number;
  readonly numPages: number;

  constructor(objectList: T[], number: number, paginator: Paginator<T>, count: number, numPages: number) {
    this.objectList = objectList;
    this.number = number;
    this.paginator = paginator;
    this.count = count;
    this.numPages = numPages;
  }

  get length(): number {
    return this.objectList.length;
  }

  [Symbol.iterator](): Iterator<T> {
    return this.objectList[Symbol.iterator]();
  }

  at(index: number): T | undefined {
    return this.objectList.at(index);
  }

  hasNext(): boolean {
    return this.number < this.numPages;
  }

  hasPrevious(): boolean {
    return this.number > 1;
  }

  hasOtherPages(): boolean {
    return this.hasPrevious() || this.hasNext();
  }

  /** The next page's number; EmptyPage on the last page. */
  nextPageNumber(): number {
    if (!this.hasNext()) throw new EmptyPage('That page contains no results');
    return this.number + 1;
  }

  /** The previous page's number; EmptyPage on the first page. */
  previousPageNumber(): number {
    if (!this.hasPrevious()) throw new EmptyPage('That page number is less than 1');
    return this.number - 1;
  }

  /** The 1-based index of the first item of this page (0 when there are none). */
  startIndex(): number {
    if (this.count === 0) return 0;
    return this.paginator.perPage * (this.number - 1) + 1;
  }

  /** The 1-based index of the last item of this page. */
  endIndex(): number {
    if (this.number === this.numPages) return this.count;
    return this.number * this.paginator.perPage;
  }

  toString(): string {
    return `<Page ${this.number} of ${this.numPages}>`;
  }
}

// Django's names, for templates: {% if page_obj.has_next %}{{ page_obj.next_page_number }}.
for (const [alias, method] of Object.entries({
  has_next: 'hasNext',
  has_previous: 'hasPrevious',
  has_other_pages: 'hasOtherPages',
  next_page_number: 'nextPageNumber',
  previous_page_number: 'previousPageNumber',
  start_index: 'startIndex',
  end_index: 'endIndex',
  object_list: 'objectList',
})) {
  Object.defineProperty(Page.prototype, alias, {
    get(this: Record<string, unknown>) {
      const member = this[method];
      return typeof member === 'function' ? (member as () => unknown).call(this) : member;
    },
    configurable: true,
  });
}

// And the paginator's, for templates: {{ paginator.num_pages }}, {% for n in paginator.page_range %}.
for (const [alias, method] of Object.entries({ num_pages: 'numPages', page_range: 'pageRange' })) {
  Object.defineProperty(Paginator.prototype, alias, {
    get(this: Record<string, () => unknown>) {
      return this[method]!();
    },
    configurable: true,
  });
}
