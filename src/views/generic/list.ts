/**
 * `ListView`, as Django's `django.views.generic.list`: renders a list of objects (a QuerySet, or
 * any array), paginated by `paginateBy` with the `page` query parameter (or URL kwarg), in the
 * template `<app>/<model>_list.html` with `object_list`, `<model>_list`, `paginator`, `page_obj`
 * and `is_paginated` in the context.
 *
 * @example
 * path('posts/', ListView.asView({ model: Post, paginateBy: 20, ordering: '-published' }), { name: 'posts' });
 *
 * class PublishedPosts extends ListView<Post> {
 *   override paginateBy = 20;
 *   override getQueryset() { return Post.objects.filter({ published: true }); }
 * }
 */
import { ImproperlyConfigured } from '../../core/exceptions.ts';
import { InvalidPage, Paginator, type Page, type Pageable, type PaginatorOptions } from '../../core/paginator.ts';
import type { Manager, Options, QuerySet } from '../../db/models/index.ts';
import { Http404 } from '../../http/exceptions.ts';
import type { HttpRequest } from '../../http/request.ts';
import type { HttpResponse } from '../../http/response.ts';
import type { Context } from '../../template/backends/base.ts';
import { TemplateView } from './template.ts';

/** A model class as the generic views take it: its default manager and its metadata. */
export interface ModelClass<T> {
  readonly objects: Manager<T>;
  readonly _meta: Options;
}

/** What a ListView lists: a QuerySet, or an array. */
export type ObjectList<T> = QuerySet<T, T> | readonly T[];

/** The paginator class a ListView uses (`Paginator`, or a subclass). */
export type PaginatorClassOf<T> = new (
  objectList: Pageable<T>,
  perPage: number,
  options?: PaginatorOptions,
) => Paginator<T>;

/** The model metadata of a QuerySet, or undefined for an array. */
export function querysetMeta(list: unknown): Options | undefined {
  if (typeof list !== 'object' || list === null || !('queryState' in list)) return undefined;
  return (list as QuerySet<unknown>).meta;
}

/** Python's `int(str)`: optional blanks and sign around decimal digits; NaN otherwise. */
function parseInteger(value: unknown): number {
  if (typeof value === 'number') return Number.isInteger(value) ? value : NaN;
  const text = String(value);
  return /^\s*[+-]?\d+(?:_\d+)*\s*$/.test(text) ? Number(text.replace(/_/g, '')) : NaN;
}

/** Lists objects, one page at a time when `paginateBy` is set (Django's MultipleObjectMixin and ListView). */
export class ListView<T = unknown> extends TemplateView {
  /** Whether an empty list is shown (true) or answered 404 (false). */
  allowEmpty = true;
  /** The objects listed; a QuerySet is re-evaluated (`.all()`) on each request. */
  queryset: ObjectList<T> | undefined = undefined;
  /** The model whose default manager gives the objects, when `queryset` is not set. */
  model: ModelClass<T> | undefined = undefined;
  /** Objects per page; undefined for no pagination. */
  paginateBy: number | undefined = undefined;
  /** A last page of at most this many objects joins the page before. */
  paginateOrphans = 0;
  /** The context name of the list besides `object_list` (default `<model>_list`). */
  contextObjectName: string | undefined = undefined;
  paginatorClass: PaginatorClassOf<T> = Paginator;
  /** The URL kwarg or query parameter of the page number. */
  pageKwarg = 'page';
  /** The fields the objects are ordered by (`'-published'` descending). */
  ordering: string | readonly string[] | undefined = undefined;
  templateNameSuffix = '_list';
  /** The objects of this request, set by `get()`. */
  objectList!: ObjectList<T>;

  /** The objects to list: `queryset`, or the model's default manager's, ordered by `getOrdering()`. */
  getQueryset(): ObjectList<T> {
    let queryset: ObjectList<T>;
    if (this.queryset !== undefined) {
      queryset = querysetMeta(this.queryset) ? (this.queryset as QuerySet<T>).all() : this.queryset;
    } else if (this.model !== undefined) {
      queryset = this.model.objects.all();
    } else {
      const name = this.constructor.name;
      throw new ImproperlyConfigured(
        `${name} is missing a QuerySet. Define ${name}.model, ${name}.queryset, or override ${name}.getQueryset().`,
      );
    }
    const ordering = this.getOrdering();
    if (ordering !== undefined && ordering.length > 0) {
      if (!querysetMeta(queryset)) {
        throw new ImproperlyConfigured(
          `${this.constructor.name}.ordering needs a QuerySet to order, and its list is an array. Sort the array yourself, or list a QuerySet.`,
        );
      }
      queryset = (queryset as QuerySet<T>).orderBy(...(ordering as never[]));
    }
    return queryset;
  }

