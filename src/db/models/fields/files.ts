/**
 * FileField and ImageField, as Django's: the column holds the file's name in a storage
 * (STORAGES['default'], MEDIA_ROOT by default); the attribute is a `FieldFile` (its name, url,
 * path, size, and save()/delete() through the storage). Assign an upload from `request.FILES`
 * (or `{ name, content }`) and `save()` of the instance stores it first, under `uploadTo`.
 */
import path from 'node:path';
import { settings } from '../../../conf/index.ts';
import { ImproperlyConfigured } from '../../../core/exceptions.ts';
import { FileSystemStorage, type FileContent } from '../../../core/files/storage.ts';
import { importString } from '../../../utils/module-loading.ts';
import { maxLengthValidator } from '../../../core/validators.ts';
import type { ModelClassLike } from '../options.ts';
import { Field, type FieldOptions, type LookupKind } from './base.ts';

/** What a FileField stores through. */
export interface StorageLike {
  save(name: string, content: FileContent, options?: { maxLength?: number }): Promise<string>;
  delete(name: string): Promise<void>;
  exists(name: string): Promise<boolean>;
  size(name: string): Promise<number>;
  read(name: string): Promise<Buffer>;
  url(name: string): string;
  path?(name: string): string;
  generateFilename(filename: string): string;
}

/** Options of FileField. */
export interface FileFieldOptions extends FieldOptions<FieldFile | string> {
  /** The folder under the storage (strftime placeholders like `%Y/%m`), or a function of the instance and the file name. */
  uploadTo?: string | ((instance: object, filename: string) => string);
  /** The storage (STORAGES['default'] when left out). */
  storage?: StorageLike | (() => StorageLike);
  maxLength?: number;
}

let defaultStorage: StorageLike | undefined;

function configuredStorage(): StorageLike {
  if (defaultStorage !== undefined) return defaultStorage;
  const config = (
    settings.STORAGES as Record<string, { BACKEND: unknown; OPTIONS?: Record<string, unknown> }> | undefined
  )?.default;
  const backend = config?.BACKEND ?? 'tsgi.core.files.storage.FileSystemStorage';
  const cls =
    backend === 'tsgi.core.files.storage.FileSystemStorage'
      ? FileSystemStorage
      : typeof backend === 'string'
        ? importString(backend)
        : backend;
  if (typeof cls !== 'function') {
    throw new ImproperlyConfigured(
      `STORAGES.default.BACKEND ${JSON.stringify(String(backend))} is not a class: name a storage class.`,
    );
  }
  defaultStorage = new (cls as new (options: Record<string, unknown>) => StorageLike)(config?.OPTIONS ?? {});
  return defaultStorage;
}

const UNCOMMITTED = Symbol('tsgi.db.uncommitted');

/** An upload waiting for the instance's save(). */
interface Pending {
  name: string;
  content: FileContent;
}

/** The value of a FileField: a name in a storage. */
export class FieldFile {
  readonly instance: object;
  readonly field: FileField;
  /** The name in the storage ('' for no file). */
  name: string;
  [UNCOMMITTED]: Pending | undefined;

  constructor(instance: object, field: FileField, name: string | null) {
    this.instance = instance;
    this.field = field;
    this.name = name ?? '';
  }

  get storage(): StorageLike {
    return this.field.storage;
  }

  /** Whether there is a file. */
  get exists(): boolean {
    return this.name !== '';
  }

