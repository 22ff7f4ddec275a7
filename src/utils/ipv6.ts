/**
 * IPv6 addresses as Python's `ipaddress` reads and prints them (what Django's
 * `django.utils.ipv6` stands on): eight hextets, one `::`, an IPv4 tail, a `%scope`; printed in
 * lower case with the longest run of two or more zero hextets written `::`.
 *
 * @example
 * parseIpv6('2001:0DB8::0001');          // { hextets: [0x2001, 0xdb8, 0, 0, 0, 0, 0, 1], scope: '' }
 * formatIpv6(parseIpv6('2001:0DB8::0001')!); // '2001:db8::1'
 */

/** The longest text Django lets through to the parser (a full address with an IPv4 tail). */
export const MAX_IPV6_ADDRESS_LENGTH = 39;

export interface Ipv6 {
  /** Eight numbers of 16 bits. */
  hextets: number[];
  /** The zone after `%`, or ''. */
  scope: string;
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/** Whether `text` is a dotted IPv4 address, without leading zeros (Python >= 3.9.5). */
export function isIpv4(text: string): boolean {
  return IPV4.test(text);
}

/** The address, or undefined when `text` is not one (Python's `IPv6Address(text)` raising). */
export function parseIpv6(text: string): Ipv6 | undefined {
  let address = text;
  let scope = '';
  const percent = text.indexOf('%');
  if (percent >= 0) {
    scope = text.slice(percent + 1);
    address = text.slice(0, percent);
    if (scope === '' || scope.includes('%') || scope.includes('/')) return undefined;
  }
  // An IPv4 tail is two hextets.
  const lastColon = address.lastIndexOf(':');
  const last = address.slice(lastColon + 1);
  if (lastColon >= 0 && last.includes('.')) {
    if (!isIpv4(last)) return undefined;
    const [a, b, c, d] = last.split('.').map(Number) as [number, number, number, number];
    address = `${address.slice(0, lastColon + 1)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const hexPart = (part: string): number | undefined =>
    /^[0-9a-fA-F]{1,4}$/.test(part) ? parseInt(part, 16) : undefined;
  const partsOf = (side: string): number[] | undefined => {
    if (side === '') return [];
    const values = side.split(':').map(hexPart);
    return values.includes(undefined) ? undefined : (values as number[]);
  };
  const skip = address.indexOf('::');
  let hextets: number[];
  if (skip >= 0) {
    const left = partsOf(address.slice(0, skip));
    const right = partsOf(address.slice(skip + 2));
    if (left === undefined || right === undefined || left.length + right.length > 7) return undefined;
    hextets = [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
  } else {
    const all = partsOf(address);
    if (all === undefined || all.length !== 8) return undefined;
    hextets = all;
  }
  return { hextets, scope };
}

/** The IPv4 address of an IPv4-mapped address (`::ffff:1.2.3.4`), else undefined. */
export function ipv4Mapped(address: Ipv6): string | undefined {
  const h = address.hextets;
  if (h.slice(0, 5).some((x) => x !== 0) || h[5] !== 0xffff) return undefined;
  return `${h[6]! >> 8}.${h[6]! & 255}.${h[7]! >> 8}.${h[7]! & 255}`;
}

/** Python's `str(IPv6Address)`: lower case, no leading zeros, the longest zero run (two or more) as `::`. */
export function formatIpv6(address: Ipv6): string {
  const hex = address.hextets.map((x) => x.toString(16));
  let bestStart = -1;
  let bestLength = 0;
  for (let i = 0; i < 8;) {
    if (address.hextets[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && address.hextets[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  let text: string;
  if (bestLength > 1) {
    const left = hex.slice(0, bestStart).join(':');
    const right = hex.slice(bestStart + bestLength).join(':');
    text = `${left}::${right}`;
  } else {
    text = hex.join(':');
  }
  return address.scope ? `${text}%${address.scope}` : text;
}
