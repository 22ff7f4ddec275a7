/** A raw HTTP/1.1 exchange over node:net: the request bytes exactly as written, the response parsed. */
import net from 'node:net';

export interface RawResponse {
  status: number;
  headers: Map<string, string>;
  body: Buffer;
  raw: Buffer;
}

/** Sends `request` (with Connection: close added) and reads the response until the server closes. */
export function rawRequest(
  port: number,
  method: string,
  target: string,
  headers: Record<string, string> = {},
): Promise<RawResponse> {
  const lines = [
    `${method} ${target} HTTP/1.1`,
    'Host: 127.0.0.1',
    'Connection: close',
    ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
    '',
    '',
  ];
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const timer = setTimeout(
      () => socket.destroy(new Error(`no complete answer to ${method} ${target} within 10 s`)),
      10_000,
    );
    socket.on('data', (c) => chunks.push(c));
    socket.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    socket.on('close', () => {
      clearTimeout(timer);
      const raw = Buffer.concat(chunks);
      const end = raw.indexOf('\r\n\r\n');
      if (end < 0) return reject(new Error(`incomplete response: ${JSON.stringify(raw.toString('latin1'))}`));
      const head = raw.subarray(0, end).toString('latin1').split('\r\n');
      const status = Number(head[0]!.split(' ')[1]);
      const map = new Map<string, string>();
      for (const line of head.slice(1)) {
        const i = line.indexOf(':');
        const name = line.slice(0, i).toLowerCase();
        const value = line.slice(i + 1).trim();
        map.set(name, map.has(name) ? `${map.get(name)}, ${value}` : value);
      }
      let body: Buffer = raw.subarray(end + 4);
      if (map.get('transfer-encoding') === 'chunked') body = dechunk(body);
      resolve({ status, headers: map, body, raw });
    });
    // No half-close: a server may take a FIN as the client going away (spec §3.5).
    socket.write(lines.join('\r\n'));
  });
}

function dechunk(data: Buffer): Buffer {
  const out: Buffer[] = [];
  let i = 0;
  while (i < data.length) {
    const lineEnd = data.indexOf('\r\n', i);
    const size = parseInt(data.subarray(i, lineEnd).toString('latin1'), 16);
    if (!size) break;
    out.push(data.subarray(lineEnd + 2, lineEnd + 2 + size));
    i = lineEnd + 2 + size + 2;
  }
  return Buffer.concat(out);
}