  #require(): void {
    if (this.name === '') throw new TypeError(`The '${this.field.name}' attribute has no file associated with it.`);
  }

  get url(): string {
    this.#require();
    return this.storage.url(this.name);
  }

  get path(): string {
    this.#require();
    if (this.storage.path === undefined) throw new TypeError("This storage doesn't support absolute paths.");
    return this.storage.path(this.name);
  }

  size(): Promise<number> {
    this.#require();
    return this.storage.size(this.name);
  }

  read(): Promise<Buffer> {
    this.#require();
    return this.storage.read(this.name);
  }

  /** Stores `content` under the field's folder; `save` (default true) saves the instance too. */
  async save(name: string, content: FileContent, options: { save?: boolean } = {}): Promise<void> {
    const target = this.field.generateFilename(this.instance, name);
    this.name = await this.storage.save(target, content, { maxLength: this.field.maxLength });
    this[UNCOMMITTED] = undefined;
    (this.instance as Record<string, unknown>)[this.field.attname] = this;
    if (options.save !== false) await (this.instance as { save(): Promise<void> }).save();
  }

  /** Deletes the file from the storage; `save` (default true) saves the instance too. */
  async delete(options: { save?: boolean } = {}): Promise<void> {
    if (this.name === '') return;
    await this.storage.delete(this.name);
    this.name = '';
    if (options.save !== false) await (this.instance as { save(): Promise<void> }).save();
  }

  toString(): string {
    return this.name;
  }

  toJSON(): string | null {
    return this.name === '' ? null : this.name;
  }
}

const FILES = Symbol('tsgi.db.files');

/** A file in a storage; the column holds its name. */
export class FileField<const O extends FileFieldOptions = FileFieldOptions> extends Field<
  FieldFile,
  O,
  FieldFile | string | { name: string }
> {
  readonly internalType: string = 'FileField';
  readonly lookupKind: LookupKind = 'file';
  readonly maxLength: number;
  /** The attribute is always a FieldFile (with an empty name for no file), even with `null: true`. */
  declare readonly alwaysValue: true;

  constructor(options?: O) {
    super(options);
    if (options?.primaryKey) throw new TypeError("'primaryKey' is not a valid argument for a FileField.");
    this.maxLength = options?.maxLength ?? 100;
    this.validators.push(maxLengthValidator(this.maxLength));
  }

  get storage(): StorageLike {
    const storage = this.options.storage;
    if (storage === undefined) return configuredStorage();
    return typeof storage === 'function' ? storage() : storage;
  }

  override get emptyStringsAllowed(): boolean {
    return true;
  }

  /** The name a new file gets: `uploadTo` applied, made valid by the storage. */
  generateFilename(instance: object, filename: string): string {
    const uploadTo = this.options.uploadTo ?? '';
    let name: string;
    if (typeof uploadTo === 'function') name = uploadTo(instance, filename);
    else {
      const now = new Date();
      const folder = uploadTo.replace(/%([YmdHMS])/g, (_m, c: string) => {
        const v = {
          Y: now.getFullYear(),
          m: now.getMonth() + 1,
          d: now.getDate(),
          H: now.getHours(),
          M: now.getMinutes(),
          S: now.getSeconds(),
        }[c]!;
        return c === 'Y' ? String(v) : String(v).padStart(2, '0');
      });
      name = path.posix.join(folder, path.basename(filename));
    }
    return this.storage.generateFilename(name);
  }

  install(model: ModelClassLike): void {
    const field = this as FileField;
    Object.defineProperty(model.prototype, this.attname, {
      configurable: true,
      enumerable: true,
      get(this: Record<symbol, Record<string, FieldFile> | undefined>) {
        const files = (this[FILES] ??= {});
        return (files[field.attname] ??= new FieldFile(this, field, null));
      },
      set(this: Record<symbol, Record<string, FieldFile> | undefined>, value: unknown) {
        const files = (this[FILES] ??= {});
        if (value instanceof FieldFile) {
          files[field.attname] = value.instance === this ? value : new FieldFile(this, field, value.name);
          return;
        }
        const file = new FieldFile(this, field, null);
        if (typeof value === 'string' || value === null || value === undefined)
          file.name = typeof value === 'string' ? value : '';
        else if (typeof value === 'object' && typeof (value as { name?: unknown }).name === 'string') {
          // An upload (request.FILES) or { name, content }: stored when the instance is saved.
          const upload = value as { name: string; content?: FileContent };
          file.name = upload.name;
          file[UNCOMMITTED] = { name: upload.name, content: upload.content ?? (value as FileContent) };
        } else
          throw new TypeError(`A FileField takes a file name, an upload or { name, content }, not ${String(value)}.`);
        files[field.attname] = file;
      },
    });
  }

  /** Stores an assigned upload before the row is written. */
  async prepareForSave(instance: Record<string, unknown>): Promise<void> {
    const file = instance[this.attname] as FieldFile;
    const pending = file[UNCOMMITTED];
    if (pending !== undefined) await file.save(pending.name, pending.content, { save: false });
  }

  override getPrepValue(value: unknown): unknown {
    if (value === null || value === undefined) return null;
    if (value instanceof FieldFile) return value.name;
    return String(value);
  }

  override getDbPrepValue(value: unknown): unknown {
    const name = this.getPrepValue(value);
    // An empty FileField is '' (Django stores no NULL for a file unless null: true).
    return name === '' && this.null ? null : name;
  }

  override toJs(value: unknown): FieldFile | null {
    return value as FieldFile | null;
  }

  override dbParameters(): Record<string, unknown> {
    return { max_length: this.maxLength };
  }
}

