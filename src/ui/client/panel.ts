/** Small helpers the staff and sim pages share: keyed lists updated in place, JSON calls. */

export function el(id: string): HTMLElement {
  const e = document.getElementById(id);
  if (!e) throw new Error(`page element #${id} is missing`);
  return e;
}

/** Makes `parent`'s children match `items` by key, reusing nodes, so focus inside them survives an update. */
export function keyed<T>(parent: HTMLElement, items: readonly T[], key: (t: T) => string, make: (t: T) => HTMLElement, update: (node: HTMLElement, t: T) => void): void {
  const existing = new Map<string, HTMLElement>();
  for (const c of Array.from(parent.children) as HTMLElement[]) existing.set(c.dataset.key ?? '', c);
  let prev: HTMLElement | null = null;
  const keep = new Set<string>();
  for (const item of items) {
    const k = key(item);
    keep.add(k);
    let node = existing.get(k);
    if (!node) {
      node = make(item);
      node.dataset.key = k;
    }
    update(node, item);
    const want: ChildNode | null = prev ? prev.nextSibling : parent.firstChild;
    if (want !== node) parent.insertBefore(node, want);
    prev = node;
  }
  for (const [k, node] of existing) if (!keep.has(k)) node.remove();
}

/**
 * Keys for a newest-first list of lines in which the same line may repeat
 * (two ¥500 coins in one second): each copy is told apart by how many equal
 * lines are older than it, so a key stays the same as newer lines arrive.
 */
export function lineKeys(lines: readonly string[]): Array<{ line: string; key: string }> {
  const older = new Map<string, number>();
  const out: Array<{ line: string; key: string }> = [];
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i] ?? '';
    const n = older.get(line) ?? 0;
    older.set(line, n + 1);
    out.push({ line, key: `${n}|${line}` });
  }
  return out.reverse();
}

export function text(node: HTMLElement, t: string): void {
  if (node.textContent !== t) node.textContent = t;
}

export async function postJson(path: string, body: unknown): Promise<{ ok: boolean; error?: string }> {
  const r = await fetch(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const j = (await r.json()) as { error?: string };
  return { ok: r.ok, error: j.error };
}
