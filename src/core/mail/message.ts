/**
 * E-mail messages, as Django's `django.core.mail.message`: `EmailMessage` (subject, text body,
 * sender, To, Cc, Bcc, Reply-To, extra headers, attachments) and `EmailMultiAlternatives` (an
 * HTML version besides the text). `message()` gives the RFC 5322 bytes, built by nodemailer's
 * MIME composer (encoded words for non-ASCII headers, quoted-printable or base64 bodies).
 */
import MailComposer from 'nodemailer/lib/mail-composer';
import { settings } from '../../conf/index.ts';
import type { BaseEmailBackend } from './backends/base.ts';
import { getConnection } from './connection.ts';

export type Attachment = { filename: string; content: string | Uint8Array; mimetype?: string };

export type EmailMessageOptions = {
  subject?: string;
  body?: string;
  fromEmail?: string | null;
  to?: readonly string[];
  cc?: readonly string[];
  bcc?: readonly string[];
  replyTo?: readonly string[];
  headers?: Record<string, string>;
  attachments?: readonly Attachment[];
  connection?: BaseEmailBackend | null;
};

/** Lines of headers as nodemailer takes them: a Date of the local clock when EMAIL_USE_LOCALTIME. */
function dateHeader(now = new Date()): string {
  if (!settings.EMAIL_USE_LOCALTIME) return now.toUTCString().replace('GMT', '-0000');
  const offset = -now.getTimezoneOffset();
  const sign = offset >= 0 ? '+' : '-';
  const pad = (n: number) => String(Math.abs(n)).padStart(2, '0');
  const local = new Date(now.getTime() + offset * 60_000).toUTCString().replace(' GMT', '');
  return `${local} ${sign}${pad(Math.trunc(offset / 60))}${pad(offset % 60)}`;
}

/** Text with CRLF line ends, as SMTP carries it. */
const crlf = (text: string) => text.replace(/\r?\n/g, '\r\n');

/**
 * One e-mail. `send()` hands it to the connection given, or to a new one of EMAIL_BACKEND.
 *
 * @example
 * await new EmailMessage({ subject: 'Hello', body: 'Hi Ada', to: ['ada@example.com'] }).send();
 */
export class EmailMessage {
  subject: string;
  body: string;
  fromEmail: string;
  to: string[];
  cc: string[];
  bcc: string[];
  replyTo: string[];
  extraHeaders: Record<string, string>;
  attachments: Attachment[];
  connection: BaseEmailBackend | null;
  /** The MIME type of `body`. */
  contentSubtype = 'plain';

  constructor(options: EmailMessageOptions = {}) {
    for (const key of ['to', 'cc', 'bcc', 'replyTo'] as const) {
      if (typeof options[key] === 'string') throw new TypeError(`"${key}" argument must be a list or tuple`);
    }
    this.subject = options.subject ?? '';
    this.body = options.body ?? '';
    this.fromEmail = options.fromEmail || String(settings.DEFAULT_FROM_EMAIL);
    this.to = [...(options.to ?? [])];
    this.cc = [...(options.cc ?? [])];
    this.bcc = [...(options.bcc ?? [])];
    this.replyTo = [...(options.replyTo ?? [])];
    this.extraHeaders = { ...(options.headers ?? {}) };
    this.attachments = [...(options.attachments ?? [])];
    this.connection = options.connection ?? null;
  }

  /** Everyone the message goes to (To, Cc and Bcc), without blanks. */
  recipients(): string[] {
    return [...this.to, ...this.cc, ...this.bcc].filter((address) => address);
  }

  attach(filename: string, content: string | Uint8Array, mimetype?: string): void {
    this.attachments.push({ filename, content, ...(mimetype === undefined ? {} : { mimetype }) });
  }

  /** What the composer builds the message from (Bcc left out of the headers, as Django). */
  protected composerOptions(): ConstructorParameters<typeof MailComposer>[0] {
    const headers: Record<string, string> = { ...this.extraHeaders };
    const lower = new Set(Object.keys(headers).map((h) => h.toLowerCase()));
    if (!lower.has('date')) headers.Date = dateHeader();
    const body = crlf(this.body);
    const text = this.contentSubtype === 'html' ? undefined : body;
    const html = this.contentSubtype === 'html' ? body : undefined;
    return {
      from: headers.From ?? this.fromEmail,
      ...(this.to.length ? { to: headers.To ?? this.to.join(', ') } : {}),
      ...(this.cc.length ? { cc: this.cc.join(', ') } : {}),
      ...(this.replyTo.length ? { replyTo: headers['Reply-To'] ?? this.replyTo.join(', ') } : {}),
      subject: this.subject,
      ...(text === undefined ? {} : { text }),
      ...(html === undefined ? {} : { html }),
      headers: Object.fromEntries(Object.entries(headers).filter(([k]) => !/^(from|to|reply-to)$/i.test(k))),
      attachments: this.attachments.map((a) => ({
        filename: a.filename,
        content: typeof a.content === 'string' ? a.content : Buffer.from(a.content),
        ...(a.mimetype === undefined ? {} : { contentType: a.mimetype }),
      })),
      xMailer: false,
    };
  }

  /** The message as it goes over the wire (RFC 5322, CRLF line ends). */
  async message(): Promise<Buffer> {
    return new MailComposer(this.composerOptions()).compile().build();
  }

  /** Sends it; the number of messages sent (0 or 1). */
  async send(failSilently = false): Promise<number> {
    if (this.recipients().length === 0) return 0;
    const connection = this.connection ?? getConnection(undefined, { failSilently });
    return connection.sendMessages([this]);
  }
}

/**
 * A message with other versions of its body (Django's `EmailMultiAlternatives`).
 *
 * @example
 * const mail = new EmailMultiAlternatives({ subject, body: text, to: [email] });
 * mail.attachAlternative(html, 'text/html');
 */
export class EmailMultiAlternatives extends EmailMessage {
  alternatives: Array<[content: string, mimetype: string]> = [];

  constructor(options: EmailMessageOptions & { alternatives?: Array<[string, string]> } = {}) {
    super(options);
    this.alternatives = [...(options.alternatives ?? [])];
  }

  attachAlternative(content: string, mimetype: string): void {
    this.alternatives.push([content, mimetype]);
  }

  protected override composerOptions(): ConstructorParameters<typeof MailComposer>[0] {
    const options = super.composerOptions();
    const html = this.alternatives.find(([, type]) => type === 'text/html');
    const others = this.alternatives.filter((a) => a !== html);
    return {
      ...options,
      ...(html === undefined ? {} : { html: crlf(html[0]) }),
      ...(others.length ? { alternatives: others.map(([content, contentType]) => ({ content, contentType })) } : {}),
    };
  }
}