/** Options of ImageField. */
export interface ImageFieldOptions extends FileFieldOptions {
  /** A field the image's width is stored in when a file is assigned. */
  widthField?: string;
  heightField?: string;
}

/** The pixel size of a PNG, GIF, JPEG or WebP, read from its header. */
export function imageDimensions(bytes: Uint8Array): { width: number; height: number } | undefined {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (b.length >= 24 && b.readUInt32BE(0) === 0x89504e47)
    return { width: b.readUInt32BE(16), height: b.readUInt32BE(20) };
  if (b.length >= 10 && b.toString('latin1', 0, 3) === 'GIF')
    return { width: b.readUInt16LE(6), height: b.readUInt16LE(8) };
  if (b.length >= 30 && b.toString('latin1', 0, 4) === 'RIFF' && b.toString('latin1', 8, 12) === 'WEBP') {
    const kind = b.toString('latin1', 12, 16);
    if (kind === 'VP8X') return { width: 1 + b.readUIntLE(24, 3), height: 1 + b.readUIntLE(27, 3) };
    if (kind === 'VP8 ') return { width: b.readUInt16LE(26) & 0x3fff, height: b.readUInt16LE(28) & 0x3fff };
    if (kind === 'VP8L') {
      const bits = b.readUInt32LE(21);
      return { width: (bits & 0x3fff) + 1, height: ((bits >> 14) & 0x3fff) + 1 };
    }
  }
  if (b.length >= 4 && b[0] === 0xff && b[1] === 0xd8) {
    let i = 2;
    while (i + 9 < b.length) {
      if (b[i] !== 0xff) return undefined;
      const marker = b[i + 1]!;
      const length = b.readUInt16BE(i + 2);
      if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
        return { width: b.readUInt16BE(i + 7), height: b.readUInt16BE(i + 5) };
      }
      i += 2 + length;
    }
  }
  return undefined;
}

/** A FileField for images: the dimensions go to `widthField`/`heightField` when the file is stored. */
export class ImageField<const O extends ImageFieldOptions = ImageFieldOptions> extends FileField<O> {
  override readonly internalType: string = 'FileField';

  override async prepareForSave(instance: Record<string, unknown>): Promise<void> {
    const file = instance[this.attname] as FieldFile;
    const pending = file[UNCOMMITTED];
    await super.prepareForSave(instance);
    if (pending === undefined || (this.options.widthField === undefined && this.options.heightField === undefined))
      return;
    const size = imageDimensions(await file.read());
    if (this.options.widthField !== undefined) instance[this.options.widthField] = size?.width ?? null;
    if (this.options.heightField !== undefined) instance[this.options.heightField] = size?.height ?? null;
  }
}
