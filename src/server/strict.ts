/**
 * What node:http's parser (llhttp) lets through and a production server must refuse: gunicorn's
 * limits (request line, header count and size), repeated Host/Content-Type/Content-Length
 * (request smuggling and Host confusion), Transfer-Encoding on HTTP/1.0 (RFC 9112 §6.1),
 * versions other than 1.0 and 1.1, `*` with a method other than OPTIONS (RFC 9112 §3.2.4),
 * and forbidden trailer fields (RFC 9110 §6.5.1).
 */
import type { IncomingMessage } from 'node:http';
import { REASON_PHRASES } from '../gateway/http-rules.ts';

/** The limits of one server. */
export interface StrictLimits {
  limitRequestLine: number;
  limitRequestFields: number;
  limitRequestFieldSize: number;
  /** 0: no limit. */
  limitRequestBody: number;
  /** `refuse`: a header name with `_` is an error; `drop`: the gateway leaves it out of the environ. */
  headerMap: string;
}

/** A refused request: the status and a one-sentence reason sent as the body. */
export interface Refusal {
  status: number;
  reason: string;
}

const SINGLE = new Set(['host', 'content-type', 'content-length']);
// RFC 9110 §6.5.1: fields needed to frame, route or authenticate a message cannot be trailers
// (gunicorn's list; node itself already fails on Content-Length and Transfer-Encoding there).
const FORBIDDEN_TRAILERS = new Set(['host', 'content-length', 'transfer-encoding', 'trailer', 'authorization', 'te']);

/** Checks the head of a request; null when it may go to the application. */
export function checkRequest(req: IncomingMessage, limits: StrictLimits): Refusal | null {
  const version = req.httpVersion;
  if (version !== '1.1' && version !== '1.0') {
    return { status: 505, reason: `HTTP/${version} is not supported; use HTTP/1.1 or HTTP/1.0.` };
  }
  const method = req.method!;
  const url = req.url!;
  // "METHOD SP target SP HTTP/x.y", without CRLF, as gunicorn counts it.
  if (method.length + url.length + 10 > limits.limitRequestLine) {
    return { status: 414, reason: `The request line is longer than ${limits.limitRequestLine} bytes.` };
  }
  if (url === '*' && method !== 'OPTIONS') {
    return { status: 400, reason: `The target "*" is only allowed with OPTIONS, not ${method}.` };
  }
  const raw = req.rawHeaders;
  if (raw.length / 2 > limits.limitRequestFields) {
    return { status: 431, reason: `The request has more than ${limits.limitRequestFields} header fields.` };
  }
  let seen = 0; // bit flags for host, content-type, content-length
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    // "name: value\r\n"
    if (name.length + raw[i + 1]!.length + 4 > limits.limitRequestFieldSize) {
      return { status: 431, reason: `The header field ${name} is longer than ${limits.limitRequestFieldSize} bytes.` };
    }
    const len = name.length;
    if (len === 4 || len === 12 || len === 14 || len === 17) {
      const lower = name.toLowerCase();
      if (SINGLE.has(lower)) {
        const bit = lower === 'host' ? 1 : lower === 'content-type' ? 2 : 4;
        if (seen & bit) return { status: 400, reason: `The header field ${name} appears more than once.` };
        seen |= bit;
      } else if (lower === 'transfer-encoding' && version === '1.0') {
        return { status: 400, reason: 'Transfer-Encoding is not allowed in an HTTP/1.0 request.' };
      }
    }
    if (limits.headerMap === 'refuse' && name.includes('_')) {
      return { status: 400, reason: `The header field name ${name} contains "_", which this server refuses.` };
    }
  }
  if (limits.limitRequestBody > 0 && seen & 4 && Number(req.headers['content-length']) > limits.limitRequestBody) {
    return { status: 413, reason: `The request body is larger than ${limits.limitRequestBody} bytes.` };
  }
  return null;
}

/** Checks the trailer section of a chunked request once it has arrived; null when acceptable. */
export function checkTrailers(req: IncomingMessage): Refusal | null {
  const raw = req.rawTrailers;
  for (let i = 0; i < raw.length; i += 2) {
    if (FORBIDDEN_TRAILERS.has(raw[i]!.toLowerCase())) {
      return { status: 400, reason: `The field ${raw[i]} is not allowed in a trailer section.` };
    }
  }
  return null;
}

/** The bytes of a complete error answer that closes the connection. */
export function refusalBytes(refusal: Refusal): string {
  const text = refusal.reason + '\n';
  const phrase = REASON_PHRASES[refusal.status] ?? 'Bad Request';
  return `HTTP/1.1 ${refusal.status} ${phrase}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(text)}\r\n\r\n${text}`;
}
