/**
 * Date and time fields on Temporal, as Django's: `DateField` (a PlainDate), `TimeField` (a
 * PlainTime), `DateTimeField` (a ZonedDateTime in the current time zone with USE_TZ, a
 * PlainDateTime without), `DurationField` (a Duration of days and smaller units). Text is read
 * with the input formats (DATE_INPUT_FORMATS, ... or the field's `inputFormats`), Python's strptime
 * directives; DateTimeField reads ISO 8601 first, with an offset if given.
 */
import type { Temporal } from 'temporal-polyfill';
import { getFormat } from '../../utils/formats.ts';
import { durationString, MAX_TIMEDELTA_DAYS, parseDatetime, parseDuration } from '../../utils/dateparse.ts';
import { pyStr, pyStrip, temporalKind } from '../../utils/python.ts';
import { strptime, type ParsedDateTime } from '../../utils/strptime.ts';
import { temporal } from '../../utils/temporal.ts';
import { ValidationError } from '../../core/exceptions.ts';
import { fromCurrentTimezone, toCurrentTimezone } from '../utils.ts';
import { DateInput, DateTimeInput, TimeInput, type Widget, type WidgetClass } from '../widgets/base.ts';
import { Field, type FieldOptions, type Optional } from './base.ts';

/**
 * Project-wide type switches. A project with `USE_TZ = false` declares it, so that its
 * DateTimeFields clean to PlainDateTime in the types too:
 *
 * @example
 * declare module 'tsgi/forms' {
 *   interface Register { useTz: false }
 * }
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface Register {}

/** What a DateTimeField cleans to: ZonedDateTime (USE_TZ on, the default) or PlainDateTime. */
export type DateTimeValue = Register extends { useTz: false } ? Temporal.PlainDateTime : Temporal.ZonedDateTime;

export interface TemporalFieldOptions extends FieldOptions {
  /** The formats to try, in order (Python's strptime directives); default: the setting's. */
  inputFormats?: readonly string[];
}

/** The base of the fields read with input formats. */
abstract class BaseTemporalField<T> extends Field<T> {
  declare customFormats: readonly string[] | undefined;
  /** The name of the setting with the default formats. */
  protected abstract formatsSetting: string;

  protected override configure(options: TemporalFieldOptions): void {
    super.configure(options);
    this.customFormats = options.inputFormats;
  }

  /** The formats tried, in order. */
  get inputFormats(): readonly string[] {
    return this.customFormats ?? (getFormat(this.formatsSetting) as string[]);
  }

  set inputFormats(formats: readonly string[]) {
    this.customFormats = formats;
  }

  /** The first format that reads `text`, as Python's strptime fills a datetime. */
  protected parseText(value: unknown): ParsedDateTime {
    const text = pyStrip(typeof value === 'string' ? value : pyStr(value));
    for (const format of this.inputFormats) {
      const parsed = strptime(text, format);
      if (parsed !== undefined) return parsed;
    }
    throw this.error('invalid');
  }
}

function plainDateTime(p: ParsedDateTime): Temporal.PlainDateTime {
  return temporal().PlainDateTime.from({
    year: p.year,
    month: p.month,
    day: p.day,
    hour: p.hour,
    minute: p.minute,
    second: p.second,
    millisecond: Math.floor(p.microsecond / 1000),
    microsecond: p.microsecond % 1000,
  });
}

/** A date; cleans to a PlainDate, or null when empty. */
export class DateField<R extends boolean = true> extends BaseTemporalField<Optional<R, Temporal.PlainDate>> {
  static override defaultWidget: Widget | WidgetClass = DateInput;
  static override defaultErrorMessages: Readonly<Record<string, string>> = { invalid: 'Enter a valid date.' };
  protected formatsSetting = 'DATE_INPUT_FORMATS';

  constructor(options: TemporalFieldOptions & { required?: R } = {}) {
    super(options);
  }

  override toPython(value: unknown): unknown {
    if (this.isEmpty(value)) return null;
    const kind = temporalKind(value);
    if (kind === 'Temporal.PlainDate') return value;
    if (kind === 'Temporal.PlainDateTime' || kind === 'Temporal.ZonedDateTime') {
      return (value as Temporal.PlainDateTime).toPlainDate();
    }
    return plainDateTime(this.parseText(value)).toPlainDate();
  }
}

