/**
 * What both `wsgi.input` streams (the node:http one, input.ts, and the Fetch one,
 * fetch-environ.ts) do with the chunks they buffer: the size arguments of `read(size)` and
 * `readline(limit)` (spec §3.3), and taking bytes off the front of the buffer. Web standards only.
 */

/**
 * The size argument of `read(size)` or `readline(limit)` (§3.3): a non-negative integer, or
 * nothing (or -1, as in Python) for everything.
 * @throws TypeError naming the bad value.
 */
export function sizeArgument(size: number | undefined, call: 'read(size)' | 'readline(limit)'): number | undefined {
  if (size === undefined || size === -1) return undefined;
  if (Number.isInteger(size) && size >= 0) return size;
  throw new TypeError(
    `${call} takes a non-negative integer (or nothing${call === 'read(size)' ? ' for the whole body' : ''}), not ${String(size)}.`,
  );
}

/**
 * Removes the first `size` bytes (all buffered, `size` > 0) from `chunks` and returns them: the
 * first chunk itself or a view of it when it holds them all, else a copy into `alloc(size)`.
 */
export function takeBytes<T extends Uint8Array>(chunks: T[], size: number, alloc: (size: number) => T): T {
  const first = chunks[0]!;
  if (first.byteLength === size) {
    chunks.shift();
    return first;
  }
  if (first.byteLength > size) {
    chunks[0] = first.subarray(size) as T;
    return first.subarray(0, size) as T;
  }
  const out = alloc(size);
  let filled = 0;
  while (filled < size) {
    const chunk = chunks[0]!;
    const part = Math.min(chunk.byteLength, size - filled);
    out.set(chunk.subarray(0, part), filled);
    filled += part;
    if (part === chunk.byteLength) chunks.shift();
    else chunks[0] = chunk.subarray(part) as T;
  }
  return out;
}
