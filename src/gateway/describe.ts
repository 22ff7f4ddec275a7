/**
 * How the gateway's error messages name a value the other side got wrong: `null`,
 * `a string ("abc")`, `the number 3`, `a function (handler)`, `an object of class Foo`.
 *
 * @example describe(new Map()) // 'an object of class Map'
 */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (typeof value === 'string')
    return `a string (${JSON.stringify(value.length > 40 ? value.slice(0, 40) + '…' : value)})`;
  if (typeof value === 'function') return `a function${value.name ? ` (${value.name})` : ''}`;
  if (typeof value === 'object') {
    const name = (value as object).constructor?.name;
    return name && name !== 'Object' ? `an object of class ${name}` : 'a plain object';
  }
  return `${typeof value === 'number' ? 'the number' : `a ${typeof value}`} ${String(value)}`;
}