/** A time of day; cleans to a PlainTime, or null when empty. */
export class TimeField<R extends boolean = true> extends BaseTemporalField<Optional<R, Temporal.PlainTime>> {
  static override defaultWidget: Widget | WidgetClass = TimeInput;
  static override defaultErrorMessages: Readonly<Record<string, string>> = { invalid: 'Enter a valid time.' };
  protected formatsSetting = 'TIME_INPUT_FORMATS';

  constructor(options: TemporalFieldOptions & { required?: R } = {}) {
    super(options);
  }

  override toPython(value: unknown): unknown {
    if (this.isEmpty(value)) return null;
    if (temporalKind(value) === 'Temporal.PlainTime') return value;
    return plainDateTime(this.parseText(value)).toPlainTime();
  }
}

/**
 * A date and time; cleans to an aware ZonedDateTime in the current time zone when USE_TZ is on
 * (a time that does not exist there, or happens twice, is the error `ambiguous_timezone`), a
 * PlainDateTime when it is off; null when empty.
 */
export class DateTimeField<R extends boolean = true> extends BaseTemporalField<Optional<R, DateTimeValue>> {
  static override defaultWidget: Widget | WidgetClass = DateTimeInput;
  static override defaultErrorMessages: Readonly<Record<string, string>> = { invalid: 'Enter a valid date/time.' };
  protected formatsSetting = 'DATETIME_INPUT_FORMATS';

  constructor(options: TemporalFieldOptions & { required?: R } = {}) {
    super(options);
  }

  /** DATETIME_INPUT_FORMATS, then DATE_INPUT_FORMATS. */
  override get inputFormats(): readonly string[] {
    return (
      this.customFormats ?? [
        ...(getFormat('DATETIME_INPUT_FORMATS') as string[]),
        ...(getFormat('DATE_INPUT_FORMATS') as string[]),
      ]
    );
  }

  override set inputFormats(formats: readonly string[]) {
    this.customFormats = formats;
  }

  override prepareValue(value: unknown): unknown {
    const kind = temporalKind(value);
    if (kind === 'Temporal.ZonedDateTime' || kind === 'Temporal.Instant' || value instanceof Date) {
      return toCurrentTimezone(value);
    }
    return value;
  }

  override toPython(value: unknown): unknown {
    if (this.isEmpty(value)) return null;
    const kind = temporalKind(value);
    if (kind === 'Temporal.PlainDateTime' || kind === 'Temporal.ZonedDateTime') {
      return fromCurrentTimezone(value as Temporal.PlainDateTime);
    }
    if (kind === 'Temporal.PlainDate') {
      return fromCurrentTimezone((value as Temporal.PlainDate).toPlainDateTime());
    }
    if (kind === 'Temporal.Instant' || value instanceof Date) return value;
    const text = pyStrip(typeof value === 'string' ? value : pyStr(value));
    let parsed: Temporal.PlainDateTime | Temporal.ZonedDateTime | undefined;
    try {
      parsed = parseDatetime(text);
    } catch {
      throw this.error('invalid');
    }
    return fromCurrentTimezone(parsed ?? plainDateTime(this.parseText(text)));
  }
}

/**
 * A duration (`1 day, 2:03:04`, `P1DT2H`, `3 days 04:05:06`, `45` seconds); cleans to a
 * Duration of days and smaller units, or null when empty.
 */
export class DurationField<R extends boolean = true> extends Field<Optional<R, Temporal.Duration>> {
  static override defaultErrorMessages: Readonly<Record<string, string>> = {
    invalid: 'Enter a valid duration.',
    overflow: 'The number of days must be between {min_days} and {max_days}.',
  };

  constructor(options: FieldOptions & { required?: R } = {}) {
    super(options);
  }

  override prepareValue(value: unknown): unknown {
    return temporalKind(value) === 'Temporal.Duration' ? durationString(value as Temporal.Duration) : value;
  }

  override toPython(value: unknown): unknown {
    if (this.isEmpty(value)) return null;
    if (temporalKind(value) === 'Temporal.Duration') return value;
    let duration: Temporal.Duration | undefined;
    try {
      duration = parseDuration(typeof value === 'string' ? value : pyStr(value));
    } catch {
      throw new ValidationError(
        this.errorMessages
          .overflow!.replace('{min_days}', String(-MAX_TIMEDELTA_DAYS))
          .replace('{max_days}', String(MAX_TIMEDELTA_DAYS)),
        { code: 'overflow' },
      );
    }
    if (duration === undefined) throw this.error('invalid');
    return duration;
  }
}
