/**
 * A fake Kubernetes API server and one-node cluster for the Kubernetes
 * driver's tests: see server.ts (the API), kubelet.ts (the node) and
 * plans/kubernetes.md (what tests against it prove).
 *
 * @module
 */
import { FakeKube, type FakeKubeOptions } from "./server.ts";

export { type AuditEntry, FakeKube, type FakeKubeOptions } from "./server.ts";

/** Start a fake API server on 127.0.0.1 (port 0). Close it with `close()`. */
export function startFakeKube(opts: FakeKubeOptions = {}): Promise<FakeKube> {
  return FakeKube.start(opts);
}
