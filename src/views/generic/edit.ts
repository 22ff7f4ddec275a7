/**
 * Views that process a form, as Django's `django.views.generic.edit`: `FormView` shows the form
 * on GET, validates it on POST (and PUT), then redirects to `successUrl` (`formValid()`) or shows
 * it again with its errors (`formInvalid()`).
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
import type { HttpRequest } from '../../http/request.ts';
import { HttpResponseRedirect, type HttpResponse } from '../../http/response.ts';
import type { HttpResponseBase } from '../../http/response.ts';
import type { Context } from '../../template/backends/base.ts';
import type { LazyUrl } from '../../urls/base.ts';
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

  /** The context, with `form` (a new one unless given). */
  override async getContextData(kwargs: Record<string, unknown>): Promise<Context> {
    const context = await super.getContextData(kwargs);
    if (!('form' in context)) context.form = this.getForm();
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
