/**
 * What a time zone is called at an instant (`CST`, `CEST`) and whether that is daylight saving
 * time: the date format characters `e`, `T` and `I` need both, and neither JavaScript's Intl
 * (which says `GMT+2` for Paris) nor Temporal gives them. They come from the system's tz database
 * (the TZif files under /usr/share/zoneinfo that Python's time zone libraries read too); where
 * there is none (a runtime without a file system, an unknown zone), from Intl's short names.
 */
import type * as Fs from 'node:fs';

/** A zone's name and daylight-saving flag at one instant. */
export interface ZoneName {
  abbreviation: string;
  isDst: boolean;
}

interface LocalTimeType {
  offset: number;
  isDst: boolean;
  abbreviation: string;
}

interface ZoneData {
  transitions: bigint[];
  types: number[];
  localTimes: LocalTimeType[];
  footer: { std: LocalTimeType; dst: LocalTimeType | undefined } | undefined;
}

const ZONEINFO_DIRS = ['/usr/share/zoneinfo', '/usr/lib/zoneinfo', '/usr/share/lib/zoneinfo'];
const cache = new Map<string, ZoneData | null>();

function fs(): typeof Fs | undefined {
  try {
    return globalThis.process?.getBuiltinModule?.('node:fs') as typeof Fs | undefined;
  } catch {
    return undefined;
  }
}

/** Parses the POSIX TZ string at the end of a TZif file: `CST6CDT,M3.2.0,M11.1.0`, `<+03>-3`. */
function parseFooter(tz: string): ZoneData['footer'] {
  const name = String.raw`(<[^>]*>|[A-Za-z]{3,})`;
  const offset = String.raw`([-+]?\d{1,3}(?::\d{1,2}(?::\d{1,2})?)?)`;
  const m = new RegExp(`^${name}${offset}(?:${name}(${offset.slice(1, -1)})?)?(,.*)?$`).exec(tz);
  if (!m) return undefined;
  const seconds = (text: string) => {
    const sign = text.startsWith('-') ? -1 : 1;
    const [h = 0, mi = 0, s = 0] = text.replace(/^[-+]/, '').split(':').map(Number);
    // POSIX offsets count west of Greenwich as positive.
    return -sign * (h * 3600 + mi * 60 + s);
  };
  const clean = (n: string) => n.replace(/^<|>$/g, '');
  const std = { abbreviation: clean(m[1]!), offset: seconds(m[2]!), isDst: false };
  if (!m[3]) return { std, dst: undefined };
  const dstOffset = m[4] ? seconds(m[4]) : std.offset + 3600;
  return { std, dst: { abbreviation: clean(m[3]), offset: dstOffset, isDst: true } };
}

/** Reads a TZif file (RFC 8536), version 2+ data block and footer. */
function parseTzif(data: Uint8Array): ZoneData | null {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const text = (start: number, end: number) => String.fromCharCode(...data.subarray(start, end));
  if (text(0, 4) !== 'TZif') return null;
  const version = data[4]!;
  const counts = (at: number) => [0, 1, 2, 3, 4, 5].map((i) => view.getUint32(at + 20 + i * 4));
  let at = 0;
  let [isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt] = counts(at);
  let timeSize = 4;
  if (version >= 0x32) {
    at = 44 + timecnt! * 5 + typecnt! * 6 + charcnt! + leapcnt! * 8 + isstdcnt! + isutcnt!;
    [isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt] = counts(at);
    timeSize = 8;
  }
  let p = at + 44;
  const transitions: bigint[] = [];
  for (let i = 0; i < timecnt!; i++, p += timeSize) {
    transitions.push(timeSize === 8 ? view.getBigInt64(p) : BigInt(view.getInt32(p)));
  }
  const types = [...data.subarray(p, p + timecnt!)];
  p += timecnt!;
  const raw: Array<{ offset: number; isDst: boolean; index: number }> = [];
  for (let i = 0; i < typecnt!; i++, p += 6) {
    raw.push({ offset: view.getInt32(p), isDst: data[p + 4] === 1, index: data[p + 5]! });
  }
  const chars = p;
  const localTimes = raw.map((t) => {
    let end = chars + t.index;
    while (data[end] !== 0 && end < chars + charcnt!) end++;
    return { offset: t.offset, isDst: t.isDst, abbreviation: text(chars + t.index, end) };
  });
  p += charcnt! + leapcnt! * (timeSize + 4) + isstdcnt! + isutcnt!;
  let footer: ZoneData['footer'];
  if (version >= 0x32 && data[p] === 0x0a) {
    const end = data.indexOf(0x0a, p + 1);
    if (end > p + 1) footer = parseFooter(text(p + 1, end));
  }
  return { transitions, types, localTimes, footer };
}

