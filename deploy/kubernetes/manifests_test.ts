/**
 * The Kubernetes manifests parse, have the required fields, and agree with
 * the code: the Role grants exactly the driver's RBAC_RULES, every `BAY_*`
 * variable is a real setting and the whole environment (with the ConfigMap's
 * profiles) passes Bay's config validation, and the Service, the ships' URL
 * and the NetworkPolicies select what they should.
 *
 * @module
 */
import assert from "node:assert/strict";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { parse, parseAllDocuments } from "yaml";
import { ENV_FIELDS, loadConfig } from "../../bay/config/load.ts";
import { LABEL, NETWORK_LABEL } from "../../bay/drivers/kubernetes/_spec.ts";
import { RBAC_RULES } from "../../bay/drivers/kubernetes/mod.ts";

// deno-lint-ignore no-explicit-any
type Doc = Record<string, any>;

const DIR = dirname(fileURLToPath(import.meta.url));
/** The apiVersion of every kind used; all but Namespace are namespaced. */
const API_VERSION: Record<string, string> = {
  Namespace: "v1",
  ServiceAccount: "v1",
  Role: "rbac.authorization.k8s.io/v1",
  RoleBinding: "rbac.authorization.k8s.io/v1",
  ConfigMap: "v1",
  Secret: "v1",
  Deployment: "apps/v1",
  StatefulSet: "apps/v1",
  Service: "v1",
  PodDisruptionBudget: "policy/v1",
  NetworkPolicy: "networking.k8s.io/v1",
};

async function load(): Promise<Map<string, Doc[]>> {
  const files = new Map<string, Doc[]>();
  for await (const e of Deno.readDir(DIR)) {
    if (!e.name.endsWith(".yaml") || e.name === "kustomization.yaml") continue;
    const docs = parseAllDocuments(await Deno.readTextFile(`${DIR}/${e.name}`));
    files.set(
      e.name,
      (Array.isArray(docs) ? docs : [docs]).map((d) => {
        assert.deepEqual(d.errors, [], `${e.name}: ${d.errors.join("; ")}`);
        return d.toJS() as Doc;
      }),
    );
  }
  return files;
}

const all = await load();
const docs = [...all.values()].flat();
const find = (kind: string, name: string) => {
  const d = docs.find((x) => x.kind === kind && x.metadata.name === name);
  assert.ok(d, `${kind}/${name} exists`);
  return d;
};

Deno.test("k8s manifests: every document parses with apiVersion, kind, name, namespace", () => {
  assert.ok(docs.length >= 15, `${docs.length} documents`);
  for (const d of docs) {
    assert.equal(d.apiVersion, API_VERSION[d.kind], `${d.kind} ${d.metadata?.name}`);
    assert.match(d.metadata?.name ?? "", /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/);
    if (d.kind === "Namespace") assert.equal(d.metadata.namespace, undefined);
    else {
      assert.ok(["shipyard", "shipyard-sandboxes"].includes(d.metadata.namespace), d.metadata.name);
    }
  }
  const kinds = new Set(docs.map((d) => d.kind));
  assert.deepEqual([...kinds].sort(), Object.keys(API_VERSION).sort(), "every kind is used");
});

Deno.test("k8s manifests: kustomization lists every manifest but the example secret", async () => {
  const k = parse(await Deno.readTextFile(`${DIR}/kustomization.yaml`));
  assert.equal(k.kind, "Kustomization");
  const expected = [...all.keys()].filter((f) => !f.includes(".example.")).sort();
  assert.deepEqual([...k.resources].sort(), expected);
});

Deno.test("k8s manifests: the Role grants exactly the driver's permissions", () => {
  const role = find("Role", "shipyard-bay-driver");
  assert.equal(role.metadata.namespace, "shipyard-sandboxes");
  assert.deepEqual(
    role.rules.map((r: Doc) => ({
      apiGroups: r.apiGroups,
      resources: r.resources,
      verbs: r.verbs,
    })),
    RBAC_RULES.map((r) => ({ apiGroups: [""], ...r })),
  );
  const binding = find("RoleBinding", "shipyard-bay-driver");
  assert.deepEqual(binding.roleRef, {
    apiGroup: "rbac.authorization.k8s.io",
    kind: "Role",
    name: "shipyard-bay-driver",
  });
  const bay = find("Deployment", "bay");
  assert.deepEqual(binding.subjects, [{
    kind: "ServiceAccount",
    name: bay.spec.template.spec.serviceAccountName,
    namespace: "shipyard",
  }]);
  find("ServiceAccount", bay.spec.template.spec.serviceAccountName);
});

