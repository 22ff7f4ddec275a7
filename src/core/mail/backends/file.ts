/**
 * Writes the messages to a file in EMAIL_FILE_PATH (or `filePath`), one file per connection
 * named after its opening time, as Django's file backend.
 */
import { mkdirSync, statSync, appendFileSync } from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { settings } from '../../../conf/index.ts';
import { ImproperlyConfigured } from '../../exceptions.ts';
import type { EmailBackendOptions } from './base.ts';
import { EmailBackend as ConsoleBackend } from './console.ts';

export class EmailBackend extends ConsoleBackend {
  readonly filePath: string;
  #fileName: string | undefined;

  constructor(options: EmailBackendOptions & { filePath?: string } = {}) {
    super(options);
    const dir = options.filePath ?? (settings.EMAIL_FILE_PATH as string | null);
    if (!dir) throw new ImproperlyConfigured('The file e-mail backend needs EMAIL_FILE_PATH (a folder).');
    this.filePath = path.resolve(dir);
    try {
      mkdirSync(this.filePath, { recursive: true });
    } catch (error) {
      throw new ImproperlyConfigured(
        `Could not create directory for saving email messages: ${this.filePath} (${String(error)})`,
      );
    }
    if (!statSync(this.filePath).isDirectory()) {
      throw new ImproperlyConfigured(`Path for saving email messages exists, but is not a directory: ${this.filePath}`);
    }
  }

  /** The file of this connection: `YYYYMMDD-HHMMSS-<id>.log`. */
  get fileName(): string {
    if (this.#fileName === undefined) {
      const stamp = new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
      this.#fileName = path.join(this.filePath, `${stamp}-${randomUUID().slice(0, 12)}.log`);
    }
    return this.#fileName;
  }

  override async write(text: string): Promise<void> {
    appendFileSync(this.fileName, text);
  }

  override async close(): Promise<void> {
    this.#fileName = undefined;
  }
}
