/**
 * Prometheus metrics (prom-client): HTTP, sessions, execs, ships, channel
 * bytes, GC, warm pool, store. One registry per Bay, served at `/metrics`.
 *
 * @module
 */
import { Counter, Gauge, Histogram, Registry } from "prom-client";

const LATENCY_S = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** Bay's metrics. */
export class Metrics {
  /** The registry `/metrics` renders. */
  readonly registry = new Registry();
  readonly httpRequests = new Counter({
    name: "bay_http_requests_total",
    help: "HTTP requests by method, route and status",
    labelNames: ["method", "route", "status"] as const,
    registers: [this.registry],
  });
  readonly httpDuration = new Histogram({
    name: "bay_http_request_duration_seconds",
    help: "HTTP request latency by method, route and status",
    labelNames: ["method", "route", "status"] as const,
    buckets: LATENCY_S,
    registers: [this.registry],
  });
  readonly sessionStart = new Histogram({
    name: "bay_session_start_duration_seconds",
    help: "Time from session start to its ship connecting, by driver and outcome",
    labelNames: ["driver", "outcome"] as const,
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120],
    registers: [this.registry],
  });
  readonly execDuration = new Histogram({
    name: "bay_exec_duration_seconds",
    help: "Execution latency through Bay by type and success",
    labelNames: ["type", "success"] as const,
    buckets: LATENCY_S,
    registers: [this.registry],
  });
  readonly gcCleaned = new Counter({
    name: "bay_gc_cleaned_total",
    help: "Items cleaned by GC, by task",
    labelNames: ["task"] as const,
    registers: [this.registry],
  });
  readonly gcErrors = new Counter({
    name: "bay_gc_errors_total",
    help: "GC item errors, by task",
    labelNames: ["task"] as const,
    registers: [this.registry],
  });
  readonly poolClaims = new Counter({
    name: "bay_warm_pool_claims_total",
    help: "Sandbox creates served from the warm pool, by profile",
    labelNames: ["profile"] as const,
    registers: [this.registry],
  });
  readonly poolMisses = new Counter({
    name: "bay_warm_pool_misses_total",
    help: "Sandbox creates that found the warm pool empty, by profile",
    labelNames: ["profile"] as const,
    registers: [this.registry],
  });
  readonly storeQuery = new Histogram({
    name: "bay_store_query_duration_seconds",
    help: "Store query latency",
    labelNames: ["backend"] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1],
    registers: [this.registry],
  });

  /** Gauges read at scrape time. */
  gauges(read: {
    shipsConnected: () => number;
    channelBytes: () => { sent: number; received: number };
    sessionsByState: () => Promise<Record<string, number>>;
    poolSize: () => Promise<Record<string, number>>;
    sessionStarts: () => { running: number; queued: number };
  }): void {
    new Gauge({
      name: "bay_ships_connected",
      help: "Ships connected to this Bay",
      registers: [this.registry],
      collect() {
        this.set(read.shipsConnected());
      },
    });
    new Gauge({
      name: "bay_channel_bytes",
      help: "Bytes over ship channels of this Bay since start (gauge of a running total)",
      labelNames: ["direction"] as const,
      registers: [this.registry],
      collect() {
        const b = read.channelBytes();
        this.set({ direction: "sent" }, b.sent);
        this.set({ direction: "received" }, b.received);
      },
    });
    new Gauge({
      name: "bay_session_starts",
      help: "Session starts on this Bay: running, or queued for a slot (maxConcurrentStarts)",
      labelNames: ["state"] as const,
      registers: [this.registry],
      collect() {
        const s = read.sessionStarts();
        this.set({ state: "running" }, s.running);
        this.set({ state: "queued" }, s.queued);
      },
    });
    new Gauge({
      name: "bay_sessions",
      help: "Sessions by state (store-wide)",
      labelNames: ["state"] as const,
      registers: [this.registry],
      async collect() {
        this.reset();
        for (const [state, n] of Object.entries(await read.sessionsByState())) {
          this.set({ state }, n);
        }
      },
    });
    new Gauge({
      name: "bay_warm_pool_size",
      help: "Ready warm-pool sandboxes by profile",
      labelNames: ["profile"] as const,
      registers: [this.registry],
      async collect() {
        this.reset();
        for (const [profile, n] of Object.entries(await read.poolSize())) {
          this.set({ profile }, n);
        }
      },
    });
  }
}