Deno.test("k8s manifests: Bay's Deployment wires secrets, downward API and a valid config", () => {
  const bay = find("Deployment", "bay");
  assert.equal(bay.spec.replicas, 2);
  const pod = bay.spec.template.spec;
  const [c] = pod.containers;
  const env: Doc[] = c.env;
  const byName = Object.fromEntries(env.map((e) => [e.name, e]));
  for (const name of ["BAY_DATABASE_URL", "BAY_API_KEY"]) {
    assert.deepEqual(byName[name].valueFrom, { secretKeyRef: { name: "bay-secrets", key: name } });
  }
  assert.deepEqual(byName.BAY_INSTANCE_ID.valueFrom, { fieldRef: { fieldPath: "metadata.name" } });
  assert.deepEqual(byName.POD_IP.valueFrom, { fieldRef: { fieldPath: "status.podIP" } });
  assert.equal(byName.BAY_ADVERTISE_URL.value, "http://$(POD_IP):8114");
  assert.ok(env.indexOf(byName.POD_IP) < env.indexOf(byName.BAY_ADVERTISE_URL), "defined first");
  for (const e of env) {
    if (e.name.startsWith("BAY_")) assert.ok(e.name in ENV_FIELDS, `${e.name} is a Bay setting`);
  }
  // The whole environment, with stand-ins for what Kubernetes fills in, is a valid config.
  const stand: Record<string, string> = {
    BAY_DATABASE_URL: "postgres://bay:pw@postgres.shipyard.svc:5432/bay",
    BAY_API_KEY: "k".repeat(32),
    BAY_INSTANCE_ID: "bay-7d9f-abcde",
  };
  const values = Object.fromEntries(
    env.map((e) => [e.name, stand[e.name] ?? e.value?.replace("$(POD_IP)", "10.1.2.3") ?? ""]),
  );
  const cm = find("ConfigMap", "bay-config");
  const loaded = loadConfig(values, () => cm.data["bay.yaml"]);
  assert.ok(loaded.ok, loaded.ok ? "" : loaded.errors.join("; "));
  assert.equal(loaded.config.driver, "kubernetes");
  assert.deepEqual(loaded.config.profiles.map((p) => p.network), ["none", "bridge"]);
  const svc = find("Service", "bay");
  assert.equal(
    loaded.config.kubeBayUrl,
    `http://bay.shipyard.svc.cluster.local:${svc.spec.ports[0].port}`,
  );
  for (const [k, v] of Object.entries(svc.spec.selector)) {
    assert.equal(bay.spec.template.metadata.labels[k], v, `the Service selects Bay's pods (${k})`);
  }
  assert.ok(c.ports.some((p: Doc) => p.name === svc.spec.ports[0].targetPort));
  assert.equal(loaded.config.kubeNamespace, find("Role", "shipyard-bay-driver").metadata.namespace);
  assert.equal(c.securityContext.readOnlyRootFilesystem, true);
  assert.equal(pod.securityContext.runAsNonRoot, true);
});

Deno.test("k8s manifests: NetworkPolicies let sandboxes reach only Bay (and DNS)", () => {
  const deny = find("NetworkPolicy", "sandbox-default-deny");
  assert.deepEqual(deny.spec, { podSelector: {}, policyTypes: ["Ingress", "Egress"] });
  const toBay = find("NetworkPolicy", "sandbox-to-bay");
  assert.deepEqual(toBay.spec.podSelector.matchLabels, { [LABEL.managed]: "1" });
  assert.equal(toBay.spec.ingress, undefined, "no ingress allowed");
  const [bayRule, dnsRule] = toBay.spec.egress;
  assert.deepEqual(bayRule.to[0].podSelector.matchLabels, { "app.kubernetes.io/name": "bay" });
  assert.deepEqual(bayRule.to[0].namespaceSelector.matchLabels, {
    "kubernetes.io/metadata.name": "shipyard",
  });
  assert.deepEqual(bayRule.ports, [{ protocol: "TCP", port: 8114 }]);
  assert.deepEqual(dnsRule.ports.map((p: Doc) => p.port), [53, 53]);
  assert.equal(toBay.spec.egress.length, 2, "nothing else");
  const bridge = find("NetworkPolicy", "sandbox-bridge-egress");
  assert.equal(bridge.spec.podSelector.matchLabels[NETWORK_LABEL], "bridge");
  assert.ok(bridge.spec.egress[0].to[0].ipBlock.except.includes("169.254.0.0/16"), "no metadata");
  const ns = find("Namespace", "shipyard-sandboxes");
  assert.equal(ns.metadata.labels["pod-security.kubernetes.io/enforce"], "baseline");
});