  getOrdering(): readonly string[] | undefined {
    return typeof this.ordering === 'string' ? [this.ordering] : this.ordering;
  }

  /** Objects per page for this list, or undefined for none. */
  getPaginateBy(_queryset: ObjectList<T>): number | undefined {
    return this.paginateBy;
  }

  getPaginateOrphans(): number {
    return this.paginateOrphans;
  }

  getAllowEmpty(): boolean {
    return this.allowEmpty;
  }

  getPaginator(queryset: ObjectList<T>, perPage: number, options: PaginatorOptions = {}): Paginator<T> {
    return new this.paginatorClass(queryset as Pageable<T>, perPage, options);
  }

  /**
   * The page asked for (URL kwarg, else query parameter, else 1; `last` is the last page), or
   * Http404 with Django's message for a number that is not one or out of range.
   */
  async paginateQueryset(
    queryset: ObjectList<T>,
    pageSize: number,
  ): Promise<{ paginator: Paginator<T>; page: Page<T>; objectList: T[]; isPaginated: boolean }> {
    const paginator = this.getPaginator(queryset, pageSize, {
      orphans: this.getPaginateOrphans(),
      allowEmptyFirstPage: this.getAllowEmpty(),
    });
    const asked = this.kwargs[this.pageKwarg] || this.request.GET.get(this.pageKwarg) || 1;
    let number = parseInteger(asked);
    if (Number.isNaN(number)) {
      if (asked !== 'last') throw new Http404('Page is not “last”, nor can it be converted to an int.');
      number = await paginator.numPages();
    }
    try {
      const page = await paginator.page(number);
      return { paginator, page, objectList: page.objectList, isPaginated: page.hasOtherPages() };
    } catch (error) {
      if (error instanceof InvalidPage) {
        throw new Http404(`Invalid page (${number}): ${error.message}`);
      }
      throw error;
    }
  }

  /** `<model>_list` for a QuerySet, or `contextObjectName`. */
  getContextObjectName(objectList: ObjectList<T>): string | undefined {
    if (this.contextObjectName !== undefined) return this.contextObjectName;
    const meta = querysetMeta(objectList);
    return meta === undefined ? undefined : `${meta.modelName}_list`;
  }

  /**
   * The context: `object_list` (the page's objects when paginated), `<model>_list`, `paginator`,
   * `page_obj`, `is_paginated`, `view`, and `kwargs` (which win).
   */
  override async getContextData(kwargs: Record<string, unknown>): Promise<Context> {
    // As Django's keyword-only object_list: the list to show, not a context entry of its own.
    const { object_list: given, ...rest } = kwargs;
    const queryset = (given as ObjectList<T> | undefined) ?? this.objectList;
    const pageSize = this.getPaginateBy(queryset);
    const name = this.getContextObjectName(queryset);
    let context: Context;
    if (pageSize) {
      const { paginator, page, objectList, isPaginated } = await this.paginateQueryset(queryset, pageSize);
      context = { paginator, page_obj: page, is_paginated: isPaginated, object_list: objectList };
    } else {
      context = { paginator: null, page_obj: null, is_paginated: false, object_list: queryset };
    }
    if (name !== undefined) context[name] = context.object_list;
    return super.getContextData({ ...context, ...rest });
  }

  /** `templateName`, then `<app>/<model>_list.html` for a QuerySet. */
  override getTemplateNames(): string[] {
    let names: string[];
    try {
      names = super.getTemplateNames();
    } catch (error) {
      if (!(error instanceof ImproperlyConfigured)) throw error;
      names = [];
    }
    const meta = querysetMeta(this.objectList);
    if (meta !== undefined) {
      names.push(`${meta.appLabel}/${meta.modelName}${this.templateNameSuffix}.html`);
    } else if (names.length === 0) {
      throw new ImproperlyConfigured(
        `${this.constructor.name} requires either a 'templateName' attribute or a getQueryset() method that returns a QuerySet.`,
      );
    }
    return names;
  }

  /** Lists the objects; Http404 for an empty list when `allowEmpty` is false. */
  override async get(request: HttpRequest, ..._rest: unknown[]): Promise<HttpResponse> {
    this.objectList = this.getQueryset();
    if (!this.getAllowEmpty()) {
      const list = this.objectList;
      const meta = querysetMeta(list);
      const empty = meta ? !(await (list as QuerySet<T>).exists()) : (list as readonly T[]).length === 0;
      if (empty) throw new Http404(`Empty list and “${this.constructor.name}.allowEmpty” is False.`);
    }
    // As Django's BaseListView: the URL's kwargs are not put in the context (TemplateView's are).
    return this.renderToResponse(await this.getContextData({}), request);
  }
}
