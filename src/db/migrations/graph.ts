/**
 * The migration graph, as Django's `django.db.migrations.graph`: every migration of every app,
 * with an edge from each to the migrations it depends on. Plans are walks of it: the forwards
 * plan of a migration is every migration it needs, dependencies first; the backwards plan every
 * migration that needs it, dependants first.
 */
import { keyName, type Migration, type MigrationKey } from './migration.ts';
import { ProjectState } from './state.ts';

/** A migration a dependency names does not exist. */
export class NodeNotFoundError extends Error {
  override name = 'NodeNotFoundError';
  readonly node: MigrationKey;

  constructor(message: string, node: MigrationKey) {
    super(message);
    this.node = node;
  }
}

/** Migrations depend on each other in a circle. */
export class CircularDependencyError extends Error {
  override name = 'CircularDependencyError';
}

interface Node {
  readonly key: MigrationKey;
  readonly name: string;
  migration: Migration;
  readonly parents: Set<Node>;
  readonly children: Set<Node>;
}

function compareNodes(a: Node, b: Node): number {
  return a.key[0] < b.key[0] ? -1 : a.key[0] > b.key[0] ? 1 : a.key[1] < b.key[1] ? -1 : a.key[1] > b.key[1] ? 1 : 0;
}

export class MigrationGraph {
  readonly #nodes = new Map<string, Node>();

  addNode(migration: Migration): void {
    const key: MigrationKey = [migration.appLabel, migration.name];
    this.#nodes.set(keyName(key), { key, name: keyName(key), migration, parents: new Set(), children: new Set() });
  }

  has(key: MigrationKey): boolean {
    return this.#nodes.has(keyName(key));
  }

  /** The migration of a node. @throws NodeNotFoundError */
  get(key: MigrationKey): Migration {
    return this.#node(key).migration;
  }

