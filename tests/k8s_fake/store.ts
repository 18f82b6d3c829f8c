/**
 * The fake API server's object store: namespaced objects by resource, a
 * global resourceVersion, label and field selectors with the API server's
 * syntax, and watches (`{type, object}` events, an initial ADDED burst when
 * no resourceVersion is given, replay from a short history otherwise).
 *
 * @module
 */

/** A Kubernetes object as JSON. */
// deno-lint-ignore no-explicit-any
export type Obj = Record<string, any> & { metadata: Meta };
/** The metadata fields the fake uses. */
export interface Meta {
  name: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: { uid: string; kind: string; name: string }[];
  [k: string]: unknown;
}
/** A watch event. */
export interface WatchEvent {
  type: "ADDED" | "MODIFIED" | "DELETED";
  object: Obj;
}
/** Label and field selectors of a list or watch. */
export interface Selectors {
  labelSelector?: string | null;
  fieldSelector?: string | null;
}

type Test = (o: Obj) => boolean;

function splitTop(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = "";
  for (const ch of s) {
    if (ch === "(") depth++;
    if (ch === ")") depth--;
    if (ch === "," && depth === 0) {
      out.push(cur.trim());
      cur = "";
    } else cur += ch;
  }
  if (cur.trim()) out.push(cur.trim());
  return out;
}

/** Parse a label selector (`k=v`, `k==v`, `k!=v`, `k`, `!k`, `k in (a,b)`, `k notin (a,b)`). */
export function labelTest(selector: string): Test {
  const tests = splitTop(selector).map((term): Test => {
    const set = term.match(/^([^\s!=]+)\s+(in|notin)\s+\((.*)\)$/);
    if (set) {
      const values = set[3].split(",").map((v) => v.trim());
      const has = (o: Obj) => values.includes(o.metadata.labels?.[set[1]] as string);
      return set[2] === "in" ? has : (o) => !has(o);
    }
    const eq = term.match(/^([^!=]+?)\s*(==|=|!=)\s*(.*)$/);
    if (eq) {
      const [, k, op, v] = eq;
      return op === "!="
        ? (o) => o.metadata.labels?.[k] !== v
        : (o) => o.metadata.labels?.[k] === v;
    }
    if (term.startsWith("!")) return (o) => !(term.slice(1) in (o.metadata.labels ?? {}));
    return (o) => term in (o.metadata.labels ?? {});
  });
  return (o) => tests.every((t) => t(o));
}

function fieldOf(o: Obj, path: string): string {
  // deno-lint-ignore no-explicit-any
  let v: any = o;
  for (const part of path.split(".")) v = v?.[part];
  return v === undefined || v === null ? "" : String(v);
}

/** Parse a field selector (`a.b=c`, `a.b==c`, `a.b!=c`, comma-separated). */
export function fieldTest(selector: string): Test {
  const tests = splitTop(selector).map((term): Test => {
    const m = term.match(/^([^!=]+?)\s*(==|=|!=)\s*(.*)$/);
    if (!m) throw new Error(`unsupported field selector ${term}`);
    const [, path, op, v] = m;
    return op === "!=" ? (o) => fieldOf(o, path) !== v : (o) => fieldOf(o, path) === v;
  });
  return (o) => tests.every((t) => t(o));
}

function matcher(sel: Selectors): Test {
  const l = sel.labelSelector ? labelTest(sel.labelSelector) : () => true;
  const f = sel.fieldSelector ? fieldTest(sel.fieldSelector) : () => true;
  return (o) => l(o) && f(o);
}

interface Watcher {
  resource: string;
  namespace: string;
  test: Test;
  send: (e: WatchEvent) => void;
  close: () => void;
}

/** Objects, resource versions and watches. */
export class Store {
  #rv = 1000;
  #objects = new Map<string, Obj>();
  #watchers = new Set<Watcher>();
  #history: { resource: string; rv: number; event: WatchEvent; old?: Obj }[] = [];

