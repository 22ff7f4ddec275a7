/**
 * Views that process a form, as Django's `django.views.generic.edit`: `FormView` shows the form
 * on GET, validates it on POST (and PUT), then redirects to `successUrl` (`formValid()`) or shows
 * it again with its errors (`formInvalid()`). `CreateView` and `UpdateView` do it with a ModelForm
 * of a model (saved when valid); `DeleteView` confirms on GET and deletes on POST.
 *
 * @example
 * class ContactView extends FormView {
 *   override templateName = 'contact.html';
 *   override formClass = ContactForm;
 *   override successUrl = '/thanks/';
 *   override async formValid(form: InstanceType<typeof ContactForm>) {
 *     await sendEmail(form.cleanedData);
 *     return super.formValid(form);
 *   }
 * }
 */
import { ImproperlyConfigured } from '../../core/exceptions.ts';
import type { BaseForm, FormOptions } from '../../forms/forms.ts';
import type * as ModelForms from '../../forms/models.ts';
import type { HttpRequest } from '../../http/request.ts';
import { HttpResponseRedirect, type HttpResponse } from '../../http/response.ts';
import type { HttpResponseBase } from '../../http/response.ts';
import type { Context } from '../../template/backends/base.ts';
import type { LazyUrl } from '../../urls/base.ts';
import { lazyModule } from '../../utils/module-loading.ts';
import type { QuerySet } from '../../db/models/query.ts';
import { DetailView, SingleObjectMixin } from './detail.ts';
import type { ModelClass } from './list.ts';
import { TemplateView } from './template.ts';

/** A form class, as FormView takes it. */
export type FormClassOf<F extends BaseForm = BaseForm> = new (options?: FormOptions & Record<string, unknown>) => F;

/** Shows a form and processes it (Django's FormMixin, ProcessFormView and FormView). */
export class FormView<F extends BaseForm = BaseForm> extends TemplateView {
  /** The initial values of the form. */
  initial: Record<string, unknown> = {};
  formClass: FormClassOf<F> | undefined = undefined;
  /** Where a valid form redirects to (may be a `reverseLazy()` value). */
  successUrl: string | LazyUrl | undefined = undefined;
  prefix: string | undefined = undefined;

  getInitial(): Record<string, unknown> {
    return { ...this.initial };
  }

  getPrefix(): string | undefined {
    return this.prefix;
  }

  getFormClass(): FormClassOf<F> {
    if (this.formClass === undefined) {
      throw new ImproperlyConfigured(
        `${this.constructor.name} is missing a form class. Define ${this.constructor.name}.formClass, or override getFormClass().`,
      );
    }
    return this.formClass;
  }

  /** The form, bound to the request's data on POST and PUT. */
  getForm(formClass: FormClassOf<F> = this.getFormClass()): F {
    return new formClass(this.getFormKwargs());
  }

  /** The form's options: initial, prefix, and the submitted data and files on POST and PUT. */
  getFormKwargs(): FormOptions & Record<string, unknown> {
    const kwargs: FormOptions & Record<string, unknown> = { initial: this.getInitial() };
    const prefix = this.getPrefix();
    if (prefix !== undefined) kwargs.prefix = prefix;
    if (this.request.method === 'POST' || this.request.method === 'PUT') {
      kwargs.data = this.request.POST;
      kwargs.files = this.request.FILES;
    }
    return kwargs;
  }

  getSuccessUrl(): string {
    if (!this.successUrl) {
      throw new ImproperlyConfigured(
        `No URL to redirect to. Provide a successUrl on ${this.constructor.name}, or override getSuccessUrl().`,
      );
    }
    return String(this.successUrl);
  }

  /** A valid form: redirects to the success URL. */
  formValid(_form: F): HttpResponseBase | Promise<HttpResponseBase> {
    return new HttpResponseRedirect(this.getSuccessUrl());
  }

  /** An invalid form: the page again, with the form and its errors. */
  async formInvalid(form: F): Promise<HttpResponseBase> {
    return this.renderToResponse(await this.getContextData({ ...this.kwargs, form }));
  }

