/**
 * File fields, as Django's: `FileField` (an uploaded file from `request.FILES`) and `ImageField`
 * (an image: its type and size read from its header by the `image-size` package, which knows
 * PNG, JPEG, GIF, WebP, AVIF, HEIF, BMP, TIFF, ICO, SVG and more, with no native code).
 *
 * Django's ImageField asks Pillow to verify the whole image; tsgi reads the header only: a file
 * whose header is an image's but whose body is damaged passes. Limit what is accepted with
 * `maxWidth`, `maxHeight`, `maxPixels` and `formats`.
 */
import { imageSize } from 'image-size';
import type { UploadedFile } from '../../core/files/uploadedfile.ts';
import { validateImageFileExtension, type Validator } from '../../core/validators.ts';
import { pyStrLen } from '../../utils/python.ts';
import type { Attrs } from '../utils.ts';
import {
  ClearableFileInput,
  FILE_INPUT_CONTRADICTION,
  FileInput,
  type Widget,
  type WidgetClass,
} from '../widgets/base.ts';
import { Field, type FieldOptions, type Optional } from './base.ts';

export interface FileFieldOptions extends FieldOptions {
  /** The longest file name accepted. */
  maxLength?: number | null;
  /** Accept a file of zero bytes. */
  allowEmptyFile?: boolean;
}

/**
 * What a FileField cleans to: the uploaded file; `false` when a not-required field's "clear" box
 * was ticked; null when nothing was sent and there was no initial file.
 */
export type FileValue<R extends boolean> = R extends false ? UploadedFile | false | null : UploadedFile;

/** An uploaded file. The form must be `enctype="multipart/form-data"` and given `request.FILES`. */
export class FileField<R extends boolean = true> extends Field<FileValue<R>> {
  static override defaultWidget: Widget | WidgetClass = ClearableFileInput;
  static override defaultErrorMessages: Readonly<Record<string, string>> = {
    invalid: 'No file was submitted. Check the encoding type on the form.',
    missing: 'No file was submitted.',
    empty: 'The submitted file is empty.',
    max_length: 'Ensure this filename has at most %(max)d characters (it has %(length)d).',
    contradiction: 'Please either submit a file or check the clear checkbox, not both.',
  };
  declare maxLength: number | null;
  declare allowEmptyFile: boolean;

  constructor(options: FileFieldOptions & { required?: R } = {}) {
    super(options);
    if (this.maxLength === 1 && !options.errorMessages?.max_length) {
      this.errorMessages.max_length = 'Ensure this filename has at most %(max)d character (it has %(length)d).';
    }
  }

  protected override configure(options: FileFieldOptions): void {
    super.configure(options);
    this.maxLength = options.maxLength ?? null;
    this.allowEmptyFile = options.allowEmptyFile ?? false;
  }

  override toPython(data: unknown): unknown {
    if (this.isEmpty(data)) return null;
    const file = data as { name?: unknown; size?: unknown };
    if (typeof file !== 'object' || typeof file.name !== 'string' || typeof file.size !== 'number') {
      throw this.error('invalid');
    }
    const length = pyStrLen(file.name);
    if (this.maxLength !== null && length > this.maxLength) {
      throw this.error('max_length', { max: this.maxLength, length });
    }
    if (!file.name) throw this.error('invalid');
    if (!this.allowEmptyFile && !file.size) throw this.error('empty');
    return data;
  }

  /** Cleans the upload; with none, keeps `initial` (the stored file of a ModelForm). */
  override clean(data: unknown, initial?: unknown): FileValue<R> {
    if (data === FILE_INPUT_CONTRADICTION) throw this.error('contradiction');
    let value = data;
    if (value === false) {
      if (!this.required) return false as FileValue<R>;
      value = null;
    }
    if (!value && initial) return initial as FileValue<R>;
    return super.clean(value) as FileValue<R>;
  }

  override boundData(data: unknown, initial: unknown): unknown {
    return data === null || data === undefined || data === FILE_INPUT_CONTRADICTION ? initial : data;
  }

  override hasChanged(_initial: unknown, data: unknown): boolean {
    return !this.disabled && data !== null && data !== undefined;
  }
}

/** What ImageField learned of an image. */
export interface ImageInfo {
  width: number;
  height: number;
  /** The format (`png`, `jpg`, `gif`, `webp`...). */
  format: string;
}

/** An uploaded image: the file, with `image` (its width, height and format). */
export type UploadedImage = UploadedFile & { image: ImageInfo };

