/**
 * Python's `datetime.strptime()` and `strftime()` for the directives date and time input formats
 * use (Django's DATE_INPUT_FORMATS and friends, `%Y-%m-%d`): `%Y %y %m %d %H %I %M %S %f %p %b
 * %B %a %A %j %%`, in the C locale (English month and day names), and for parsing the week
 * directives Django's WeekArchiveView reads: `%U` and `%W` (weeks from Sunday or Monday), `%V`
 * with `%G` (ISO weeks), each with a weekday (`%w`, `%u`, `%a`, `%A`). Parsing follows CPython's
 * `_strptime`: the whole text must match, case is ignored, a space in the format matches any run
 * of whitespace, and numbers take Python's widths (`%m` is one or two digits, `%Y` four).
 *
 * @example
 * strptime('10/25/06 14:30', '%m/%d/%y %H:%M'); // { year: 2006, month: 10, day: 25, hour: 14, minute: 30, ... }
 * strftime({ year: 2006, month: 10, day: 25 }, '%b %d %Y'); // 'Oct 25 2006'
 */

/** What a parse found; fields the format lacks have Python's defaults (1900-01-01 00:00). */
export interface ParsedDateTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  microsecond: number;
}

export const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];
export const WEEKDAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];

const alternatives = (names: string[]): string => names.map((n) => n.toLowerCase()).join('|');

// CPython's _strptime.TimeRE, for the directives above.
const DIRECTIVES: Record<string, string> = {
  d: '(?<d>3[01]|[12]\\d|0[1-9]|[1-9]| [1-9])',
  f: '(?<f>[0-9]{1,6})',
  H: '(?<H>2[0-3]|[0-1]\\d|\\d)',
  I: '(?<I>1[0-2]|0[1-9]|[1-9])',
  j: '(?<j>36[0-6]|3[0-5]\\d|[12]\\d\\d|0[1-9]\\d|00[1-9]|[1-9]\\d|0[1-9]|[1-9])',
  m: '(?<m>1[0-2]|0[1-9]|[1-9])',
  M: '(?<M>[0-5]\\d|\\d)',
  S: '(?<S>6[0-1]|[0-5]\\d|\\d)',
  y: '(?<y>\\d\\d)',
  Y: '(?<Y>\\d\\d\\d\\d)',
  b: `(?<b>${alternatives(MONTHS.map((m) => m.slice(0, 3)))})`,
  B: `(?<B>${alternatives(MONTHS)})`,
  a: `(?<a>${alternatives(WEEKDAYS.map((d) => d.slice(0, 3)))})`,
  A: `(?<A>${alternatives(WEEKDAYS)})`,
  p: '(?<p>am|pm)',
  U: '(?<U>5[0-3]|[0-4]\\d|\\d)',
  W: '(?<W>5[0-3]|[0-4]\\d|\\d)',
  V: '(?<V>5[0-3]|0[1-9]|[1-4]\\d|\\d)',
  G: '(?<G>\\d\\d\\d\\d)',
  w: '(?<w>[0-6])',
  u: '(?<u>[1-7])',
  '%': '%',
};

const compiled = new Map<string, RegExp>();

function compile(format: string): RegExp {
  let regex = compiled.get(format);
  if (regex !== undefined) return regex;
  let source = '';
  const used = new Set<string>();
  for (let i = 0; i < format.length; i++) {
    const char = format[i]!;
    if (char === '%') {
      const directive = format[++i];
      const pattern = directive === undefined ? undefined : DIRECTIVES[directive];
      if (pattern === undefined) {
        throw new RangeError(
          `The date format ${JSON.stringify(format)} uses %${directive ?? ''}, which tsgi's strptime does not read: use %Y %y %m %d %H %I %M %S %f %p %b %B %a %A %j %U %W %V %G %w %u or %%.`,
        );
      }
      if (directive !== '%' && used.has(directive!)) {
        throw new RangeError(`The date format ${JSON.stringify(format)} uses %${directive} twice.`);
      }
      used.add(directive!);
      source += pattern;
    } else if (/\s/.test(char)) {
      while (i + 1 < format.length && /\s/.test(format[i + 1]!)) i++;
      source += '\\s+';
    } else {
      source += char.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
    }
  }
  regex = new RegExp(`^${source}$`, 'i');
  compiled.set(format, regex);
  return regex;
}

