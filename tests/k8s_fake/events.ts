/**
 * The fake cluster's event recorder: Events with the real shape (involved
 * object, reason, message, type, count, timestamps, source), a repeat bumping
 * `count` like the components' recorders do.
 *
 * @module
 */
import type { Obj, Store } from "./store.ts";

/** Records Events into the store. */
export class EventRecorder {
  #store: Store;
  #seq = 0;

  constructor(store: Store) {
    this.#store = store;
  }

  /** Record an Event on `obj` from component `from`. */
  record(obj: Obj, type: "Normal" | "Warning", reason: string, message: string, from: string) {
    const ns = obj.metadata.namespace!;
    const same = this.#store.list("events", ns, {
      fieldSelector: `involvedObject.uid=${obj.metadata.uid},reason=${reason}`,
    }).find((e) => e.message === message);
    const now = new Date().toISOString();
    if (same) {
      this.#store.mutate("events", ns, same.metadata.name, (e) => {
        e.count++;
        e.lastTimestamp = now;
      });
      return;
    }
    this.#store.insert("events", ns, {
      apiVersion: "v1",
      kind: "Event",
      metadata: { name: `${obj.metadata.name}.${(++this.#seq).toString(16)}`, namespace: ns },
      involvedObject: {
        kind: obj.kind,
        name: obj.metadata.name,
        namespace: ns,
        uid: obj.metadata.uid,
        apiVersion: "v1",
      },
      reason,
      message,
      type,
      count: 1,
      firstTimestamp: now,
      lastTimestamp: now,
      source: { component: from },
    });
  }
}
