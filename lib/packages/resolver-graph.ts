/** A directed graph over package keys: each key maps to the keys it depends on. */
export type Graph = ReadonlyMap<string, readonly string[]>;

const successors = (g: Graph, node: string): readonly string[] => g.get(node) ?? [];

/** Strongly connected components (Tarjan, iterative so deep chains cannot overflow the stack). */
function components(nodes: readonly string[], g: Graph): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const result: string[][] = [];
  let next = 0;
  const open = (n: string): void => {
    index.set(n, next);
    low.set(n, next);
    next++;
    stack.push(n);
    onStack.add(n);
  };
  for (const start of nodes) {
    if (index.has(start)) continue;
    open(start);
    const work: Array<{ node: string; i: number }> = [{ node: start, i: 0 }];
    while (work.length > 0) {
      const frame = work[work.length - 1];
      if (frame === undefined) break;
      const succ = successors(g, frame.node);
      const w = succ[frame.i];
      if (w !== undefined) {
        frame.i++;
        if (!index.has(w)) {
          open(w);
          work.push({ node: w, i: 0 });
        } else if (onStack.has(w)) {
          low.set(frame.node, Math.min(low.get(frame.node) ?? 0, index.get(w) ?? 0));
        }
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent !== undefined) low.set(parent.node, Math.min(low.get(parent.node) ?? 0, low.get(frame.node) ?? 0));
      if (low.get(frame.node) === index.get(frame.node)) {
        const component: string[] = [];
        let member: string | undefined;
        do {
          member = stack.pop();
          if (member === undefined) break;
          onStack.delete(member);
          component.push(member);
        } while (member !== frame.node);
        result.push(component);
      }
    }
  }
  return result;
}

/** A closed walk start -> ... -> start inside the component (breadth-first, so the shortest one). */
function cycleThrough(start: string, members: ReadonlySet<string>, g: Graph): string[] {
  const parent = new Map<string, string>();
  const queue = [start];
  for (let head = 0; head < queue.length; head++) {
    const node = queue[head] ?? start;
    for (const next of successors(g, node)) {
      if (!members.has(next)) continue;
      if (next === start) {
        const chain: string[] = [];
        for (let at: string | undefined = node; at !== undefined && at !== start; at = parent.get(at)) chain.unshift(at);
        return [start, ...chain, start];
      }
      if (!parent.has(next) && next !== start) {
        parent.set(next, node);
        queue.push(next);
      }
    }
  }
  return [start, start];
}

/** For every node on a dependency cycle (including a self-dependency), the cycle it lies on as a key chain. */
export function findCycles(nodes: readonly string[], g: Graph): Map<string, string[]> {
  const cycles = new Map<string, string[]>();
  for (const component of components(nodes, g)) {
    const first = [...component].sort()[0];
    if (first === undefined) continue;
    if (component.length === 1 && !successors(g, first).includes(first)) continue;
    const walk = cycleThrough(first, new Set(component), g);
    for (const member of component) cycles.set(member, walk);
  }
  return cycles;
}

/** Acyclic nodes in install order: a node after everything it depends on; ties broken by key. Edges leaving `nodes` are ignored. */
export function installOrder(nodes: ReadonlySet<string>, g: Graph): string[] {
  const remaining = new Map<string, number>();
  const dependents = new Map<string, string[]>();
  for (const n of nodes) {
    const deps = [...new Set(successors(g, n))].filter((d) => nodes.has(d));
    remaining.set(n, deps.length);
    for (const d of deps) {
      const list = dependents.get(d);
      if (list === undefined) dependents.set(d, [n]);
      else list.push(n);
    }
  }
  const order: string[] = [];
  let layer = [...nodes].filter((n) => remaining.get(n) === 0).sort();
  while (layer.length > 0) {
    order.push(...layer);
    const nextLayer: string[] = [];
    for (const n of layer) {
      for (const parent of dependents.get(n) ?? []) {
        const left = (remaining.get(parent) ?? 0) - 1;
        remaining.set(parent, left);
        if (left === 0) nextLayer.push(parent);
      }
    }
    layer = nextLayer.sort();
  }
  return order;
}

/** Shortest key chain from the first root (in the given order) that reaches each node; deps are walked in key order. */
export function shortestPaths(roots: readonly string[], g: Graph): Map<string, string[]> {
  const paths = new Map<string, string[]>();
  const queue: string[] = [];
  for (const r of roots) {
    if (paths.has(r)) continue;
    paths.set(r, [r]);
    queue.push(r);
  }
  for (let head = 0; head < queue.length; head++) {
    const node = queue[head];
    if (node === undefined) break;
    const path = paths.get(node) ?? [node];
    for (const next of [...successors(g, node)].sort()) {
      if (paths.has(next)) continue;
      paths.set(next, [...path, next]);
      queue.push(next);
    }
  }
  return paths;
}
