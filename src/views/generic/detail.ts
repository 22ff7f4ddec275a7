/**
 * `DetailView`, as Django's `django.views.generic.detail`: renders one object, found by the
 * `pk` or `slug` the URL captured, in the template `<app>/<model>_detail.html` with `object` and
 * `<model>` in the context; Http404 when there is none.
 *
 * @example
 * path('posts/<int:pk>/', DetailView.asView({ model: Post }), { name: 'post' });
 * path('posts/<slug:slug>/', DetailView.asView({ model: Post, contextObjectName: 'post' }));
 *
 * class MyPost extends DetailView<Post> {
 *   override getQueryset() { return Post.objects.filter({ author: this.request.user.pk }); }
 * }
 */
import { ImproperlyConfigured } from '../../core/exceptions.ts';
import type { Options, QuerySet } from '../../db/models/index.ts';
import { Http404 } from '../../http/exceptions.ts';
import type { HttpRequest } from '../../http/request.ts';
import type { HttpResponse } from '../../http/response.ts';
import type { Context } from '../../template/backends/base.ts';
import type { ModelClass } from './list.ts';
import { TemplateView } from './template.ts';

/** The model metadata of a model instance, or undefined for anything else. */
export function instanceMeta(object: unknown): Options | undefined {
  if (typeof object !== 'object' || object === null) return undefined;
  const meta = (object.constructor as Partial<ModelClass<unknown>> | undefined)?._meta;
  return meta === undefined ? undefined : meta;
}

/** Finds one object from the URL's kwargs (Django's SingleObjectMixin, with DetailView's template names). */
export class DetailView<T = unknown> extends TemplateView {
  /** The model whose default manager is searched, when `queryset` is not set. */
  model: ModelClass<T> | undefined = undefined;
  /** The objects searched; re-evaluated (`.all()`) on each request. */
  queryset: QuerySet<T> | undefined = undefined;
  /** The model field the `slug` kwarg is looked up in. */
  slugField = 'slug';
  /** The context name of the object besides `object` (default the model's name, `post`). */
  contextObjectName: string | undefined = undefined;
  slugUrlKwarg = 'slug';
  pkUrlKwarg = 'pk';
  /** Look up by both pk and slug when the URL captured both (else by pk only). */
  queryPkAndSlug = false;
  /** A field of the object naming its template, tried first. */
  templateNameField: string | undefined = undefined;
  templateNameSuffix = '_detail';
  /** The object of this request, set by `get()`. */
  object!: T;

  /** The object the URL's `pk` (or `slug`) names in `queryset`; Http404 when none matches. */
  async getObject(queryset: QuerySet<T> = this.getQueryset()): Promise<T> {
    const pk = this.kwargs[this.pkUrlKwarg];
    const slug = this.kwargs[this.slugUrlKwarg];
    if (pk !== undefined) queryset = queryset.filter({ pk } as never);
    if (slug !== undefined && (pk === undefined || this.queryPkAndSlug)) {
      queryset = queryset.filter({ [this.getSlugField()]: slug } as never);
    }
    if (pk === undefined && slug === undefined) {
      throw new TypeError(
        `Generic detail view ${this.constructor.name} must be called with either an object pk or a slug in the URLconf: capture <int:${this.pkUrlKwarg}> or <slug:${this.slugUrlKwarg}> in its path.`,
      );
    }
    try {
      return await queryset.get();
    } catch (error) {
      if (error instanceof queryset.meta.DoesNotExist) {
        throw new Http404(`No ${queryset.meta.verboseName} found matching the query`);
      }
      throw error;
    }
  }

  /** `queryset`, or all the objects of `model`. */
  getQueryset(): QuerySet<T> {
    if (this.queryset !== undefined) return this.queryset.all();
    if (this.model !== undefined) return this.model.objects.all();
    const name = this.constructor.name;
    throw new ImproperlyConfigured(
      `${name} is missing a QuerySet. Define ${name}.model, ${name}.queryset, or override ${name}.getQueryset().`,
    );
  }

  getSlugField(): string {
    return this.slugField;
  }

  /** `contextObjectName`, else the model's name (`post`) for a model instance. */
  getContextObjectName(object: unknown): string | undefined {
    if (this.contextObjectName !== undefined) return this.contextObjectName;
    return instanceMeta(object)?.modelName;
  }

  /** The context: `object`, `<model>` (or `contextObjectName`), `view`, and `kwargs` (which win). */
  override async getContextData(kwargs: Record<string, unknown>): Promise<Context> {
    const context: Context = {};
    const object = this.object as unknown;
    if (object) {
      context.object = object;
      const name = this.getContextObjectName(object);
      if (name) context[name] = object;
    }
    return super.getContextData({ ...context, ...kwargs });
  }

  /** `templateName`; else the object's `templateNameField`, then `<app>/<model>_detail.html`. */
  override getTemplateNames(): string[] {
    try {
      return super.getTemplateNames();
    } catch (error) {
      if (!(error instanceof ImproperlyConfigured)) throw error;
      const names: string[] = [];
      const object = this.object as unknown;
      if (object && this.templateNameField !== undefined) {
        const name = (object as Record<string, unknown>)[this.templateNameField];
        if (name) names.push(String(name));
      }
      const meta = instanceMeta(object) ?? this.model?._meta;
      if (meta !== undefined) names.push(`${meta.appLabel}/${meta.modelName}${this.templateNameSuffix}.html`);
      if (names.length === 0) throw error;
      return names;
    }
  }

  /** Shows the object; Http404 when the URL names none. */
  override async get(request: HttpRequest, ..._rest: unknown[]): Promise<HttpResponse> {
    this.object = await this.getObject();
    return this.renderToResponse(await this.getContextData({ object: this.object }), request);
  }
}
