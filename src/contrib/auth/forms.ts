/**
 * The forms of the auth views, as Django 3.2's `django.contrib.auth.forms`, on tsgi/forms:
 * `AuthenticationForm` (login), `SetPasswordForm` (a new password, twice, validated by
 * AUTH_PASSWORD_VALIDATORS), `PasswordChangeForm` (the old one first) and `PasswordResetForm`
 * (the e-mail that gets a reset link). Error codes and messages are Django's.
 */
import { settings } from '../../conf/index.ts';
import { ValidationError } from '../../core/exceptions.ts';
import { EmailMultiAlternatives } from '../../core/mail/index.ts';
import { CharField, EmailField } from '../../forms/fields/index.ts';
import type { BoundField } from '../../forms/boundfield.ts';
import { Form, type Fields } from '../../forms/forms.ts';
import { EmailInput, PasswordInput, TextInput } from '../../forms/widgets/index.ts';
import type { HttpRequest } from '../../http/request.ts';
import { renderToString } from '../../template/engines.ts';
import { getUserModel, getUserModelOptions } from './configured.ts';
import { authenticate } from './login.ts';
import { passwordChanged, passwordValidatorsHelpTextHtml, validatePassword } from './password-validation.ts';
import { defaultTokenGenerator, uidEncode, type PasswordResetTokenGenerator } from './tokens.ts';

/** What the forms need of a user. */
export type FormUser = {
  pk: unknown;
  isActive?: boolean;
  password: string;
  setPassword(raw: string | null): Promise<void>;
  checkPassword(raw: string): Promise<boolean>;
  hasUsablePassword(): boolean;
  save(options?: object): Promise<void>;
  getUsername(): string;
};

const capfirst = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/**
 * The login form. Valid when a backend accepts the username and password (`getUser()` is then
 * the user) and `confirmLoginAllowed()` lets the user in (active users only, as ModelBackend).
 *
 * @example
 * const form = new AuthenticationForm({ request, data: request.POST });
 * if (await form.isValid()) await login(request, form.getUser()!);
 */
export class AuthenticationForm extends Form.define({
  username: new CharField({
    widget: new TextInput({ autofocus: true, autocapitalize: 'none', autocomplete: 'username' }),
  }),
  password: new CharField({
    label: 'Password',
    strip: false,
    widget: new PasswordInput({ autocomplete: 'current-password' }),
  }),
}) {
  static errorMessages: Record<string, string> = {
    invalid_login: 'Please enter a correct %(username)s and password. Note that both fields may be case-sensitive.',
    inactive: 'This account is inactive.',
  };

  request: HttpRequest | null;
  userCache: FormUser | null = null;
  readonly usernameLabel: string;

  constructor(options: ConstructorParameters<typeof Form>[0] & { request?: HttpRequest | null } = {}) {
    const { request = null, ...rest } = options;
    super(rest);
    this.request = request;
    const meta = getUserModelOptions();
    const Model = getUserModel<{ USERNAME_FIELD: string }>();
    const modelField = meta.getField(Model.USERNAME_FIELD) as { verboseName?: string; maxLength?: number };
    const maxLength = modelField.maxLength ?? 254;
    const field = this.fields.username;
    field.maxLength = maxLength;
    field.widget.attrs.maxlength = String(maxLength);
    this.usernameLabel = modelField.verboseName ?? Model.USERNAME_FIELD;
    if (field.label === null || field.label === undefined) field.label = capfirst(this.usernameLabel);
  }

  override async clean() {
    const { username, password } = this.cleanedData as { username?: string; password?: string };
    if (username !== undefined && password !== undefined) {
      this.userCache = (await authenticate(this.request, { username, password })) as FormUser | null;
      if (this.userCache === null) throw this.getInvalidLoginError();
      this.confirmLoginAllowed(this.userCache);
    }
    return this.cleanedData;
  }

  /** Refuses users who may not log in (inactive ones); override to refuse others. */
  confirmLoginAllowed(user: FormUser): void {
    if (user.isActive === false) {
      throw new ValidationError(AuthenticationForm.errorMessages.inactive!, { code: 'inactive' });
    }
  }

  getUser(): FormUser | null {
    return this.userCache;
  }

  getInvalidLoginError(): ValidationError {
    return new ValidationError(AuthenticationForm.errorMessages.invalid_login!, {
      code: 'invalid_login',
      params: { username: this.usernameLabel },
    });
  }
}

// The fields keep Django's names (new_password1, old_password...): the inputs, the templates'
// {{ form.new_password1 }} and the error keys are those of Django's forms.
const newPasswordFields = {
  new_password1: new CharField({
    label: 'New password',
    strip: false,
    widget: new PasswordInput({ autocomplete: 'new-password' }),
  }),
  new_password2: new CharField({
    label: 'New password confirmation',
    strip: false,
    widget: new PasswordInput({ autocomplete: 'new-password' }),
  }),
};

/**
 * Sets a user's password without asking for the old one (the reset form). `save()` stores it.
 *
 * @example
 * const form = new SetPasswordForm(user, { data: request.POST });
 * if (await form.isValid()) await form.save();
 */
export class SetPasswordForm extends Form.define(newPasswordFields) {
  static errorMessages: Record<string, string> = {
    password_mismatch: 'The two password fields didn’t match.',
  };

  user: FormUser;

  constructor(user: FormUser, options: ConstructorParameters<typeof Form>[0] = {}) {
    super(options);
    this.user = user;
    this.fields.new_password1.helpText = passwordValidatorsHelpTextHtml() as string;
  }