  /**
   * The context, with `form` (a new one unless given), its queryset choices read
   * (`form.loadChoices()`) so that the template can draw it.
   */
  override async getContextData(kwargs: Record<string, unknown>): Promise<Context> {
    const context = await super.getContextData(kwargs);
    if (!('form' in context)) context.form = this.getForm();
    const form = context.form as { loadChoices?: () => Promise<void> } | null;
    if (form && typeof form.loadChoices === 'function') await form.loadChoices();
    return context;
  }

  override async get(_request: HttpRequest, ..._rest: unknown[]): Promise<HttpResponse> {
    return this.renderToResponse(await this.getContextData(this.kwargs));
  }

  async post(_request: HttpRequest, ..._rest: unknown[]): Promise<HttpResponseBase> {
    const form = this.getForm();
    return (await form.isValid()) ? this.formValid(form) : this.formInvalid(form);
  }

  async put(request: HttpRequest, ...rest: unknown[]): Promise<HttpResponseBase> {
    return this.post(request, ...rest);
  }
}

/** A model class as the editing views take it: its default manager and metadata. */
export interface EditableModel<T = unknown> extends ModelClass<T> {
  readonly name: string;
}

// Loaded when a view first builds a ModelForm from `fields`: tsgi/views loads no ORM at start-up.
const modelForms = lazyModule<typeof ModelForms>(import.meta.url, '../../forms/models');

/**
 * What the editing views of one object share (Django's ModelFormMixin): the object found by the
 * single-object lookup (src/views/generic/detail.ts), a ModelForm of it (`formClass`, or one made
 * of the model's `fields`), saved when valid.
 */
export class ModelFormView<T = unknown, F extends BaseForm = BaseForm> extends SingleObjectMixin(FormView) {
  // The mixin's members are typed `unknown` and FormView's by BaseForm (a base class cannot take
  // this class's type parameters): narrowed to the model's and the form's types here.
  declare model: EditableModel<T> | undefined;
  declare queryset: QuerySet<T> | undefined;
  /** The object edited (null while creating). */
  declare object: T | null;
  declare formClass: FormClassOf<F> | undefined;
  /** The model fields of the ModelForm made when no `formClass` is given. */
  fields: readonly string[] | '__all__' | undefined = undefined;
  override templateNameSuffix = '_form';

  override getObject(queryset?: QuerySet<T>): Promise<T> {
    return super.getObject(queryset) as Promise<T>;
  }

  override getQueryset(): QuerySet<T> {
    return super.getQueryset() as QuerySet<T>;
  }

  override getForm(formClass: FormClassOf<F> = this.getFormClass()): F {
    return super.getForm(formClass) as F;
  }

  /** `formClass`, or a ModelForm of the model with `fields`. */
  override getFormClass(): FormClassOf<F> {
    const name = this.constructor.name;
    if (this.fields !== undefined && this.formClass !== undefined) {
      throw new ImproperlyConfigured(`Specifying both 'fields' and 'formClass' is not permitted (${name}).`);
    }
    if (this.formClass !== undefined) return this.formClass;
    const meta = this.getModelMeta();
    if (meta === undefined) {
      throw new ImproperlyConfigured(`${name} is missing a model: define ${name}.model, queryset or formClass.`);
    }
    if (this.fields === undefined) {
      throw new ImproperlyConfigured(
        `Using ModelFormView (base class of ${name}) without the 'fields' attribute is prohibited: list the model fields the form edits, fields = ['title', ...] (or '__all__').`,
      );
    }
    return modelForms().modelformFactory(meta.model as never, {
      fields: this.fields as never,
    }) as unknown as FormClassOf<F>;
  }

  /** The form's options, with `instance`: the object edited. */
  override getFormKwargs(): FormOptions & Record<string, unknown> {
    return { ...super.getFormKwargs(), instance: this.object };
  }

