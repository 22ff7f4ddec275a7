/**
 * The dispatch tree of one resolver: its patterns filed under the literal path segments every
 * match must start with (`articles/`, `2003/`, ...). Resolving walks the path's segments down the
 * tree and tries only the patterns filed along the way, merged back into declaration order, so
 * the first match is the same as Django's linear scan while the cost depends on the path's
 * depth and on the patterns sharing its prefix, not on the size of the URLconf.
 */

interface TreeNode {
  /** Indices of the patterns filed here, ascending. */
  own: number[];
  children: Map<string, TreeNode> | undefined;
}

/** Where a pattern goes: its literal prefix; `exact` when the whole path must equal it. */
export interface TreeKey {
  prefix: string;
  exact: boolean;
}

function newNode(): TreeNode {
  return { own: [], children: undefined };
}

function child(node: TreeNode, key: string): TreeNode {
  node.children ??= new Map();
  let next = node.children.get(key);
  if (next === undefined) {
    next = newNode();
    node.children.set(key, next);
  }
  return next;
}

/** A prefix tree over path segments; each segment key ends with its `/` (except an exact tail). */
export class DispatchTree<T> {
  readonly #root: TreeNode = newNode();

  constructor(entries: readonly T[], keyOf: (entry: T) => TreeKey) {
    for (let i = 0; i < entries.length; i++) {
      const { prefix, exact } = keyOf(entries[i]);
      let node = this.#root;
      let pos = 0;
      for (let slash = prefix.indexOf('/'); slash !== -1; slash = prefix.indexOf('/', pos)) {
        node = child(node, prefix.slice(pos, slash + 1));
        pos = slash + 1;
      }
      // A partial last segment ('page-' of 'page-<int:n>/') cannot be a key: the path's segment
      // is longer. Only a pattern that must equal the whole path may use it as its last key.
      if (exact && pos < prefix.length) node = child(node, prefix.slice(pos));
      node.own.push(i);
    }
  }

  /**
   * The indices of the patterns that may match `path`, in declaration order.
   */
  candidates(path: string): number[] {
    let node = this.#root;
    let lists: number[][] | undefined;
    let only = node.own;
    let pos = 0;
    while (node.children !== undefined && pos < path.length) {
      const slash = path.indexOf('/', pos);
      const end = slash === -1 ? path.length : slash + 1;
      const next = node.children.get(path.slice(pos, end));
      if (next === undefined) break;
      node = next;
      pos = end;
      if (next.own.length === 0) continue;
      if (only.length === 0) only = next.own;
      else (lists ??= [only]).push(next.own);
    }
    if (lists === undefined) return only;
    return mergeSorted(lists);
  }
}

/** Merges ascending lists of distinct indices into one ascending list. */
function mergeSorted(lists: number[][]): number[] {
  const out: number[] = [];
  if (lists.length === 2) {
    const [a, b] = lists;
    let i = 0;
    let j = 0;
    while (i < a.length && j < b.length) out.push(a[i] < b[j] ? a[i++] : b[j++]);
    while (i < a.length) out.push(a[i++]);
    while (j < b.length) out.push(b[j++]);
    return out;
  }
  const cursors = new Array<number>(lists.length).fill(0);
  for (;;) {
    let best = -1;
    let bestValue = Infinity;
    for (let k = 0; k < lists.length; k++) {
      const c = cursors[k];
      if (c < lists[k].length && lists[k][c] < bestValue) {
        bestValue = lists[k][c];
        best = k;
      }
    }
    if (best === -1) return out;
    out.push(bestValue);
    cursors[best]++;
  }
}
