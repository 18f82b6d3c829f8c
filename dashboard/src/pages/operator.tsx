import { useEffect, useState } from "preact/hooks";
import { LineChart, type Series } from "../components/line_chart.tsx";
import { Section } from "../components/ui.tsx";
import { INTERVAL_MS, type Point, sampler, type Snapshot, WINDOW_MS } from "../metrics/sampler.ts";
import { GcPanel } from "../operator/gc.tsx";

const MIN_SPAN_MS = 20_000;

/** Operator view: live charts from /metrics (sampled in the browser) and GC. */
export function OperatorPage() {
  const [snap, setSnap] = useState<Snapshot>(sampler.snapshot());
  useEffect(() => sampler.subscribe(setSnap), []);
  const pts = snap.points;
  // The charts span the samples taken so far (at least MIN_SPAN_MS), up to the window.
  const to = pts.at(-1)?.t ?? Date.now();
  const from = Math.min(to - MIN_SPAN_MS, Math.max(pts[0]?.t ?? to, to - WINDOW_MS));

  return (
    <div class="page">
      <Section
        title="Metrics"
        testid="metrics"
        actions={
          <span class="muted small" data-testid="sample-count">
            {pts.length} samples · every {INTERVAL_MS / 1000}s · last {WINDOW_MS / 60_000} min
          </span>
        }
      >
        {snap.error && <div class="error">/metrics: {snap.error}</div>}
        <div class="charts">
          <div>
            <h3>Sessions by state</h3>
            <LineChart
              testid="chart-sessions"
              integer
              series={sessionSeries(pts)}
              from={from}
              to={to}
            />
          </div>
          <div>
            <h3>Exec latency (per interval)</h3>
            <LineChart
              testid="chart-exec-latency"
              unit=" ms"
              from={from}
              to={to}
              series={[
                { name: "p50", points: pts.map((p) => [p.t, p.exec.p50]) },
                { name: "p95", points: pts.map((p) => [p.t, p.exec.p95]) },
                { name: "mean", points: pts.map((p) => [p.t, p.exec.mean]) },
              ]}
            />
          </div>
          <div>
            <h3>HTTP requests / s</h3>
            <LineChart
              testid="chart-http"
              from={from}
              to={to}
              series={[{ name: "requests/s", points: pts.map((p) => [p.t, p.httpRate]) }]}
            />
          </div>
        </div>
        <h3>Exec latency since Bay started</h3>
        <table class="compact" data-testid="exec-totals">
          <thead>
            <tr>
              <th>Type</th>
              <th class="right">Executions</th>
              <th class="right">p50</th>
              <th class="right">p95</th>
            </tr>
          </thead>
          <tbody>
            {snap.execTotals.map((r) => (
              <tr key={r.type}>
                <td>{r.type}</td>
                <td class="right">{r.count}</td>
                <td class="right">{ms(r.p50)}</td>
                <td class="right">{ms(r.p95)}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {snap.execTotals.length === 0 && <p class="muted">No executions yet.</p>}
      </Section>
      <GcPanel />
    </div>
  );
}

function ms(v: number | null): string {
  return v === null ? "–" : `${v < 10 ? v.toFixed(1) : Math.round(v)} ms`;
}

/** One series per session state ever seen in the window, plus connected ships. */
function sessionSeries(pts: Point[]): Series[] {
  const states = [...new Set(pts.flatMap((p) => Object.keys(p.sessions)))].sort();
  return [
    ...states.map((s): Series => ({ name: s, points: pts.map((p) => [p.t, p.sessions[s] ?? 0]) })),
    { name: "ships connected", points: pts.map((p) => [p.t, p.ships]) },
  ];
}
