import assert from "node:assert/strict";
import { loadConfig } from "./load.ts";

Deno.test("config: defaults give port 8114, local driver and python-default", () => {
  const r = loadConfig({});
  assert.ok(r.ok);
  assert.equal(r.config.port, 8114);
  assert.equal(r.config.driver, "local");
  assert.deepEqual(r.config.profiles.map((p) => p.id), ["python-default"]);
  assert.deepEqual(r.config.profiles[0].capabilities, ["python", "shell", "filesystem"]);
});

Deno.test("config: every error is reported at once with its field and variable", () => {
  const r = loadConfig({ BAY_PORT: "99999", BAY_DRIVER: "podman", BAY_API_KEY: "short" });
  assert.ok(!r.ok);
  assert.equal(r.errors.length, 3);
  assert.ok(r.errors.some((e) => e.startsWith("port (from BAY_PORT)")));
  assert.ok(r.errors.some((e) => e.startsWith("driver (from BAY_DRIVER)")));
  assert.ok(r.errors.some((e) => e.startsWith("apiKey (from BAY_API_KEY)")));
});

Deno.test("config: YAML file profiles, env overrides file", () => {
  const yaml = `
port: 9000
driver: fake
profiles:
  - id: small
    memoryMb: 256
    capabilities: [shell]
  - id: big
`;
  const r = loadConfig({ BAY_CONFIG_FILE: "bay.yaml", BAY_PORT: "9001" }, () => yaml);
  assert.ok(r.ok);
  assert.equal(r.config.port, 9001);
  assert.equal(r.config.driver, "fake");
  assert.deepEqual(r.config.profiles.map((p) => [p.id, p.memoryMb]), [["small", 256], [
    "big",
    1024,
  ]]);
});

Deno.test("config: file errors name the field path inside profiles", () => {
  const json = JSON.stringify({ profiles: [{ id: "A B", capabilities: ["gpu"] }] });
  const r = loadConfig({ BAY_CONFIG_FILE: "c.json" }, () => json);
  assert.ok(!r.ok);
  assert.ok(r.errors.some((e) => e.startsWith("profiles.0.id")), r.errors.join("\n"));
  assert.ok(r.errors.some((e) => e.startsWith("profiles.0.capabilities.0")), r.errors.join("\n"));
});

Deno.test("config: unreadable file is an error, not a crash", () => {
  const r = loadConfig({ BAY_CONFIG_FILE: "/nope.yaml" }, () => {
    throw new Error("No such file");
  });
  assert.ok(!r.ok);
  assert.match(r.errors[0], /nope\.yaml: No such file/);
});

Deno.test("config: BAY_MAX_CONCURRENT_STARTS is an optional positive integer", () => {
  const unset = loadConfig({});
  assert.ok(unset.ok);
  assert.equal(unset.config.maxConcurrentStarts, undefined);
  const set = loadConfig({ BAY_MAX_CONCURRENT_STARTS: "6" });
  assert.ok(set.ok);
  assert.equal(set.config.maxConcurrentStarts, 6);
  const fromFile = loadConfig({ BAY_CONFIG_FILE: "b.json" }, () => '{"maxConcurrentStarts": 3}');
  assert.ok(fromFile.ok);
  assert.equal(fromFile.config.maxConcurrentStarts, 3);
  for (const bad of ["0", "-1", "2.5", "many"]) {
    const r = loadConfig({ BAY_MAX_CONCURRENT_STARTS: bad });
    assert.ok(!r.ok, bad);
    assert.ok(r.errors[0].startsWith("maxConcurrentStarts (from BAY_MAX_CONCURRENT_STARTS)"));
  }
});

Deno.test("config: BAY_SESSION_START_TIMEOUT_MS sets the start deadline", () => {
  const d = loadConfig({});
  assert.ok(d.ok);
  assert.equal(d.config.sessionStartTimeoutMs, 120_000);
  const r = loadConfig({ BAY_SESSION_START_TIMEOUT_MS: "30000" });
  assert.ok(r.ok);
  assert.equal(r.config.sessionStartTimeoutMs, 30_000);
  assert.ok(!loadConfig({ BAY_SESSION_START_TIMEOUT_MS: "10" }).ok, "below 1 s is refused");
});