const MIME: Readonly<Record<string, string>> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  avif: 'image/avif',
  heif: 'image/heif',
  bmp: 'image/bmp',
  tiff: 'image/tiff',
  ico: 'image/vnd.microsoft.icon',
  cur: 'image/x-icon',
  svg: 'image/svg+xml',
  psd: 'image/vnd.adobe.photoshop',
  icns: 'image/icns',
  jp2: 'image/jp2',
  tga: 'image/x-tga',
  dds: 'image/vnd.ms-dds',
  ktx: 'image/ktx',
  pnm: 'image/x-portable-anymap',
};

/** The head of an image: enough for every format's header, JPEG's SOF after large EXIF blocks too. */
const PROBE_BYTES = 1024 * 1024;

function head(file: UploadedFile): Uint8Array {
  if (file.size <= PROBE_BYTES) return file.read();
  const out = new Uint8Array(PROBE_BYTES);
  let at = 0;
  for (const chunk of file.chunks(64 * 1024)) {
    const take = Math.min(chunk.byteLength, PROBE_BYTES - at);
    out.set(chunk.subarray(0, take), at);
    at += take;
    if (at >= PROBE_BYTES) break;
  }
  return out;
}

export interface ImageFieldOptions extends FileFieldOptions {
  /** The formats accepted (`['png', 'jpg']`); default: every format the probe reads. */
  formats?: readonly string[];
  maxWidth?: number;
  maxHeight?: number;
  /** The most pixels (width × height) accepted: a guard against decompression bombs. */
  maxPixels?: number;
}

/** An uploaded image file (its extension, type and dimensions checked); `file.image` tells them. */
export class ImageField<R extends boolean = true> extends FileField<R> {
  declare readonly cleanedType: FileValue<R> & (R extends false ? UploadedImage | false | null : UploadedImage);
  static override defaultValidators: readonly Validator[] = [validateImageFileExtension];
  static override defaultErrorMessages: Readonly<Record<string, string>> = {
    invalid_image: 'Upload a valid image. The file you uploaded was either not an image or a corrupted image.',
    image_format: 'Upload an image in one of these formats: %(formats)s. This one is %(format)s.',
    image_size: 'Upload an image of at most %(max_width)s×%(max_height)s pixels. This one is %(width)s×%(height)s.',
    image_pixels: 'Upload an image of at most %(max_pixels)s pixels. This one has %(pixels)s.',
  };
  declare formats: readonly string[] | null;
  declare maxWidth: number | null;
  declare maxHeight: number | null;
  declare maxPixels: number | null;

  constructor(options: ImageFieldOptions & { required?: R } = {}) {
    super(options);
  }

  protected override configure(options: ImageFieldOptions): void {
    super.configure(options);
    this.formats = options.formats ?? null;
    this.maxWidth = options.maxWidth ?? null;
    this.maxHeight = options.maxHeight ?? null;
    this.maxPixels = options.maxPixels ?? null;
  }

  override toPython(data: unknown): unknown {
    const file = super.toPython(data) as UploadedFile | null;
    if (file === null) return null;
    let info: { width?: number; height?: number; type?: string };
    try {
      info = imageSize(head(file));
    } catch (error) {
      throw Object.assign(this.error('invalid_image'), { cause: error });
    }
    const { width, height, type } = info;
    if (!width || !height || !type) throw this.error('invalid_image');
    if (this.formats !== null && !this.formats.includes(type)) {
      throw this.error('image_format', { formats: this.formats.join(', '), format: type });
    }
    const tooWide = this.maxWidth !== null && width > this.maxWidth;
    const tooHigh = this.maxHeight !== null && height > this.maxHeight;
    if (tooWide || tooHigh) {
      throw this.error('image_size', {
        max_width: this.maxWidth ?? '∞',
        max_height: this.maxHeight ?? '∞',
        width,
        height,
      });
    }
    if (this.maxPixels !== null && width * height > this.maxPixels) {
      throw this.error('image_pixels', { max_pixels: this.maxPixels, pixels: width * height });
    }
    const image: ImageInfo = { width, height, format: type };
    Object.assign(file, { image });
    const mime = MIME[type];
    if (mime !== undefined) Object.defineProperty(file, 'contentType', { value: mime, configurable: true });
    return file;
  }

  override widgetAttrs(widget: Widget): Attrs {
    const attrs = super.widgetAttrs(widget);
    if (widget instanceof FileInput && !('accept' in widget.attrs)) attrs.accept ??= 'image/*';
    return attrs;
  }
}

export type { Optional };
