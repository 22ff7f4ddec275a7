/**
 * The auth views, as Django's `django.contrib.auth.views` (docs/auth.md): LoginView,
 * LogoutView (POST only, as Django 5), PasswordChangeView and PasswordChangeDoneView, and the
 * four steps of a password reset (PasswordResetView mails a link, PasswordResetDoneView says
 * so, PasswordResetConfirmView checks the link and sets the password, PasswordResetCompleteView
 * says it is done). `tsgi/contrib/auth/urls` maps them under Django's names and paths.
 *
 * Every redirect that follows a `next` goes through `urlHasAllowedHostAndScheme` (relative,
 * or this request's host, or one of `successUrlAllowedHosts`; https when the request is): an
 * off-site `next` is ignored and the view's default is used. Responses are never cached.
 */
import { settings } from '../../conf/index.ts';
import { addNeverCacheHeaders } from '../../http/cache.ts';
import type { HttpRequest } from '../../http/request.ts';
import { HttpResponseRedirect, type HttpResponseBase } from '../../http/response.ts';
import { resolveUrl } from '../../shortcuts.ts';
import { reverseLazy } from '../../urls/base.ts';
import type { Context } from '../../template/backends/base.ts';
import { FormView, type FormClassOf } from '../../views/generic/edit.ts';
import { TemplateView } from '../../views/generic/template.ts';
import type { BaseForm, FormOptions } from '../../forms/forms.ts';
import { getUserModel, REDIRECT_FIELD_NAME } from './configured.ts';
import { requestUser } from './decorators.ts';
import { AuthenticationForm, PasswordChangeForm, PasswordResetForm, SetPasswordForm, type FormUser } from './forms.ts';
import { login, logout, updateSessionAuthHash } from './login.ts';
import { LoginRequiredMixin } from './mixins.ts';
import { safeNextUrl } from './redirects.ts';
import { defaultTokenGenerator, uidDecode, type PasswordResetTokenGenerator } from './tokens.ts';

/** The session key that holds a reset token between the link and the form (the URL no longer shows it). */
export const INTERNAL_RESET_SESSION_TOKEN = '_password_reset_token';

type Kwargs = FormOptions & Record<string, unknown>;

/** A URL or a pattern name as a URL. */
const toUrl = (target: string) => resolveUrl(target as never);

async function noCache(response: HttpResponseBase | Promise<HttpResponseBase>): Promise<HttpResponseBase> {
  const done = await response;
  addNeverCacheHeaders(done);
  return done;
}

/** The `next` of a request (POST first, then the query string), when it is safe to go to; else ''. */
function safeNext(request: HttpRequest, fieldName: string, allowedHosts: Iterable<string>): string {
  const next = request.POST.get(fieldName) ?? request.GET.get(fieldName) ?? '';
  return safeNextUrl(request, next, allowedHosts);
}

/**
 * Shows the login form and logs the user in: then to the safe `next`, else LOGIN_REDIRECT_URL.
 *
 * @example path('accounts/login/', LoginView.asView(), { name: 'login' })
 */
export class LoginView extends FormView {
  override formClass: FormClassOf | undefined = AuthenticationForm as unknown as FormClassOf;
  /** A form class to use instead of `formClass` (Django's `authentication_form`). */
  authenticationForm: FormClassOf | null = null;
  override templateName: string | readonly string[] | undefined = 'registration/login.html';
  redirectFieldName = REDIRECT_FIELD_NAME;
  /** A logged-in visitor is sent on at once instead of seeing the form. */
  redirectAuthenticatedUser = false;
  /** Where to go after the login when there is no safe `next` (a URL or a pattern name). */
  nextPage: string | null = null;
  /** Other hosts a `next` may point at. */
  successUrlAllowedHosts: string[] = [];

