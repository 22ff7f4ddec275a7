// E-mail: each EMAIL_BACKEND delivers the same RFC 5322 message: the console backend prints it,
// the file backend writes it, locmem keeps it in outbox, and the SMTP backend (nodemailer's
// client) talks to an SMTP server over a real socket with Bcc only in the envelope.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { overrideSettings, settings } from '../../../src/conf/index.ts';
import type { EmailMultiAlternatives } from '../../../src/core/mail/index.ts';
import {
  EmailMessage,
  getConnection,
  mailAdmins,
  outbox,
  sendMail,
  sendMassMail,
} from '../../../src/core/mail/index.ts';
import { EmailBackend as ConsoleBackend } from '../../../src/core/mail/backends/console.ts';

type Received = { from: string; to: string[]; data: string };

/** A minimal SMTP server (RFC 5321's EHLO, MAIL, RCPT, DATA, QUIT), keeping what it receives. */
function smtpServer(received: Received[]): Server {
  return createServer((socket) => {
    socket.setEncoding('utf8');
    let buffer = '';
    let inData = false;
    let current: Received = { from: '', to: [], data: '' };
    socket.write('220 test ESMTP\r\n');
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      for (;;) {
        if (inData) {
          const end = buffer.indexOf('\r\n.\r\n');
          if (end === -1) return;
          current.data = buffer.slice(0, end).replaceAll('\r\n..', '\r\n.');
          buffer = buffer.slice(end + 5);
          received.push(current);
          current = { from: '', to: [], data: '' };
          inData = false;
          socket.write('250 OK queued\r\n');
          continue;
        }
        const eol = buffer.indexOf('\r\n');
        if (eol === -1) return;
        const line = buffer.slice(0, eol);
        buffer = buffer.slice(eol + 2);
        const verb = line.slice(0, 4).toUpperCase();
        if (verb === 'EHLO' || verb === 'HELO') socket.write('250-test\r\n250 8BITMIME\r\n');
        else if (verb === 'MAIL') {
          current.from = /<(.*)>/.exec(line)![1]!;
          socket.write('250 OK\r\n');
        } else if (verb === 'RCPT') {
          current.to.push(/<(.*)>/.exec(line)![1]!);
          socket.write('250 OK\r\n');
        } else if (verb === 'DATA') {
          inData = true;
          socket.write('354 go ahead\r\n');
        } else if (verb === 'QUIT') {
          socket.end('221 bye\r\n');
        } else socket.write('250 OK\r\n');
      }
    });
  });
}

let server: Server;
let port: number;
const received: Received[] = [];

before(async () => {
  settings.configure({ SECRET_KEY: 'mail-test', DEFAULT_FROM_EMAIL: 'site@example.com' });
  server = smtpServer(received);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as { port: number }).port;
});
after(() => new Promise<void>((resolve) => server.close(() => resolve())));

test('a message: headers, non-ASCII subject as an encoded word, Bcc left out of the headers', async () => {
  const message = new EmailMessage({
    subject: 'Réinitialisation',
    body: 'Hello Ada\n',
    to: ['ada@example.com'],
    cc: ['cc@example.com'],
    bcc: ['hidden@example.com'],
    replyTo: ['help@example.com'],
    headers: { 'X-Ticket': '42' },
  });
  assert.deepEqual(message.recipients(), ['ada@example.com', 'cc@example.com', 'hidden@example.com']);
  const text = (await message.message()).toString();
  assert.match(text, /^From: site@example\.com\r$/m);
  assert.match(text, /^To: ada@example\.com\r$/m);
  assert.match(text, /^Cc: cc@example\.com\r$/m);
  assert.match(text, /^Reply-To: help@example\.com\r$/m);
  assert.match(text, /^Subject: =\?UTF-8\?Q\?R=C3=A9initialisation\?=\r$/m);
  assert.match(text, /^X-Ticket: 42\r$/m);
  assert.match(text, /^Date: /m);
  assert.doesNotMatch(text, /hidden@example\.com/);
  assert.match(text, /\r\n\r\nHello Ada\r\n/);
  assert.throws(() => new EmailMessage({ to: 'ada@example.com' as never }), /"to" argument must be a list/);
});

