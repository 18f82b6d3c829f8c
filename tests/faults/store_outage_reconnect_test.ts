/**
 * A ship reconnects while the store is away: Bay reaches PostgreSQL through
 * a cuttable TCP forwarder (the shared server is not touched), the
 * database is cut, the ship's channel drops meanwhile (the ship is frozen
 * past the heartbeat deadline, then thawed) and it dials back while Bay
 * cannot check its credential. Bay must not tell it "unauthorized" (the ship
 * would exit for good and take its kernel with it): the ship keeps retrying,
 * and once the database is back it is reattached with its kernel state.
 *
 * Needs `BAY_TEST_DATABASE_URL` (skipped without it).
 */
import assert from "node:assert/strict";
import { tempDatabaseUrl } from "../../bay/testing.ts";
import { sleep, withBay } from "../e2e/_bay.ts";
import { shipPids } from "../e2e/_host.ts";
import { Recorder } from "../_record.ts";
import { assertIntact, writeEvidence } from "./_files.ts";
import { TcpProxy } from "./_tcp_proxy.ts";

const HEARTBEAT_TIMEOUT_MS = 2000; // the e2e fixture's
const OUTAGE_AFTER_THAW_MS = 3000;

Deno.test({
  name: "faults: a ship reconnecting during a store outage is kept, not refused",
  ignore: !Deno.env.get("BAY_TEST_DATABASE_URL"),
  async fn() {
    const rec = new Recorder(
      "faults",
      "store_outage_reconnect",
      "ship reconnect during a store outage",
    );
    const db = await tempDatabaseUrl();
    const url = new URL(db.url);
    const proxy = TcpProxy.start({ hostname: url.hostname, port: Number(url.port || 5432) });
    url.port = String(proxy.port);
    try {
      await rec.run(() =>
        withBay({ env: { BAY_DATABASE_URL: url.toString() } }, async (bay) => {
          const sb = await bay.createSandbox();
          const written = await writeEvidence(bay, sb.id, "before");
          await bay.py(sb.id, "state = 'kept'");
          const [ship] = shipPids(bay, sb.cargo_id);

          proxy.cut();
          const t0 = performance.now();
          Deno.kill(ship, "SIGSTOP");
          await sleep(HEARTBEAT_TIMEOUT_MS + 700); // Bay drops the silent channel
          Deno.kill(ship, "SIGCONT"); // the ship dials back at once; the store is still away
          await sleep(OUTAGE_AFTER_THAW_MS);
          const during = await bay.api("GET", `/v1/sandboxes/${sb.id}`);
          assert.equal(during.status, 503, during.text);
          assert.equal(during.body.error.code, "store_unavailable");
          proxy.restore();
          const outageMs = performance.now() - t0;
          rec.tried(
            `cut Bay's database connection (TCP forwarder) for ${
              (outageMs / 1000).toFixed(1)
            } s; ` +
              `meanwhile freeze the ship past the ${HEARTBEAT_TIMEOUT_MS} ms heartbeat deadline ` +
              `and thaw it, so it reconnects while its credential cannot be checked`,
          );
          rec.held("requests during the outage: 503 store_unavailable");

          const t1 = performance.now();
          const r = await bay.py(sb.id, "state");
          rec.num("first_call_after_outage_ms", performance.now() - t1);
          rec.num("outage_ms", outageMs);
          assert.equal(r.output, "'kept'", `kernel state after the outage: ${JSON.stringify(r)}`);
          assert.deepEqual(shipPids(bay, sb.cargo_id), [ship], "the same ship process");
          await assertIntact(bay, sb.id, written);
          rec.held(
            "the ship kept retrying and was reattached once the store was back: same ship " +
              `process, kernel state kept, ${written.length} files intact`,
          );
          assert.equal((await bay.api("DELETE", `/v1/sandboxes/${sb.id}`)).status, 204);
        })
      );
    } finally {
      proxy.cut();
      await db.drop();
    }
  },
});