  override async dispatch(request: HttpRequest, ...rest: unknown[]): Promise<HttpResponseBase> {
    if (this.redirectAuthenticatedUser && (await requestUser(request, this.constructor.name)).isAuthenticated) {
      const redirectTo = this.getSuccessUrl();
      if (redirectTo === request.path) {
        throw new Error(
          'Redirection loop for authenticated user detected. Check that your LOGIN_REDIRECT_URL doesn’t point to a login page.',
        );
      }
      return noCache(new HttpResponseRedirect(redirectTo));
    }
    return noCache(super.dispatch(request, ...rest));
  }

  override getFormClass(): FormClassOf {
    return this.authenticationForm ?? super.getFormClass();
  }

  override getFormKwargs(): Kwargs {
    return { ...super.getFormKwargs(), request: this.request };
  }

  /** The safe `next`, or ''. */
  getRedirectUrl(): string {
    return safeNext(this.request, this.redirectFieldName, this.successUrlAllowedHosts);
  }

  getDefaultRedirectUrl(): string {
    return toUrl(this.nextPage ?? String(settings.LOGIN_REDIRECT_URL));
  }

  override getSuccessUrl(): string {
    return this.getRedirectUrl() || this.getDefaultRedirectUrl();
  }

  override async formValid(form: BaseForm): Promise<HttpResponseBase> {
    await login(this.request, (form as AuthenticationForm).getUser()!);
    return new HttpResponseRedirect(this.getSuccessUrl());
  }

  override async getContextData(kwargs: Record<string, unknown>): Promise<Context> {
    const host = this.request.getHost();
    return {
      ...(await super.getContextData(kwargs)),
      [this.redirectFieldName]: this.getRedirectUrl(),
      redirect_field_name: this.redirectFieldName,
      site_name: host,
      title: 'Log in',
    };
  }
}

/**
 * Logs out on POST (a GET cannot log anyone out: a link or an image on another site would),
 * then redirects to the safe `next`, `nextPage` or LOGOUT_REDIRECT_URL, or shows
 * `registration/logged_out.html`.
 *
 * @example <form method="post" action="{% url 'logout' %}">{% csrf_token %}<button>Log out</button></form>
 */
export class LogoutView extends TemplateView {
  static override httpMethodNames: readonly string[] = ['post', 'options'];
  override templateName: string | readonly string[] | undefined = 'registration/logged_out.html';
  nextPage: string | null = null;
  redirectFieldName = REDIRECT_FIELD_NAME;
  successUrlAllowedHosts: string[] = [];

  override async dispatch(request: HttpRequest, ...rest: unknown[]): Promise<HttpResponseBase> {
    return noCache(super.dispatch(request, ...rest));
  }

  async post(request: HttpRequest): Promise<HttpResponseBase> {
    await logout(request);
    const redirectTo = this.getSuccessUrl();
    if (redirectTo !== request.getFullPath()) return new HttpResponseRedirect(redirectTo);
    return this.renderToResponse(await this.getContextData(this.kwargs));
  }

  getRedirectUrl(): string {
    return safeNext(this.request, this.redirectFieldName, this.successUrlAllowedHosts);
  }

  getDefaultRedirectUrl(): string {
    const target = this.nextPage ?? (settings.LOGOUT_REDIRECT_URL as string | null);
    return target ? toUrl(target) : this.request.getFullPath();
  }

  getSuccessUrl(): string {
    return this.getRedirectUrl() || this.getDefaultRedirectUrl();
  }

  override async getContextData(kwargs: Record<string, unknown>): Promise<Context> {
    return { ...(await super.getContextData(kwargs)), site_name: this.request.getHost(), title: 'Logged out' };
  }
}

/** Shows the context of a plain page titled `title`, without caching it. */
class AuthTemplateView extends TemplateView {
  title = '';

  override async dispatch(request: HttpRequest, ...rest: unknown[]): Promise<HttpResponseBase> {
    return noCache(super.dispatch(request, ...rest));
  }

  override async getContextData(kwargs: Record<string, unknown>): Promise<Context> {
    return { ...(await super.getContextData(kwargs)), title: this.title };
  }
}

