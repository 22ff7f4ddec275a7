/**
 * Proxy headers, trusted only from `--forwarded-allow-ips`: `Forwarded` (RFC 7239) or
 * `X-Forwarded-For` / `X-Forwarded-Proto` become REMOTE_ADDR and `wsgi.url_scheme`. From any
 * other peer they are left as plain `HTTP_*` variables and change nothing.
 */
import net from 'node:net';
import type { Environ } from '../gateway/types.ts';

/** Which peers are trusted proxies. */
export interface TrustedProxies {
  trusts(address: string | undefined): boolean;
}

/**
 * Builds the trust list from addresses and CIDR ranges; `*` trusts every peer.
 *
 * @example
 * parseAllowIps(['127.0.0.1', '10.0.0.0/8']).trusts('10.1.2.3') // true
 */
export function parseAllowIps(entries: readonly string[]): TrustedProxies {
  if (entries.includes('*')) return { trusts: () => true };
  const list = new net.BlockList();
  for (const raw of entries) {
    const entry = raw.trim();
    if (!entry) continue;
    const [addr, prefix] = entry.split('/');
    const type = net.isIPv6(addr!) ? 'ipv6' : net.isIPv4(addr!) ? 'ipv4' : null;
    if (type === null || (prefix !== undefined && !/^\d+$/.test(prefix))) {
      throw new Error(`--forwarded-allow-ips: "${entry}" is not an IP address or CIDR range.`);
    }
    if (prefix === undefined) list.addAddress(addr!, type);
    else list.addSubnet(addr!, Number(prefix), type);
  }
  return {
    trusts(address) {
      if (!address) return false;
      if (address.startsWith('::ffff:') && net.isIPv4(address.slice(7))) address = address.slice(7);
      return list.check(address, net.isIPv6(address) ? 'ipv6' : 'ipv4');
    },
  };
}

function unquote(s: string): string {
  s = s.trim();
  return s.startsWith('"') && s.endsWith('"') ? s.slice(1, -1).replace(/\\(.)/g, '$1') : s;
}

/** `for=` node of RFC 7239 §6 to an address: `"[2001:db8::1]:4711"` → `2001:db8::1`. */
function nodeAddress(node: string): string {
  node = unquote(node);
  if (node.startsWith('[')) return node.slice(1, node.indexOf(']'));
  const colon = node.indexOf(':');
  return colon >= 0 && node.indexOf(':', colon + 1) < 0 ? node.slice(0, colon) : node;
}

/**
 * Applies the proxy headers of a trusted peer to an environ: the client is the first address
 * the proxy chain reports, the scheme is what the first proxy saw.
 */
export function applyProxyHeaders(environ: Environ): void {
  const forwarded = environ.HTTP_FORWARDED;
  if (forwarded) {
    const first = forwarded.split(',')[0]!;
    for (const pair of first.split(';')) {
      const eq = pair.indexOf('=');
      if (eq < 0) continue;
      const key = pair.slice(0, eq).trim().toLowerCase();
      const value = pair.slice(eq + 1);
      if (key === 'for') environ.REMOTE_ADDR = nodeAddress(value);
      else if (key === 'proto') {
        const proto = unquote(value).toLowerCase();
        if (proto === 'http' || proto === 'https') environ['wsgi.url_scheme'] = proto;
      }
    }
    return;
  }
  const xff = environ.HTTP_X_FORWARDED_FOR;
  if (xff) {
    const first = xff.split(',')[0]!.trim();
    if (first) environ.REMOTE_ADDR = first;
  }
  const proto = environ.HTTP_X_FORWARDED_PROTO?.split(',')[0]!.trim().toLowerCase();
  if (proto === 'http' || proto === 'https') environ['wsgi.url_scheme'] = proto;
}

/**
 * gunicorn's InvalidSchemeHeaders: from a trusted proxy, X-Forwarded-Proto, X-Forwarded-Ssl and
 * X-Forwarded-Protocol must agree on the scheme; a request where they contradict is refused.
 */
export function schemeConflict(headers: Record<string, string | string[] | undefined>): string | null {
  const votes = new Set<string>();
  const proto = headers['x-forwarded-proto'];
  if (typeof proto === 'string') votes.add(proto.split(',')[0]!.trim().toLowerCase() === 'https' ? 'https' : 'http');
  const ssl = headers['x-forwarded-ssl'];
  if (typeof ssl === 'string') votes.add(ssl.trim().toLowerCase() === 'on' ? 'https' : 'http');
  const protocol = headers['x-forwarded-protocol'];
  if (typeof protocol === 'string') votes.add(protocol.trim().toLowerCase() === 'ssl' ? 'https' : 'http');
  return votes.size > 1 ? 'X-Forwarded-Proto, X-Forwarded-Ssl and X-Forwarded-Protocol disagree on the scheme.' : null;
}