  #node(key: MigrationKey, origin?: Migration): Node {
    const node = this.#nodes.get(keyName(key));
    if (node === undefined) {
      throw new NodeNotFoundError(
        origin === undefined
          ? `Node ${keyName(key)} is not a migration of this project.`
          : `Migration ${origin.toString()} depends on ${keyName(key)}, which does not exist: fix the dependency, or make the missing migration.`,
        key,
      );
    }
    return node;
  }

  /** Records that `child` depends on `parent`. */
  addDependency(migration: Migration, child: MigrationKey, parent: MigrationKey): void {
    const c = this.#node(child, migration);
    const p = this.#node(parent, migration);
    c.parents.add(p);
    p.children.add(c);
  }

  /** Every migration key, in no particular order. */
  keys(): MigrationKey[] {
    return [...this.#nodes.values()].map((n) => n.key);
  }

  migrations(): Migration[] {
    return [...this.#nodes.values()].map((n) => n.migration);
  }

  parents(key: MigrationKey): MigrationKey[] {
    return [...this.#node(key).parents].sort(compareNodes).map((n) => n.key);
  }

  children(key: MigrationKey): MigrationKey[] {
    return [...this.#node(key).children].sort(compareNodes).map((n) => n.key);
  }

  /**
   * A squashed migration replaces the ones it lists: the dependencies on them and from them move
   * to it, and they leave the graph (all or none of them were applied).
   */
  removeReplacedNodes(replacement: MigrationKey, replaced: readonly MigrationKey[]): void {
    const target = this.#node(replacement);
    const replacedNames = new Set(replaced.map(keyName));
    for (const key of replaced) {
      const node = this.#nodes.get(keyName(key));
      if (node === undefined) continue;
      for (const child of node.children) {
        child.parents.delete(node);
        if (!replacedNames.has(child.name) && child !== target) {
          target.children.add(child);
          child.parents.add(target);
        }
      }
      for (const parent of node.parents) {
        parent.children.delete(node);
        if (!replacedNames.has(parent.name) && parent !== target) {
          target.parents.add(parent);
          parent.children.add(target);
        }
      }
      this.#nodes.delete(node.name);
    }
  }

  /**
   * A squashed migration that cannot be used (some of what it replaces is applied, some not)
   * leaves the graph; what depended on it depends on the last migration it replaces.
   */
  removeReplacementNode(replacement: MigrationKey, replaced: readonly MigrationKey[]): void {
    const node = this.#node(replacement);
    const last = replaced.length > 0 ? this.#nodes.get(keyName(replaced[replaced.length - 1]!)) : undefined;
    for (const child of node.children) {
      child.parents.delete(node);
      if (last !== undefined && !replaced.some((k) => keyName(k) === child.name)) {
        child.parents.add(last);
        last.children.add(child);
      }
    }
    for (const parent of node.parents) parent.children.delete(node);
    this.#nodes.delete(node.name);
  }

  /** @throws CircularDependencyError naming a migration in the circle. */
  ensureNotCyclic(): void {
    const state = new Map<Node, 1 | 2>();
    for (const start of this.#nodes.values()) {
      if (state.has(start)) continue;
      const stack: Array<[Node, Iterator<Node>]> = [[start, start.parents.values()]];
      state.set(start, 1);
      while (stack.length > 0) {
        const [node, iterator] = stack[stack.length - 1]!;
        const next = iterator.next();
        if (next.done) {
          state.set(node, 2);
          stack.pop();
          continue;
        }
        const parent = next.value;
        const seen = state.get(parent);
        if (seen === 1) {
          const circle = [...stack.map(([n]) => n.name).slice(stack.findIndex(([n]) => n === parent)), parent.name];
          throw new CircularDependencyError(`The migrations depend on each other in a circle: ${circle.join(' -> ')}.`);
        }
        if (seen === undefined) {
          state.set(parent, 1);
          stack.push([parent, parent.parents.values()]);
        }
      }
    }
  }

  #dfs(start: Node, forwards: boolean): MigrationKey[] {
    const visited: MigrationKey[] = [];
    const seen = new Set<Node>();
    const stack: Array<[Node, boolean]> = [[start, false]];
    while (stack.length > 0) {
      const [node, processed] = stack.pop()!;
      if (seen.has(node)) continue;
      if (processed) {
        seen.add(node);
        visited.push(node.key);
        continue;
      }
      stack.push([node, true]);
      for (const next of [...(forwards ? node.parents : node.children)].sort(compareNodes)) stack.push([next, false]);
    }
    return visited;
  }

  /** The migrations to apply to reach `key`, dependencies first (itself last). */
  forwardsPlan(key: MigrationKey): MigrationKey[] {
    return this.#dfs(this.#node(key), true);
  }

  /** The migrations to unapply to undo `key`, dependants first (itself last). */
  backwardsPlan(key: MigrationKey): MigrationKey[] {
    return this.#dfs(this.#node(key), false);
  }

  /** The first migrations of each app (no parent in their app), sorted. */
  rootNodes(app?: string): MigrationKey[] {
    return [...this.#nodes.values()]
      .filter((n) => (app === undefined || n.key[0] === app) && ![...n.parents].some((p) => p.key[0] === n.key[0]))
      .sort(compareNodes)
      .map((n) => n.key);
  }

  /** The last migrations of each app (no child in their app), sorted. */
  leafNodes(app?: string): MigrationKey[] {
    return [...this.#nodes.values()]
      .filter((n) => (app === undefined || n.key[0] === app) && ![...n.children].some((c) => c.key[0] === n.key[0]))
      .sort(compareNodes)
      .map((n) => n.key);
  }

  /**
   * The state after the given migrations (and what they need), or before them (`atEnd` false):
   * Django's `make_state`.
   */
  makeState(
    nodes: readonly MigrationKey[] = this.leafNodes(),
    atEnd = true,
    realApps: Iterable<string> = [],
  ): ProjectState {
    const plan: MigrationKey[] = [];
    const planned = new Set<string>();
    const targets = new Set(nodes.map(keyName));
    for (const node of nodes) {
      for (const key of this.forwardsPlan(node)) {
        const name = keyName(key);
        if (planned.has(name) || (!atEnd && targets.has(name))) continue;
        planned.add(name);
        plan.push(key);
      }
    }
    const state = new ProjectState([], realApps);
    for (const key of plan) this.get(key).mutateState(state, false);
    return state;
  }
}