/**
 * A logged-in user changes their password (the old one first); this session stays logged in,
 * the user's other sessions end. Then to `password_change_done`.
 */
export class PasswordChangeView extends LoginRequiredMixin(FormView) {
  override formClass: FormClassOf | undefined = PasswordChangeForm as unknown as FormClassOf;
  override successUrl: FormView['successUrl'] = reverseLazy('password_change_done' as never);
  override templateName: string | readonly string[] | undefined = 'registration/password_change_form.html';
  title = 'Password change';

  override async dispatch(request: HttpRequest, ...rest: unknown[]): Promise<HttpResponseBase> {
    return noCache(super.dispatch(request, ...rest));
  }

  override getForm(formClass: FormClassOf = this.getFormClass()): BaseForm {
    return new (formClass as unknown as new (user: FormUser, options: Kwargs) => BaseForm)(
      this.request.user as unknown as FormUser,
      this.getFormKwargs(),
    );
  }

  override async formValid(form: BaseForm): Promise<HttpResponseBase> {
    await (form as SetPasswordForm).save();
    await updateSessionAuthHash(this.request, (form as SetPasswordForm).user);
    return super.formValid(form);
  }

  override async getContextData(kwargs: Record<string, unknown>): Promise<Context> {
    return { ...(await super.getContextData(kwargs)), title: this.title };
  }
}

/** "Your password was changed." (logged-in users only). */
export class PasswordChangeDoneView extends LoginRequiredMixin(AuthTemplateView) {
  override templateName: string | readonly string[] | undefined = 'registration/password_change_done.html';
  override title = 'Password change successful';
}

/**
 * Asks for an e-mail address and mails a reset link to its users (the same answer whether or
 * not the address is known), then to `password_reset_done`.
 */
export class PasswordResetView extends FormView {
  override formClass: FormClassOf | undefined = PasswordResetForm as unknown as FormClassOf;
  override successUrl: FormView['successUrl'] = reverseLazy('password_reset_done' as never);
  override templateName: string | readonly string[] | undefined = 'registration/password_reset_form.html';
  emailTemplateName = 'registration/password_reset_email.html';
  subjectTemplateName = 'registration/password_reset_subject.txt';
  htmlEmailTemplateName: string | null = null;
  extraEmailContext: Record<string, unknown> | null = null;
  fromEmail: string | null = null;
  /** The site's domain in the link (else the request's host, which ALLOWED_HOSTS vouches for). */
  domainOverride: string | null = null;
  tokenGenerator: PasswordResetTokenGenerator = defaultTokenGenerator;
  title = 'Password reset';

  override async dispatch(request: HttpRequest, ...rest: unknown[]): Promise<HttpResponseBase> {
    return noCache(super.dispatch(request, ...rest));
  }

  override async formValid(form: BaseForm): Promise<HttpResponseBase> {
    await (form as PasswordResetForm).save({
      useHttps: this.request.isSecure(),
      tokenGenerator: this.tokenGenerator,
      fromEmail: this.fromEmail,
      emailTemplateName: this.emailTemplateName,
      subjectTemplateName: this.subjectTemplateName,
      request: this.request,
      htmlEmailTemplateName: this.htmlEmailTemplateName,
      extraEmailContext: this.extraEmailContext,
      domainOverride: this.domainOverride,
    });
    return super.formValid(form);
  }

  override async getContextData(kwargs: Record<string, unknown>): Promise<Context> {
    return { ...(await super.getContextData(kwargs)), title: this.title };
  }
}

/** "We've emailed you instructions." */
export class PasswordResetDoneView extends AuthTemplateView {
  override templateName: string | readonly string[] | undefined = 'registration/password_reset_done.html';
  override title = 'Password reset sent';
}