  clean_new_password2(password2: string): string {
    const password1 = (this.cleanedData as { new_password1?: string }).new_password1;
    if (password1 !== undefined && password1 !== password2) {
      throw new ValidationError(SetPasswordForm.errorMessages.password_mismatch!, { code: 'password_mismatch' });
    }
    validatePassword(password2, this.user);
    return password2;
  }

  /** Sets the new password (and saves the user, unless `commit` is false). */
  async save(commit = true): Promise<FormUser> {
    const password = (this.cleanedData as { new_password1: string }).new_password1;
    await this.user.setPassword(password);
    if (commit) {
      await this.user.save();
      passwordChanged(password, this.user);
    }
    return this.user;
  }
}

/** Changes one's own password: the old one first, then the new one twice. */
export class PasswordChangeForm extends SetPasswordForm {
  static override errorMessages: Record<string, string> = {
    ...SetPasswordForm.errorMessages,
    password_incorrect: 'Your old password was entered incorrectly. Please enter it again.',
  };
  static override fieldOrder = ['old_password', 'new_password1', 'new_password2'];
  static {
    // The old password added to SetPasswordForm's fields (define() would lose the constructor's user argument).
    (this as { baseFields: Fields }).baseFields = {
      ...this.baseFields,
      old_password: new CharField({
        label: 'Old password',
        strip: false,
        widget: new PasswordInput({ autocomplete: 'current-password', autofocus: true }),
      }),
    };
  }

  /** The old password's BoundField (`{{ form.old_password }}`). */
  get old_password(): BoundField {
    return this.boundField('old_password');
  }

  async clean_old_password(oldPassword: string): Promise<string> {
    if (!(await this.user.checkPassword(oldPassword))) {
      throw new ValidationError(PasswordChangeForm.errorMessages.password_incorrect!, { code: 'password_incorrect' });
    }
    return oldPassword;
  }
}

export type PasswordResetSaveOptions = {
  domainOverride?: string | null;
  subjectTemplateName?: string;
  emailTemplateName?: string;
  useHttps?: boolean;
  tokenGenerator?: PasswordResetTokenGenerator;
  fromEmail?: string | null;
  request?: HttpRequest | null;
  htmlEmailTemplateName?: string | null;
  extraEmailContext?: Record<string, unknown> | null;
};

/**
 * Asks for an e-mail address and mails a reset link to each active user of that address who has
 * a usable password. The page says the same whether or not anyone matched (no account probing).
 */
export class PasswordResetForm extends Form.define({
  email: new EmailField({ label: 'Email', maxLength: 254, widget: new EmailInput({ autocomplete: 'email' }) }),
}) {
  /** Renders and sends one reset mail (the subject on one line). */
  async sendMail(
    subjectTemplateName: string,
    emailTemplateName: string,
    context: Record<string, unknown>,
    fromEmail: string | null,
    toEmail: string,
    htmlEmailTemplateName: string | null = null,
  ): Promise<void> {
    const subject = (await renderToString(subjectTemplateName, context)).replace(/\r?\n/g, '');
    const body = await renderToString(emailTemplateName, context);
    const mail = new EmailMultiAlternatives({ subject, body, fromEmail, to: [toEmail] });
    if (htmlEmailTemplateName !== null) {
      mail.attachAlternative(await renderToString(htmlEmailTemplateName, context), 'text/html');
    }
    await mail.send();
  }

  /** The active users of this address (compared case-insensitively) who have a usable password. */
  async getUsers(email: string): Promise<FormUser[]> {
    const Model = getUserModel<{
      getEmailFieldName(): string;
      _defaultManager: { filter(lookups: object): { all(): Promise<FormUser[]> } };
      objects?: { filter(lookups: object): { all(): Promise<FormUser[]> } };
    }>();
    const field = Model.getEmailFieldName();
    const manager = (Model as unknown as { objects: { filter(l: object): { all(): Promise<FormUser[]> } } }).objects;
    const lookups: Record<string, unknown> = { [`${field}__iexact`]: email };
    if (getUserModelOptions().findField('isActive') !== undefined) lookups.isActive = true;
    const users = await manager.filter(lookups).all();
    const wanted = email.toLocaleLowerCase();
    return users.filter(
      (user) =>
        user.hasUsablePassword() &&
        String((user as unknown as Record<string, unknown>)[field] ?? '').toLocaleLowerCase() === wanted,
    );
  }

  /** Mails a reset link to each user of the address; the links point at `protocol://domain`. */
  async save(options: PasswordResetSaveOptions = {}): Promise<void> {
    const email = (this.cleanedData as { email: string }).email;
    const request = options.request ?? null;
    const domain = options.domainOverride ?? request?.getHost() ?? 'localhost';
    const siteName = domain;
    const generator = options.tokenGenerator ?? defaultTokenGenerator;
    const Model = getUserModel<{ getEmailFieldName(): string }>();
    for (const user of await this.getUsers(email)) {
      const userEmail = String((user as unknown as Record<string, unknown>)[Model.getEmailFieldName()]);
      const context = {
        email: userEmail,
        domain,
        site_name: siteName,
        uid: uidEncode(user.pk),
        user,
        token: generator.makeToken(user),
        protocol: options.useHttps ? 'https' : 'http',
        ...(options.extraEmailContext ?? {}),
      };
      await this.sendMail(
        options.subjectTemplateName ?? 'registration/password_reset_subject.txt',
        options.emailTemplateName ?? 'registration/password_reset_email.html',
        context,
        options.fromEmail ?? (settings.DEFAULT_FROM_EMAIL as string),
        userEmail,
        options.htmlEmailTemplateName ?? null,
      );
    }
  }
}