function daysInMonth(year: number, month: number): number {
  return month === 2 && isLeap(year) ? 29 : [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]!;
}

function isLeap(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/** The weekday a parse found, Monday 0 to Sunday 6 (Python's `weekday()`), or undefined. */
function weekdayOf(g: Record<string, string | undefined>): number | undefined {
  if (g.w !== undefined) return (Number(g.w) + 6) % 7;
  if (g.u !== undefined) return Number(g.u) - 1;
  const name = g.a ?? g.A;
  if (name === undefined) return undefined;
  return WEEKDAYS.findIndex((d) => d.toLowerCase().startsWith(name.toLowerCase()));
}

/** The day of the year of a weekday in week `week` (%W: weeks from Monday; %U: from Sunday); week 0 is the days before the first. */
function julianFromWeek(year: number, week: number, weekday: number, mondayFirst: boolean): number {
  let first = isoWeekday(year, 1, 1) - 1;
  let day = weekday;
  if (!mondayFirst) {
    first = (first + 1) % 7;
    day = (day + 1) % 7;
  }
  if (week === 0) return 1 + day - first;
  return 1 + ((7 - first) % 7) + 7 * (week - 1) + day;
}

/** The date of day `julian` of `year` (0 or less: in the years before, past its end: after), within years 1 to 9999. */
function fromJulian(year: number, julian: number): { year: number; month: number; day: number } | undefined {
  const date = new Date(Date.UTC(2000, 0, 1));
  date.setUTCFullYear(year, 0, julian);
  const result = { year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: date.getUTCDate() };
  return result.year < 1 || result.year > 9999 ? undefined : result;
}

/**
 * The date and time `text` holds in `format`, or undefined when it does not match or is not a
 * real date (February 30), where Python's strptime raises ValueError.
 */
export function strptime(text: string, format: string): ParsedDateTime | undefined {
  const match = compile(format).exec(text);
  if (match === null) return undefined;
  const g = match.groups ?? {};
  let year = 1900;
  if (g.Y !== undefined) year = Number(g.Y);
  else if (g.y !== undefined) {
    const y = Number(g.y);
    year = y <= 68 ? 2000 + y : 1900 + y;
  }
  let month = 1;
  if (g.m !== undefined) month = Number(g.m);
  else if (g.b !== undefined) month = MONTHS.findIndex((m) => m.slice(0, 3).toLowerCase() === g.b!.toLowerCase()) + 1;
  else if (g.B !== undefined) month = MONTHS.findIndex((m) => m.toLowerCase() === g.B!.toLowerCase()) + 1;
  let day = g.d !== undefined ? Number(g.d.trim()) : 1;
  let hour = 0;
  if (g.H !== undefined) hour = Number(g.H);
  else if (g.I !== undefined) {
    hour = Number(g.I) % 12;
    if (g.p !== undefined && g.p.toLowerCase() === 'pm') hour += 12;
  }
  const minute = g.M !== undefined ? Number(g.M) : 0;
  let second = g.S !== undefined ? Number(g.S) : 0;
  const microsecond = g.f !== undefined ? Number(g.f.padEnd(6, '0')) : 0;
  if (second === 60 || second === 61) second = 59; // CPython clamps leap seconds
  const weekday = weekdayOf(g);
  const isoWeek = g.V !== undefined ? Number(g.V) : undefined;
  if (g.G !== undefined && g.Y === undefined && g.y === undefined) {
    if (isoWeek === undefined || weekday === undefined) {
      throw new RangeError(
        `The date format ${JSON.stringify(format)}: ISO year directive '%G' must be used with the ISO week directive '%V' and a weekday directive ('%A', '%a', '%w', or '%u').`,
      );
    }
    if (g.j !== undefined) {
      throw new RangeError(
        `The date format ${JSON.stringify(format)}: Day of the year directive '%j' is not compatible with ISO year directive '%G'. Use '%Y' instead.`,
      );
    }
  } else if (isoWeek !== undefined && g.U === undefined && g.W === undefined) {
    throw new RangeError(
      weekday === undefined
        ? `The date format ${JSON.stringify(format)}: ISO week directive '%V' must be used with the ISO year directive '%G' and a weekday directive ('%A', '%a', '%w', or '%u').`
        : `The date format ${JSON.stringify(format)}: ISO week directive '%V' is incompatible with the year directive '%Y'. Use the ISO year '%G' instead.`,
    );
  }
  // A week number and a weekday name the day (CPython's _calc_julian_from_U_or_W and _from_V).
  const week = g.U ?? g.W;
  if (weekday !== undefined && (week !== undefined || (g.G !== undefined && isoWeek !== undefined))) {
    let julian: number;
    if (week !== undefined) {
      julian = julianFromWeek(year, Number(week), weekday, g.W !== undefined);
    } else {
      const isoYear = Number(g.G);
      julian = isoWeek! * 7 + weekday + 1 - (isoWeekday(isoYear, 1, 4) + 3);
      year = isoYear;
    }
    const date = fromJulian(year, julian);
    if (date === undefined) return undefined;
    ({ year, month, day } = date);
  } else if (g.j !== undefined && g.m === undefined && g.d === undefined && g.b === undefined && g.B === undefined) {
    const ordinal = Number(g.j);
    if (ordinal > (isLeap(year) ? 366 : 365)) return undefined;
    const date = new Date(Date.UTC(2000, 0, 1));
    date.setUTCFullYear(year, 0, ordinal);
    month = date.getUTCMonth() + 1;
    day = date.getUTCDate();
  }
  if (year < 1 || day > daysInMonth(year, month)) return undefined;
  return { year, month, day, hour, minute, second, microsecond };
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/** The fields strftime reads; missing ones count as 0 (or 1 for month and day). */
export interface FormattableDateTime {
  year?: number;
  month?: number;
  day?: number;
  hour?: number;
  minute?: number;
  second?: number;
  microsecond?: number;
  millisecond?: number;
  nanosecond?: number;
  dayOfWeek?: number;
  dayOfYear?: number;
}

function isoWeekday(year: number, month: number, day: number): number {
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  return ((date.getUTCDay() + 6) % 7) + 1;
}

/** Python's `strftime(format)` for the directives strptime reads. */
export function strftime(value: FormattableDateTime, format: string): string {
  const year = value.year ?? 1900;
  const month = value.month ?? 1;
  const day = value.day ?? 1;
  const hour = value.hour ?? 0;
  const micro =
    value.microsecond !== undefined && value.millisecond !== undefined
      ? value.millisecond * 1000 + value.microsecond
      : (value.microsecond ?? 0);
  const weekday = value.dayOfWeek ?? isoWeekday(year, month, day);
  return format.replace(/%(.)/g, (whole, directive: string) => {
    switch (directive) {
      case 'Y':
        return year < 1000 ? String(year).padStart(4, '0') : String(year);
      case 'y':
        return pad(year % 100);
      case 'm':
        return pad(month);
      case 'd':
        return pad(day);
      case 'H':
        return pad(hour);
      case 'I':
        return pad(hour % 12 === 0 ? 12 : hour % 12);
      case 'p':
        return hour < 12 ? 'AM' : 'PM';
      case 'M':
        return pad(value.minute ?? 0);
      case 'S':
        return pad(value.second ?? 0);
      case 'f':
        return pad(micro, 6);
      case 'b':
        return MONTHS[month - 1]!.slice(0, 3);
      case 'B':
        return MONTHS[month - 1]!;
      case 'a':
        return WEEKDAYS[weekday - 1]!.slice(0, 3);
      case 'A':
        return WEEKDAYS[weekday - 1]!;
      case 'j':
        return pad(value.dayOfYear ?? 1, 3);
      case '%':
        return '%';
    }
    return whole;
  });
}