/**
 * The link of the reset mail (`reset/<uidb64>/<token>/`): a valid token is moved into the
 * session and the browser redirected to `reset/<uidb64>/set-password/` (so the token does not
 * leak through the Referer of the next page); there the new password is set, the token dies
 * with the old password hash, and the user's sessions end. An invalid or expired link shows
 * the page with `validlink` false.
 */
export class PasswordResetConfirmView extends FormView {
  override formClass: FormClassOf | undefined = SetPasswordForm as unknown as FormClassOf;
  override successUrl: FormView['successUrl'] = reverseLazy('password_reset_complete' as never);
  override templateName: string | readonly string[] | undefined = 'registration/password_reset_confirm.html';
  /** Log the user in once the password is set. */
  postResetLogin = false;
  postResetLoginBackend: string | null = null;
  resetUrlToken = 'set-password';
  tokenGenerator: PasswordResetTokenGenerator = defaultTokenGenerator;
  title = 'Enter new password';
  user: FormUser | null = null;
  validlink = false;

  override async dispatch(request: HttpRequest, ...rest: unknown[]): Promise<HttpResponseBase> {
    return noCache(this.#dispatch(request, ...rest));
  }

  async #dispatch(request: HttpRequest, ...rest: unknown[]): Promise<HttpResponseBase> {
    const { uidb64, token } = this.kwargs as { uidb64?: string; token?: string };
    if (uidb64 === undefined || token === undefined) {
      throw new TypeError('PasswordResetConfirmView needs the uidb64 and token URL parameters.');
    }
    this.user = await this.getUser(uidb64);
    if (this.user !== null) {
      const session = await request.session.load();
      if (token === this.resetUrlToken) {
        if (this.tokenGenerator.checkToken(this.user, session.get(INTERNAL_RESET_SESSION_TOKEN))) {
          this.validlink = true;
          return super.dispatch(request, ...rest);
        }
      } else if (this.tokenGenerator.checkToken(this.user, token)) {
        session.set(INTERNAL_RESET_SESSION_TOKEN, token);
        return new HttpResponseRedirect(request.path.replace(token, this.resetUrlToken));
      }
    }
    return this.renderToResponse(await this.getContextData(this.kwargs));
  }

  /** The user of the link's uid, or null. */
  async getUser(uidb64: string): Promise<FormUser | null> {
    const uid = uidDecode(uidb64);
    if (uid === null) return null;
    const Model = getUserModel<{ objects: { filter(l: object): { first(): Promise<FormUser | null> } } }>();
    try {
      return await Model.objects.filter({ pk: uid }).first();
    } catch {
      // Not a primary key of this model (an integer pk and a uid that is not a number).
      return null;
    }
  }

  override getForm(formClass: FormClassOf = this.getFormClass()): BaseForm {
    return new (formClass as unknown as new (user: FormUser, options: Kwargs) => BaseForm)(
      this.user!,
      this.getFormKwargs(),
    );
  }

  override async formValid(form: BaseForm): Promise<HttpResponseBase> {
    const user = await (form as SetPasswordForm).save();
    const session = await this.request.session.load();
    session.delete(INTERNAL_RESET_SESSION_TOKEN);
    if (this.postResetLogin) await login(this.request, user, this.postResetLoginBackend ?? undefined);
    return super.formValid(form);
  }

  override async getContextData(kwargs: Record<string, unknown>): Promise<Context> {
    const context = await super.getContextData(this.validlink ? kwargs : { ...kwargs, form: null });
    return {
      ...context,
      validlink: this.validlink,
      title: this.validlink ? this.title : 'Password reset unsuccessful',
    };
  }
}

/** "Your password has been set. You may go ahead and log in now." */
export class PasswordResetCompleteView extends AuthTemplateView {
  override templateName: string | readonly string[] | undefined = 'registration/password_reset_complete.html';
  override title = 'Password reset complete';

  override async getContextData(kwargs: Record<string, unknown>): Promise<Context> {
    return { ...(await super.getContextData(kwargs)), login_url: toUrl(String(settings.LOGIN_URL)) };
  }
}