  #key(resource: string, ns: string, name: string): string {
    return `${resource}/${ns}/${name}`;
  }

  /** The current resourceVersion. */
  get resourceVersion(): string {
    return String(this.#rv);
  }

  /** A copy of one object, or undefined. */
  get(resource: string, ns: string, name: string): Obj | undefined {
    const o = this.#objects.get(this.#key(resource, ns, name));
    return o && structuredClone(o);
  }

  /** Copies of the matching objects of a namespace, by name. */
  list(resource: string, ns: string, sel: Selectors = {}): Obj[] {
    const test = matcher(sel);
    const prefix = `${resource}/${ns}/`;
    return [...this.#objects.entries()]
      .filter(([k, o]) => k.startsWith(prefix) && test(o))
      .map(([, o]) => structuredClone(o))
      .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
  }

  /** Insert a new object (false when the name is taken). */
  insert(resource: string, ns: string, obj: Obj): Obj | null {
    const key = this.#key(resource, ns, obj.metadata.name);
    if (this.#objects.has(key)) return null;
    obj.metadata.resourceVersion = String(++this.#rv);
    this.#objects.set(key, structuredClone(obj));
    this.#emit(resource, { type: "ADDED", object: structuredClone(obj) });
    return structuredClone(obj);
  }

  /** Change an object in place; returns the new copy (undefined when missing). */
  mutate(resource: string, ns: string, name: string, fn: (o: Obj) => void): Obj | undefined {
    const key = this.#key(resource, ns, name);
    const cur = this.#objects.get(key);
    if (!cur) return undefined;
    const old = structuredClone(cur);
    fn(cur);
    cur.metadata.resourceVersion = String(++this.#rv);
    this.#emit(resource, { type: "MODIFIED", object: structuredClone(cur) }, old);
    return structuredClone(cur);
  }

  /** Remove an object; returns its last copy. */
  remove(resource: string, ns: string, name: string): Obj | undefined {
    const key = this.#key(resource, ns, name);
    const cur = this.#objects.get(key);
    if (!cur) return undefined;
    this.#objects.delete(key);
    cur.metadata.resourceVersion = String(++this.#rv);
    this.#emit(resource, { type: "DELETED", object: structuredClone(cur) });
    return structuredClone(cur);
  }

  #emit(resource: string, event: WatchEvent, old?: Obj): void {
    this.#history.push({ resource, rv: this.#rv, event, old });
    if (this.#history.length > 2000) this.#history.shift();
    for (const w of this.#watchers) {
      if (w.resource === resource) this.#deliver(w, event, old);
    }
  }

  /** Send `event` as the watcher sees it: objects entering or leaving its selection too. */
  #deliver(w: Watcher, event: WatchEvent, old?: Obj): void {
    if (event.object.metadata.namespace !== w.namespace) return;
    const now = w.test(event.object);
    const before = old ? w.test(old) : false;
    if (event.type === "MODIFIED" && now !== before) {
      w.send({ type: now ? "ADDED" : "DELETED", object: event.object });
    } else if (now) w.send(event);
  }

  /** A watch as a stream of JSON lines; ends after `timeoutSeconds` or on {@link closeWatches}. */
  watch(
    resource: string,
    ns: string,
    sel: Selectors,
    opts: { resourceVersion?: string | null; timeoutSeconds?: number },
  ): ReadableStream<Uint8Array> {
    const enc = new TextEncoder();
    let watcher: Watcher;
    let timer: ReturnType<typeof setTimeout> | undefined;
    return new ReadableStream({
      start: (c) => {
        let open = true;
        watcher = {
          resource,
          namespace: ns,
          test: matcher(sel),
          send: (e) => open && c.enqueue(enc.encode(JSON.stringify(e) + "\n")),
          close: () => {
            if (!open) return;
            open = false;
            clearTimeout(timer);
            this.#watchers.delete(watcher);
            c.close();
          },
        };
        const since = Number(opts.resourceVersion ?? "0");
        if (!since) {
          for (const o of this.list(resource, ns, sel)) watcher.send({ type: "ADDED", object: o });
        } else {
          for (const h of this.#history) {
            if (h.resource === resource && h.rv > since) this.#deliver(watcher, h.event, h.old);
          }
        }
        this.#watchers.add(watcher);
        if (opts.timeoutSeconds) timer = setTimeout(watcher.close, opts.timeoutSeconds * 1000);
      },
      cancel: () => {
        clearTimeout(timer);
        this.#watchers.delete(watcher);
      },
    });
  }

  /** End every open watch (the API server going away). */
  closeWatches(): void {
    for (const w of [...this.#watchers]) w.close();
  }
}