function load(zone: string): ZoneData | null {
  let data = cache.get(zone);
  if (data !== undefined) return data;
  data = null;
  const files = fs();
  if (files && /^[A-Za-z0-9_+-]+(\/[A-Za-z0-9_+-]+)*$/.test(zone)) {
    for (const dir of ZONEINFO_DIRS) {
      try {
        data = parseTzif(files.readFileSync(`${dir}/${zone}`));
        if (data) break;
      } catch {
        // not in this folder
      }
    }
  }
  cache.set(zone, data);
  return data;
}

function fromIntl(zone: string, epochMs: number, offsetSeconds: number): ZoneName {
  let abbreviation = '';
  try {
    const parts = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'short' }).formatToParts(epochMs);
    abbreviation = parts.find((p) => p.type === 'timeZoneName')?.value ?? '';
  } catch {
    abbreviation = zone;
  }
  // Daylight saving time: an offset above the smaller of January's and July's.
  const year = new Date(epochMs).getUTCFullYear();
  const offsetAt = (ms: number) => {
    const parts = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'longOffset' }).formatToParts(ms);
    const m = /GMT([-+])(\d\d):(\d\d)/.exec(parts.find((p) => p.type === 'timeZoneName')?.value ?? '');
    return m ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 3600 + Number(m[3]) * 60) : 0;
  };
  let standard = offsetSeconds;
  try {
    standard = Math.min(offsetAt(Date.UTC(year, 0, 1)), offsetAt(Date.UTC(year, 6, 1)));
  } catch {
    // keep the offset itself: not daylight saving time
  }
  return { abbreviation, isDst: offsetSeconds > standard };
}

/**
 * The abbreviation and DST flag of the IANA zone `zone` at `epochSeconds`, whose UTC offset there
 * is `offsetSeconds` (from Temporal).
 *
 * @example
 * zoneName('America/Chicago', 1593604800n, -18000); // { abbreviation: 'CDT', isDst: true }
 */
export function zoneName(zone: string, epochSeconds: bigint, offsetSeconds: number): ZoneName {
  const data = load(zone);
  if (data === null) return fromIntl(zone, Number(epochSeconds) * 1000, offsetSeconds);
  const { transitions, types, localTimes, footer } = data;
  const last = transitions.length ? transitions[transitions.length - 1]! : undefined;
  if (footer && (last === undefined || epochSeconds >= last)) {
    const pick = footer.dst && footer.dst.offset === offsetSeconds ? footer.dst : footer.std;
    if (last === undefined || pick.offset === offsetSeconds)
      return { abbreviation: pick.abbreviation, isDst: pick.isDst };
  }
  // The last transition at or before the instant (binary search); before the first, type 0.
  let lo = 0;
  let hi = transitions.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (transitions[mid]! <= epochSeconds) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  const type = localTimes[found < 0 ? 0 : types[found]!];
  if (!type) return fromIntl(zone, Number(epochSeconds) * 1000, offsetSeconds);
  return { abbreviation: type.abbreviation, isDst: type.isDst };
}
