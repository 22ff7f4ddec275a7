/**
 * Localized formats, as Django's `django.utils.formats`: `getFormat('DATE_FORMAT')`,
 * `dateFormat()`, `timeFormat()`, `numberFormat()` and `localize()` (how a template prints a
 * date or a number).
 *
 * With USE_L10N on, formats come from the active locale; tsgi has no translations yet, so the
 * locale is always English (Django's `conf/locale/en/formats.py`: the same dates as the default
 * settings, and numbers grouped by three with ','). With USE_L10N off they come from settings.
 */
import { fromSettings, settings } from '../conf/index.ts';
import { format as dateformat, timeFormat as timeformat } from './dateformat.ts';
import { format as numberformat } from './numberformat.ts';
import { isTruthy, pyStr, pyType } from './python.ts';

/** The names `getFormat()` looks up in the locale and in settings (Django's FORMAT_SETTINGS). */
export const FORMAT_SETTINGS = [
  'DECIMAL_SEPARATOR',
  'THOUSAND_SEPARATOR',
  'NUMBER_GROUPING',
  'FIRST_DAY_OF_WEEK',
  'MONTH_DAY_FORMAT',
  'TIME_FORMAT',
  'DATE_FORMAT',
  'DATETIME_FORMAT',
  'SHORT_DATE_FORMAT',
  'SHORT_DATETIME_FORMAT',
  'YEAR_MONTH_FORMAT',
  'DATE_INPUT_FORMATS',
  'TIME_INPUT_FORMATS',
  'DATETIME_INPUT_FORMATS',
] as const;

/** The ISO formats a locale's input formats always accept (Django's ISO_INPUT_FORMATS). */
const ISO_INPUT_FORMATS: Readonly<Record<string, readonly string[]>> = {
  DATE_INPUT_FORMATS: ['%Y-%m-%d'],
  TIME_INPUT_FORMATS: ['%H:%M:%S', '%H:%M:%S.%f', '%H:%M'],
  DATETIME_INPUT_FORMATS: ['%Y-%m-%d %H:%M:%S', '%Y-%m-%d %H:%M:%S.%f', '%Y-%m-%d %H:%M', '%Y-%m-%d'],
};

const FORMAT_NAMES = new Set<string>(FORMAT_SETTINGS);

/** English's formats (Django's conf/locale/en/formats.py). */
const ENGLISH: Readonly<Record<string, unknown>> = Object.freeze({
  DATE_FORMAT: 'N j, Y',
  TIME_FORMAT: 'P',
  DATETIME_FORMAT: 'N j, Y, P',
  YEAR_MONTH_FORMAT: 'F Y',
  MONTH_DAY_FORMAT: 'F j',
  SHORT_DATE_FORMAT: 'm/d/Y',
  SHORT_DATETIME_FORMAT: 'm/d/Y P',
  FIRST_DAY_OF_WEEK: 0,
  DECIMAL_SEPARATOR: '.',
  THOUSAND_SEPARATOR: ',',
  NUMBER_GROUPING: 3,
  DATE_INPUT_FORMATS: ['%Y-%m-%d', '%m/%d/%Y', '%m/%d/%y'],
  DATETIME_INPUT_FORMATS: [
    '%Y-%m-%d %H:%M:%S',
    '%Y-%m-%d %H:%M:%S.%f',
    '%Y-%m-%d %H:%M',
    '%m/%d/%Y %H:%M:%S',
    '%m/%d/%Y %H:%M:%S.%f',
    '%m/%d/%Y %H:%M',
    '%m/%d/%y %H:%M:%S',
    '%m/%d/%y %H:%M:%S.%f',
    '%m/%d/%y %H:%M',
  ],
});

const fromSettingsTable = fromSettings(() => {
  const table: Record<string, unknown> = {};
  for (const name of FORMAT_SETTINGS) table[name] = settings[name];
  return { table, useL10n: Boolean(settings.USE_L10N), useThousandSeparator: Boolean(settings.USE_THOUSAND_SEPARATOR) };
});

/**
 * The format named `formatType` (`'DATE_FORMAT'`, `'DECIMAL_SEPARATOR'`...): the locale's with
 * localization on, else the setting. Any other string is a format itself and is returned as it is.
 *
 * @example
 * getFormat('SHORT_DATE_FORMAT'); // 'm/d/Y'
 * getFormat('Y-m-d'); // 'Y-m-d'
 */
export function getFormat(formatType: unknown, useL10n?: boolean): unknown {
  const { table, useL10n: setting } = fromSettingsTable();
  if (typeof formatType !== 'string' || !FORMAT_NAMES.has(formatType)) return formatType;
  if (useL10n ?? setting) {
    const value = ENGLISH[formatType];
    if (value !== undefined) {
      const iso = ISO_INPUT_FORMATS[formatType];
      return iso === undefined
        ? value
        : [...(value as string[]), ...iso.filter((f) => !(value as string[]).includes(f))];
    }
  }
  return table[formatType];
}

/**
 * Formats a date or datetime with a named format (default DATE_FORMAT) or a format string.
 *
 * @example
 * dateFormat(Temporal.PlainDate.from('2003-02-04')); // 'Feb. 4, 2003'
 */
export function dateFormat(value: unknown, format?: unknown, useL10n?: boolean): string {
  return dateformat(value, getFormat(isTruthy(format) ? format : 'DATE_FORMAT', useL10n));
}

/** Formats a time with a named format (default TIME_FORMAT) or a format string. */
export function timeFormat(value: unknown, format?: unknown, useL10n?: boolean): string {
  return timeformat(value, getFormat(isTruthy(format) ? format : 'TIME_FORMAT', useL10n));
}

/**
 * A number with the decimal separator and grouping of the locale or the settings.
 *
 * @example
 * numberFormat(1234.5, 2, undefined, true); // '1,234.50' (USE_L10N on)
 */
export function numberFormat(value: unknown, decimalPos?: number, useL10n?: boolean, forceGrouping = false): string {
  const { useL10n: l10nSetting, useThousandSeparator } = fromSettingsTable();
  return numberformat(value, {
    useGrouping: (useL10n ?? l10nSetting) && useThousandSeparator,
    decimalSep: String(getFormat('DECIMAL_SEPARATOR', useL10n)),
    decimalPos,
    grouping: getFormat('NUMBER_GROUPING', useL10n) as number | number[],
    thousandSep: String(getFormat('THOUSAND_SEPARATOR', useL10n)),
    forceGrouping,
  });
}

/**
 * What a template prints for a value: numbers with `numberFormat`, datetimes with
 * DATETIME_FORMAT, dates with DATE_FORMAT, times with TIME_FORMAT; anything else as it is
 * (Django's `localize`). Booleans print as True/False; `useL10n === false` prints numbers as
 * Python's str().
 */
export function localize(value: unknown, useL10n?: boolean): unknown {
  switch (pyType(value)) {
    case 'str':
      return value;
    case 'bool':
      return pyStr(value);
    case 'int':
    case 'float':
    case 'Decimal':
      return useL10n === false ? pyStr(value) : numberFormat(value, undefined, useL10n);
    case 'datetime':
      return dateFormat(value, 'DATETIME_FORMAT', useL10n);
    case 'date':
      return dateFormat(value, undefined, useL10n);
    case 'time':
      return timeFormat(value, 'TIME_FORMAT', useL10n);
  }
  return value;
}
