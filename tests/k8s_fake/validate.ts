/**
 * The few API-server validations the fake applies on create and update, with
 * the real rules (names, label keys and values, secret modes, volume
 * references), so a driver bug surfaces as the 422 a real cluster returns.
 *
 * @module
 */
import type { Obj } from "./store.ts";

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const LABEL_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

function labelKeyErrors(key: string): string[] {
  const slash = key.lastIndexOf("/");
  const [prefix, name] = slash >= 0 ? [key.slice(0, slash), key.slice(slash + 1)] : ["", key];
  const out: string[] = [];
  if (prefix && (prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix))) out.push(`prefix of ${key}`);
  if (name.length > 63 || !LABEL_NAME.test(name)) out.push(`name part of ${key}`);
  return out;
}

/** Problems of `obj` for `resource` (empty when valid). */
export function validate(resource: string, obj: Obj): string[] {
  const errs: string[] = [];
  const m = obj.metadata ?? {};
  if (!m.name || m.name.length > 253 || !DNS_SUBDOMAIN.test(m.name)) {
    errs.push(`metadata.name: Invalid value: "${m.name}"`);
  }
  for (const [k, v] of Object.entries(m.labels ?? {})) {
    for (const e of labelKeyErrors(k)) errs.push(`metadata.labels: Invalid value: ${e}`);
    if (typeof v !== "string" || v.length > 63 || !LABEL_VALUE.test(v)) {
      errs.push(`metadata.labels: Invalid value: "${v}"`);
    }
  }
  for (const k of Object.keys(m.annotations ?? {})) {
    for (const e of labelKeyErrors(k)) errs.push(`metadata.annotations: Invalid value: ${e}`);
  }
  if (resource === "pods") errs.push(...validatePod(obj));
  if (resource === "persistentvolumeclaims") {
    if (!obj.spec?.resources?.requests?.storage) {
      errs.push("spec.resources[storage]: Required value");
    }
    if (!obj.spec?.accessModes?.length) errs.push("spec.accessModes: Required value");
  }
  return errs;
}

function validatePod(pod: Obj): string[] {
  const errs: string[] = [];
  const spec = pod.spec ?? {};
  if (!["Always", "OnFailure", "Never", undefined].includes(spec.restartPolicy)) {
    errs.push("spec.restartPolicy: Unsupported value");
  }
  if (spec.hostname !== undefined && !DNS_LABEL.test(spec.hostname)) {
    errs.push(`spec.hostname: Invalid value: "${spec.hostname}"`);
  }
  const volumes = new Set<string>();
  for (const [i, v] of (spec.volumes ?? []).entries()) {
    if (!v.name || !DNS_LABEL.test(v.name)) errs.push(`spec.volumes[${i}].name: Invalid value`);
    volumes.add(v.name);
    const mode = v.secret?.defaultMode;
    if (mode !== undefined && (mode < 0 || mode > 0o777)) {
      errs.push(`spec.volumes[${i}].secret.defaultMode: Invalid value: ${mode}`);
    }
  }
  if (!spec.containers?.length) errs.push("spec.containers: Required value");
  for (const [i, c] of (spec.containers ?? []).entries()) {
    if (!c.name || !DNS_LABEL.test(c.name)) errs.push(`spec.containers[${i}].name: Invalid value`);
    if (!c.image) errs.push(`spec.containers[${i}].image: Required value`);
    for (const vm of c.volumeMounts ?? []) {
      if (!volumes.has(vm.name)) errs.push(`spec.containers[${i}].volumeMounts.name: Not found`);
    }
    for (const e of c.env ?? []) {
      if (!/^[-._a-zA-Z][-._a-zA-Z0-9]*$/.test(e.name)) errs.push(`env name ${e.name}: Invalid`);
    }
    const sc = c.securityContext ?? {};
    if (sc.privileged && sc.allowPrivilegeEscalation === false) {
      errs.push("cannot set allowPrivilegeEscalation to false and privileged to true");
    }
    if (sc.runAsNonRoot === true && sc.runAsUser === 0) {
      errs.push("runAsNonRoot with runAsUser 0 can never start");
    }
  }
  return errs;
}