  /**
   * `successUrl` with `{field}` filled from the saved object (`/books/{id}/`), else the object's
   * `getAbsoluteUrl()`.
   */
  override getSuccessUrl(): string {
    const object = this.object as Record<string, unknown> | null;
    if (this.successUrl) {
      return String(this.successUrl).replace(/\{(\w+)\}/g, (_m, key: string) => String(object?.[key] ?? ''));
    }
    if (object !== null && typeof object.getAbsoluteUrl === 'function') {
      return String((object.getAbsoluteUrl as () => unknown).call(object));
    }
    throw new ImproperlyConfigured(
      `No URL to redirect to. Either provide a url (${this.constructor.name}.successUrl) or define a getAbsoluteUrl() method on the Model.`,
    );
  }

  /** A valid form: the object is saved, then the redirect. */
  override async formValid(form: F): Promise<HttpResponseBase> {
    this.object = await (form as unknown as { save(): Promise<T> }).save();
    return super.formValid(form);
  }
}

/**
 * Creates an object: a ModelForm of the model on GET, saved on a valid POST, then a redirect to
 * `successUrl` (`{id}` filled in) or the object's `getAbsoluteUrl()`. Template:
 * `<app>/<model>_form.html` with `form`.
 *
 * @example
 * path('books/new/', CreateView.asView({ model: Book, fields: ['title', 'author'], successUrl: '/books/{id}/' }));
 */
export class CreateView<T = unknown, F extends BaseForm = BaseForm> extends ModelFormView<T, F> {
  override async get(request: HttpRequest, ...rest: unknown[]): Promise<HttpResponse> {
    this.object = null;
    return super.get(request, ...rest);
  }

  override async post(request: HttpRequest, ...rest: unknown[]): Promise<HttpResponseBase> {
    this.object = null;
    return super.post(request, ...rest);
  }
}

/**
 * Edits the object the URL names (`pk` or `slug`; Http404 when none): its ModelForm filled from
 * it, saved on a valid POST. Template: `<app>/<model>_form.html` with `form`, `object`, `<model>`.
 *
 * @example
 * path('books/<int:pk>/edit/', UpdateView.asView({ model: Book, fields: ['title'], successUrl: '/books/' }));
 */
export class UpdateView<T = unknown, F extends BaseForm = BaseForm> extends ModelFormView<T, F> {
  override async get(request: HttpRequest, ...rest: unknown[]): Promise<HttpResponse> {
    this.object = await this.getObject();
    return super.get(request, ...rest);
  }

  override async post(request: HttpRequest, ...rest: unknown[]): Promise<HttpResponseBase> {
    this.object = await this.getObject();
    return super.post(request, ...rest);
  }
}

/**
 * Deletes the object the URL names: GET shows `<app>/<model>_confirm_delete.html` (with `object`
 * and `<model>`), POST (or DELETE) deletes it and redirects to `successUrl` (`{id}` filled from the
 * deleted object). As Django 3.2's DeleteView.
 *
 * @example
 * path('books/<int:pk>/delete/', DeleteView.asView({ model: Book, successUrl: '/books/' }));
 */
export class DeleteView<T = unknown> extends DetailView<T> {
  successUrl: string | LazyUrl | undefined = undefined;
  override templateNameSuffix = '_confirm_delete';

  getSuccessUrl(): string {
    if (!this.successUrl) {
      throw new ImproperlyConfigured(`No URL to redirect to. Provide a successUrl on ${this.constructor.name}.`);
    }
    const object = this.object as Record<string, unknown> | null;
    return String(this.successUrl).replace(/\{(\w+)\}/g, (_m, key: string) => String(object?.[key] ?? ''));
  }

  /** Deletes the object, then redirects to the success URL. */
  async delete(_request: HttpRequest, ..._rest: unknown[]): Promise<HttpResponseBase> {
    this.object = await this.getObject();
    const successUrl = this.getSuccessUrl();
    await (this.object as unknown as { delete(): Promise<unknown> }).delete();
    return new HttpResponseRedirect(successUrl);
  }

  async post(request: HttpRequest, ...rest: unknown[]): Promise<HttpResponseBase> {
    return this.delete(request, ...rest);
  }
}
