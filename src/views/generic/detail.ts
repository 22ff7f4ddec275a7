/**
 * Views of one object, as Django's `django.views.generic.detail`: `SingleObjectMixin` finds the
 * object by the `pk` or `slug` the URL captured, in `queryset` or the model's objects (Http404
 * when there is none), puts it in the context as `object` and `<model>`, and names the template
 * `<app>/<model><templateNameSuffix>.html`. `DetailView` renders it; the editing views
 * (src/views/generic/edit.ts) and DateDetailView find their object with the same code.
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

/** A class the mixin extends: TemplateView or one of its subclasses (FormView). */
// A mixin's base must be constructible with any arguments (TypeScript's rule for mixin classes).
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type TemplateViewClass = new (...args: any[]) => TemplateView;

/**
 * Django's SingleObjectMixin and SingleObjectTemplateResponseMixin over `Base`: the one lookup
 * of an object by the URL's `pk` or `slug` that DetailView, DateDetailView, UpdateView and
 * DeleteView share. Its members are typed `unknown`; each view narrows them to its model's type.
 */
export function SingleObjectMixin<B extends TemplateViewClass>(Base: B) {
  class SingleObject extends Base {
    /** The model whose default manager is searched, when `queryset` is not set. */
    model: ModelClass<unknown> | undefined = undefined;
    /** The objects searched; copied (`.all()`) on each request. */
    queryset: QuerySet<unknown> | undefined = undefined;
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
    /** The object of this request (null before it is found, and while creating one). */
    object: unknown = null;

    /**
     * The object the URL's `pk` (or `slug`, in `slugField`) names in `queryset` (default
     * `getQueryset()`): Http404 `No <model> found matching the query` when none matches,
     * MultipleObjectsReturned when several do.
     */
    async getObject(queryset: QuerySet<unknown> = this.getQueryset()): Promise<unknown> {
      const pk = this.kwargs[this.pkUrlKwarg];
      const slug = this.kwargs[this.slugUrlKwarg];
      if (pk === undefined && slug === undefined) {
        throw new TypeError(
          `Generic detail view ${this.constructor.name} must be called with either an object pk or a slug in the URLconf: capture <int:${this.pkUrlKwarg}> or <slug:${this.slugUrlKwarg}> in its path.`,
        );
      }
      if (pk !== undefined) queryset = queryset.filter({ pk } as never);
      if (slug !== undefined && (pk === undefined || this.queryPkAndSlug)) {
        queryset = queryset.filter({ [this.getSlugField()]: slug } as never);
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
    getQueryset(): QuerySet<unknown> {
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

    /** The model: `model`, the object's, or the queryset's. */
    getModelMeta(): Options | undefined {
      return this.model?._meta ?? instanceMeta(this.object) ?? this.queryset?.meta;
    }

    /** The context: `object` and `<model>` (or `contextObjectName`) when there is one, then `kwargs`. */
    override async getContextData(kwargs: Record<string, unknown>): Promise<Context> {
      const context: Context = {};
      const object = this.object;
      if (object) {
        context.object = object;
        const name = this.getContextObjectName(object);
        if (name) context[name] = object;
      }
      return super.getContextData({ ...context, ...kwargs });
    }

    /**
     * `templateName`; else the object's `templateNameField`, then
     * `<app>/<model><templateNameSuffix>.html` of the object, or of the model.
     */
    override getTemplateNames(): string[] {
      try {
        return super.getTemplateNames();
      } catch (error) {
        if (!(error instanceof ImproperlyConfigured)) throw error;
        const names: string[] = [];
        const object = this.object;
        if (object && this.templateNameField !== undefined) {
          const name = (object as Record<string, unknown>)[this.templateNameField];
          if (name) names.push(String(name));
        }
        const meta = this.getModelMeta();
        if (meta !== undefined) names.push(`${meta.appLabel}/${meta.modelName}${this.templateNameSuffix}.html`);
        if (names.length === 0) throw error;
        return names;
      }
    }
  }
  return SingleObject;
}

/** Shows one object, found by the URL's `pk` or `slug`: `<app>/<model>_detail.html` with `object`. */
export class DetailView<T = unknown> extends SingleObjectMixin(TemplateView) {
  // The mixin's members are typed `unknown` (a base class cannot take this class's type
  // parameter): narrowed to the model's type here.
  declare model: ModelClass<T> | undefined;
  declare queryset: QuerySet<T> | undefined;
  /** The object of this request, set by `get()`. */
  declare object: T;

  override getObject(queryset?: QuerySet<T>): Promise<T> {
    return super.getObject(queryset) as Promise<T>;
  }

  override getQueryset(): QuerySet<T> {
    return super.getQueryset() as QuerySet<T>;
  }

  /** Shows the object; Http404 when the URL names none. */
  override async get(request: HttpRequest, ..._rest: unknown[]): Promise<HttpResponse> {
    this.object = await this.getObject();
    return this.renderToResponse(await this.getContextData({ object: this.object }), request);
  }
}
