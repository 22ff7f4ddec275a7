/**
 * Access mixins for class-based views, as Django's `django.contrib.auth.mixins`. TypeScript has
 * single inheritance, so a mixin is a function of the view class:
 * `class Dashboard extends LoginRequiredMixin(TemplateView) { ... }`. Each loads `request.user`
 * in `dispatch()` before the checks, so handlers may read `request.user` directly.
 */
import { settings } from '../../conf/index.ts';
import { ImproperlyConfigured, PermissionDenied } from '../../core/exceptions.ts';
import type { HttpRequest } from '../../http/request.ts';
import type { HttpResponseBase } from '../../http/response.ts';
import type { View, ViewResult } from '../../views/generic/base.ts';
import { REDIRECT_FIELD_NAME } from './configured.ts';
import { requestUser } from './decorators.ts';
import { nextForLogin, redirectToLogin, resolveLoginUrl } from './redirects.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a mixin takes any View subclass
type ViewClass = abstract new (...args: any[]) => View;

/**
 * What the access mixins share (Django's AccessMixin): where to send a visitor who fails
 * (`loginUrl`, `redirectFieldName`), or 403 instead (`raiseException`, and always for a
 * logged-in user).
 */
export function AccessMixin<B extends ViewClass>(Base: B) {
  abstract class Access extends Base {
    loginUrl: string | null = null;
    permissionDeniedMessage = '';
    raiseException = false;
    redirectFieldName: string | null = REDIRECT_FIELD_NAME;

    getLoginUrl(): string {
      const url = this.loginUrl || (settings.LOGIN_URL as string);
      if (!url) {
        throw new ImproperlyConfigured(
          `${this.constructor.name} is missing the loginUrl attribute. Define ${this.constructor.name}.loginUrl, settings.LOGIN_URL, or override ${this.constructor.name}.getLoginUrl().`,
        );
      }
      return String(url);
    }

    getPermissionDeniedMessage(): string {
      return this.permissionDeniedMessage;
    }

    getRedirectFieldName(): string | null {
      return this.redirectFieldName;
    }

    /** 403 for a logged-in user (or with `raiseException`), else the login page with `next`. */
    handleNoPermission(): HttpResponseBase {
      if (this.raiseException || this.request.user.isAuthenticated) {
        throw new PermissionDenied(this.getPermissionDeniedMessage());
      }
      const loginUrl = resolveLoginUrl(this.getLoginUrl());
      return redirectToLogin(nextForLogin(this.request, loginUrl), loginUrl, this.getRedirectFieldName());
    }
  }
  return Access;
}

/**
 * Logged-in users only.
 *
 * @example
 * class Dashboard extends LoginRequiredMixin(TemplateView) { override templateName = 'dashboard.html'; }
 */
export function LoginRequiredMixin<B extends ViewClass>(Base: B) {
  abstract class LoginRequired extends AccessMixin(Base) {
    override async dispatch(request: HttpRequest, ...rest: unknown[]): Promise<HttpResponseBase> {
      const user = await requestUser(request, this.constructor.name);
      if (!user.isAuthenticated) return this.handleNoPermission();
      return super.dispatch(request, ...rest) as ViewResult;
    }
  }
  return LoginRequired;
}

/**
 * Users with every permission of `permissionRequired` only.
 *
 * @example
 * class EditPost extends PermissionRequiredMixin(View) {
 *   override permissionRequired = 'blog.change_post';
 * }
 */
export function PermissionRequiredMixin<B extends ViewClass>(Base: B) {
  abstract class PermissionRequired extends AccessMixin(Base) {
    permissionRequired: string | readonly string[] | null = null;

    getPermissionRequired(): readonly string[] {
      if (this.permissionRequired === null) {
        throw new ImproperlyConfigured(
          `${this.constructor.name} is missing the permissionRequired attribute. Define ${this.constructor.name}.permissionRequired, or override ${this.constructor.name}.getPermissionRequired().`,
        );
      }
      return typeof this.permissionRequired === 'string' ? [this.permissionRequired] : this.permissionRequired;
    }

    /** Override to decide otherwise; may be async. */
    hasPermission(): boolean | Promise<boolean> {
      return this.request.user.hasPerms(this.getPermissionRequired());
    }

    override async dispatch(request: HttpRequest, ...rest: unknown[]): Promise<HttpResponseBase> {
      await requestUser(request, this.constructor.name);
      if (!(await this.hasPermission())) return this.handleNoPermission();
      return super.dispatch(request, ...rest) as ViewResult;
    }
  }
  return PermissionRequired;
}

/**
 * Users for whom `testFunc()` is true only.
 *
 * @example
 * class StaffPage extends UserPassesTestMixin(TemplateView) {
 *   testFunc() { return this.request.user.isAuthenticated && this.request.user.isStaff; }
 * }
 */
export function UserPassesTestMixin<B extends ViewClass>(Base: B) {
  abstract class UserPassesTest extends AccessMixin(Base) {
    testFunc(): boolean | Promise<boolean> {
      throw new TypeError(`${this.constructor.name} is missing the implementation of the testFunc() method.`);
    }

    /** The test to run (testFunc by default). */
    getTestFunc(): () => boolean | Promise<boolean> {
      return () => this.testFunc();
    }

    override async dispatch(request: HttpRequest, ...rest: unknown[]): Promise<HttpResponseBase> {
      await requestUser(request, this.constructor.name);
      if (!(await this.getTestFunc()())) return this.handleNoPermission();
      return super.dispatch(request, ...rest) as ViewResult;
    }
  }
  return UserPassesTest;
}
