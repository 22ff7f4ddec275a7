/**
 * `tsgi/core/mail`: sending e-mail, as Django's `django.core.mail` (docs/email.md).
 * EMAIL_BACKEND chooses how: `tsgi.core.mail.backends.smtp.EmailBackend` (default),
 * `.console.`, `.file.`, `.locmem.` (tests: `outbox`) or `.dummy.`.
 *
 * @example
 * import { sendMail } from 'tsgi/core/mail';
 * await sendMail('Welcome', 'Hello Ada', null, ['ada@example.com']);
 */
import { settings } from '../../conf/index.ts';
import type { BaseEmailBackend } from './backends/base.ts';
import { getConnection } from './connection.ts';
import { EmailMessage, EmailMultiAlternatives } from './message.ts';

export { EmailMessage, EmailMultiAlternatives } from './message.ts';
export type { Attachment, EmailMessageOptions } from './message.ts';
export { BaseEmailBackend } from './backends/base.ts';
export type { EmailBackendOptions } from './backends/base.ts';
export { outbox } from './outbox.ts';
export { getConnection } from './connection.ts';

export type SendMailOptions = {
  failSilently?: boolean;
  authUser?: string;
  authPassword?: string;
  connection?: BaseEmailBackend;
  htmlMessage?: string | null;
};

/**
 * Sends one message to `recipientList` (each sees all of them in To); `fromEmail` null is
 * DEFAULT_FROM_EMAIL. The number sent (0 or 1).
 */
export async function sendMail(
  subject: string,
  message: string,
  fromEmail: string | null,
  recipientList: readonly string[],
  options: SendMailOptions = {},
): Promise<number> {
  const connection =
    options.connection ??
    getConnection(undefined, {
      failSilently: options.failSilently ?? false,
      ...(options.authUser === undefined ? {} : { username: options.authUser }),
      ...(options.authPassword === undefined ? {} : { password: options.authPassword }),
    });
  const mail = new EmailMultiAlternatives({ subject, body: message, fromEmail, to: recipientList, connection });
  if (options.htmlMessage) mail.attachAlternative(options.htmlMessage, 'text/html');
  return mail.send();
}

/** Sends each `[subject, message, fromEmail, recipients]` over one connection; the number sent. */
export async function sendMassMail(
  datatuple: ReadonlyArray<readonly [string, string, string | null, readonly string[]]>,
  options: Omit<SendMailOptions, 'htmlMessage'> = {},
): Promise<number> {
  const connection = options.connection ?? getConnection(undefined, { failSilently: options.failSilently ?? false });
  const messages = datatuple.map(
    ([subject, body, fromEmail, to]) => new EmailMessage({ subject, body, fromEmail, to, connection }),
  );
  return connection.sendMessages(messages);
}

/** Sends to ADMINS (`[name, email]` pairs), the subject prefixed by EMAIL_SUBJECT_PREFIX, from SERVER_EMAIL. */
export async function mailAdmins(subject: string, message: string, options: SendMailOptions = {}): Promise<void> {
  await mailPeople('ADMINS', subject, message, options);
}

/** Sends to MANAGERS, as mailAdmins(). */
export async function mailManagers(subject: string, message: string, options: SendMailOptions = {}): Promise<void> {
  await mailPeople('MANAGERS', subject, message, options);
}

async function mailPeople(setting: string, subject: string, message: string, options: SendMailOptions): Promise<void> {
  const people = ((settings as unknown as Record<string, unknown>)[setting] ?? []) as ReadonlyArray<
    readonly [string, string]
  >;
  if (people.length === 0) return;
  const connection = options.connection ?? getConnection(undefined, { failSilently: options.failSilently ?? false });
  const mail = new EmailMultiAlternatives({
    subject: `${String(settings.EMAIL_SUBJECT_PREFIX)}${subject}`,
    body: message,
    fromEmail: String(settings.SERVER_EMAIL),
    to: people.map(([, email]) => email),
    connection,
  });
  if (options.htmlMessage) mail.attachAlternative(options.htmlMessage, 'text/html');
  await mail.send();
}
