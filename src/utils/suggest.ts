/**
 * "Did you mean ...?": the known name closest to a mistyped one, by edit distance, when it is
 * close enough to be a typo. One rule for every hint of the framework (settings, apps, dotted
 * names, commands).
 */

/** The Levenshtein distance between two (short) strings: insertions, deletions, substitutions. */
export function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_v, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j]!;
      row[j] = Math.min(above + 1, row[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length]!;
}

/**
 * The closest of `names` to `wanted` (a difference of case alone is closest), when at most two
 * edits, or a third of `wanted`, separate them.
 *
 * @example closestName('DEBGU', ['DEBUG', 'ALLOWED_HOSTS']) // 'DEBUG'
 */
export function closestName(wanted: string, names: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const name of names) {
    const d = name.toLowerCase() === wanted.toLowerCase() ? 0 : editDistance(wanted, name);
    if (d < bestDistance) {
      best = name;
      bestDistance = d;
    }
  }
  return bestDistance <= Math.max(2, Math.floor(wanted.length / 3)) ? best : undefined;
}
