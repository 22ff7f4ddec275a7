/**
 * Asking for a password in a terminal without echoing it (Python's `getpass`), for
 * `createsuperuser` and `changepassword`; without a terminal (tests, pipes) the command's own
 * `prompt()` is used.
 */
import { CommandError, type CommandIO } from '../../../core/management/base.ts';

/** The command's IO, with the input the tests may give instead of process.stdin. */
export type AuthCommandIO = CommandIO & { stdin?: { isTTY?: boolean } };

/** Whether the command talks to a person at a terminal. */
export function isInteractive(io: AuthCommandIO): boolean {
  return Boolean((io.stdin ?? process.stdin).isTTY);
}

/** A line typed without echo (Ctrl-C cancels, backspace erases). */
export function getPass(io: AuthCommandIO, question = 'Password: '): Promise<string> {
  const input = process.stdin;
  if (io.stdin !== undefined || !input.isTTY || typeof input.setRawMode !== 'function') return io.prompt(question);
  io.stdout.write(question);
  return new Promise((resolve, reject) => {
    let value = '';
    const finish = () => {
      input.off('data', onData);
      input.setRawMode(false);
      input.pause();
      io.stdout.write('\n');
    };
    const onData = (chunk: string) => {
      for (const char of chunk) {
        if (char === '\r' || char === '\n' || char === '\u0004') {
          finish();
          resolve(value);
          return;
        }
        if (char === '\u0003') {
          finish();
          reject(new CommandError('Operation cancelled.'));
          return;
        }
        if (char === '\u007f' || char === '\b') value = [...value].slice(0, -1).join('');
        else value += char;
      }
    };
    input.setRawMode(true);
    input.setEncoding('utf8');
    input.resume();
    input.on('data', onData);
  });
}