test('the console backend prints each message and a line of dashes; nothing for no recipients', async () => {
  let out = '';
  const connection = new ConsoleBackend({ stream: { write: (t: string) => (out += t) } });
  const sent = await sendMassMail(
    [
      ['One', 'first', null, ['a@example.com']],
      ['Two', 'second', 'me@example.com', ['b@example.com']],
      ['None', 'nobody', null, []],
    ],
    { connection },
  );
  assert.equal(sent, 2);
  assert.equal(out.split(`${'-'.repeat(79)}\n`).length, 3);
  assert.match(out, /Subject: One\n[\s\S]*first\n/);
  assert.match(out, /From: me@example\.com\n/);
});

test('the file backend writes a connection’s messages to one file in EMAIL_FILE_PATH', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'tsgi-mail-'));
  try {
    using _ = overrideSettings({ EMAIL_BACKEND: 'tsgi.core.mail.backends.file.EmailBackend', EMAIL_FILE_PATH: dir });
    const connection = getConnection();
    await sendMail('First', 'one', null, ['a@example.com'], { connection });
    await sendMail('Second', 'two', null, ['b@example.com'], { connection });
    const files = readdirSync(dir);
    assert.equal(files.length, 1);
    assert.match(files[0]!, /^\d{8}-\d{6}-[0-9a-f-]+\.log$/);
    const content = readFileSync(path.join(dir, files[0]!), 'utf8');
    assert.match(content, /Subject: First[\s\S]*Subject: Second/);
    using __ = overrideSettings({ EMAIL_FILE_PATH: null });
    assert.throws(() => getConnection(), /needs EMAIL_FILE_PATH/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('locmem keeps the messages in outbox; mailAdmins prefixes the subject and sends from SERVER_EMAIL', async () => {
  using _ = overrideSettings({
    EMAIL_BACKEND: 'tsgi.core.mail.backends.locmem.EmailBackend',
    ADMINS: [['Root', 'root@example.com']],
  });
  outbox.length = 0;
  assert.equal(await sendMail('Hi', 'text', null, ['a@example.com'], { htmlMessage: '<p>text</p>' }), 1);
  await mailAdmins('Broken', 'trace');
  assert.equal(outbox.length, 2);
  assert.equal(outbox[0]!.subject, 'Hi');
  assert.deepEqual((outbox[0] as EmailMultiAlternatives).alternatives, [['<p>text</p>', 'text/html']]);
  assert.match((await outbox[0]!.message()).toString(), /multipart\/alternative/);
  assert.equal(outbox[1]!.subject, '[tsgi] Broken');
  assert.equal(outbox[1]!.fromEmail, 'root@localhost');
  assert.deepEqual(outbox[1]!.to, ['root@example.com']);
  outbox.length = 0;
});

test('the SMTP backend sends over a socket: the envelope has every recipient, the message no Bcc', async () => {
  using _ = overrideSettings({
    EMAIL_BACKEND: 'tsgi.core.mail.backends.smtp.EmailBackend',
    EMAIL_HOST: '127.0.0.1',
    EMAIL_PORT: port,
  });
  received.length = 0;
  const mail = new EmailMessage({
    subject: 'Over SMTP',
    body: 'A line\n.starting with a dot\n',
    to: ['ada@example.com'],
    bcc: ['hidden@example.com'],
  });
  assert.equal(await mail.send(), 1);
  assert.equal(received.length, 1);
  assert.equal(received[0]!.from, 'site@example.com');
  assert.deepEqual(received[0]!.to, ['ada@example.com', 'hidden@example.com']);
  assert.match(received[0]!.data, /Subject: Over SMTP/);
  assert.match(received[0]!.data, /\r\n\.starting with a dot$/);
  assert.doesNotMatch(received[0]!.data, /hidden@example\.com/);
  // Several messages over one connection.
  const connection = getConnection();
  await connection.open();
  assert.equal(
    await sendMassMail(
      [
        ['A', 'a', null, ['a@example.com']],
        ['B', 'b', null, ['b@example.com']],
      ],
      { connection },
    ),
    2,
  );
  await connection.close();
  assert.equal(received.length, 3);
  // A server that is not there: an error, or nothing with failSilently.
  using __ = overrideSettings({ EMAIL_PORT: 1, EMAIL_TIMEOUT: 2 });
  await assert.rejects(sendMail('x', 'y', null, ['a@example.com']), /ECONNREFUSED/);
  assert.equal(await sendMail('x', 'y', null, ['a@example.com'], { failSilently: true }), 0);
  assert.throws(
    () => getConnection(undefined, { useTls: true, useSsl: true }),
    /EMAIL_USE_TLS\/EMAIL_USE_SSL are mutually exclusive/,
  );
});
