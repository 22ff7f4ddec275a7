/**
 * Sends over SMTP (EMAIL_HOST, EMAIL_PORT, EMAIL_HOST_USER/PASSWORD, EMAIL_USE_TLS for
 * STARTTLS, EMAIL_USE_SSL for implicit TLS, EMAIL_TIMEOUT, EMAIL_SSL_CERTFILE/KEYFILE), as
 * Django's SMTP backend. The protocol is nodemailer's SMTP client: a maintained, dependency-free
 * implementation of SMTP, STARTTLS, AUTH and pipelining; tsgi builds the message and the
 * envelope (Bcc recipients in the envelope only) and hands nodemailer the raw bytes.
 */
import { readFileSync } from 'node:fs';
import type { Transporter } from 'nodemailer';
import { settings } from '../../../conf/index.ts';
import { ImproperlyConfigured } from '../../exceptions.ts';
import type { EmailMessage } from '../message.ts';
import { BaseEmailBackend, type EmailBackendOptions } from './base.ts';

export type SmtpOptions = EmailBackendOptions & {
  host?: string;
  port?: number;
  username?: string;
  password?: string;
  useTls?: boolean;
  useSsl?: boolean;
  timeout?: number | null;
  sslKeyfile?: string | null;
  sslCertfile?: string | null;
};

export class EmailBackend extends BaseEmailBackend {
  host: string;
  port: number;
  username: string;
  password: string;
  useTls: boolean;
  useSsl: boolean;
  timeout: number | null;
  sslKeyfile: string | null;
  sslCertfile: string | null;
  connection: Transporter | null = null;

  constructor(options: SmtpOptions = {}) {
    super(options);
    this.host = options.host ?? String(settings.EMAIL_HOST);
    this.port = options.port ?? Number(settings.EMAIL_PORT);
    this.username = options.username ?? String(settings.EMAIL_HOST_USER);
    this.password = options.password ?? String(settings.EMAIL_HOST_PASSWORD);
    this.useTls = options.useTls ?? Boolean(settings.EMAIL_USE_TLS);
    this.useSsl = options.useSsl ?? Boolean(settings.EMAIL_USE_SSL);
    this.timeout = options.timeout !== undefined ? options.timeout : (settings.EMAIL_TIMEOUT as number | null);
    this.sslKeyfile =
      options.sslKeyfile !== undefined ? options.sslKeyfile : (settings.EMAIL_SSL_KEYFILE as string | null);
    this.sslCertfile =
      options.sslCertfile !== undefined ? options.sslCertfile : (settings.EMAIL_SSL_CERTFILE as string | null);
    if (this.useSsl && this.useTls) {
      throw new ImproperlyConfigured(
        'EMAIL_USE_TLS/EMAIL_USE_SSL are mutually exclusive, so only set one of those settings to True.',
      );
    }
  }

  override async open(): Promise<boolean> {
    if (this.connection !== null) return false;
    const nodemailer = await import('nodemailer');
    const timeout =
      this.timeout === null ? {} : { connectionTimeout: this.timeout * 1000, socketTimeout: this.timeout * 1000 };
    const tls =
      this.sslCertfile || this.sslKeyfile
        ? {
            tls: {
              ...(this.sslCertfile ? { cert: readFileSync(this.sslCertfile) } : {}),
              ...(this.sslKeyfile ? { key: readFileSync(this.sslKeyfile) } : {}),
            },
          }
        : {};
    try {
      this.connection = nodemailer.createTransport({
        host: this.host,
        port: this.port,
        secure: this.useSsl,
        requireTLS: this.useTls,
        ignoreTLS: !this.useTls && !this.useSsl,
        ...(this.username ? { auth: { user: this.username, pass: this.password } } : {}),
        ...timeout,
        ...tls,
      });
      return true;
    } catch (error) {
      if (!this.failSilently) throw error;
      return false;
    }
  }

  override async close(): Promise<void> {
    this.connection?.close();
    this.connection = null;
  }

  override async sendMessages(messages: readonly EmailMessage[]): Promise<number> {
    if (messages.length === 0) return 0;
    const opened = await this.open();
    if (this.connection === null) return 0;
    let sent = 0;
    try {
      for (const message of messages) {
        const recipients = message.recipients();
        if (recipients.length === 0) continue;
        try {
          await this.connection.sendMail({
            envelope: { from: message.fromEmail, to: recipients },
            raw: await message.message(),
          });
          sent += 1;
        } catch (error) {
          if (!this.failSilently) throw error;
        }
      }
    } finally {
      if (opened) await this.close();
    }
    return sent;
  }
}
