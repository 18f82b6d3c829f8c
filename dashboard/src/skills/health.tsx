import { skills } from "../api/bay.ts";
import { Badge, ErrorBox, Time } from "../components/ui.tsx";
import { useResource } from "../hooks.ts";

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

/** A release's health against its baseline (GET /v1/skills/releases/{id}/health). */
export function HealthPanel({ releaseId }: { releaseId: string }) {
  const h = useResource(() => skills.health(releaseId), [releaseId], 10_000);
  if (h.error) return <ErrorBox error={h.error} />;
  if (!h.data) return <p class="muted">Loading health…</p>;
  const d = h.data;
  return (
    <div class="health" data-testid="health-panel">
      <p>
        {d.healthy ? <Badge value="healthy" kind="ok" /> : <Badge value="unhealthy" kind="bad" />}
        {" "}
        {d.should_rollback && (
          <Badge value={`rollback advised: ${d.rollback_reasons.join(", ")}`} kind="bad" />
        )}{" "}
        <span class="muted small">
          window <Time iso={d.window_start_at} /> → <Time iso={d.window_end_at} />
          {d.window_complete ? " (complete)" : " (open)"}
        </span>
      </p>
      <table class="compact">
        <thead>
          <tr>
            <th></th>
            <th>Samples</th>
            <th>Success</th>
            <th>Errors</th>
            <th>p95</th>
          </tr>
        </thead>
        <tbody>
          <tr>
            <th>Observed</th>
            <td>{d.samples}</td>
            <td>{pct(d.success_rate)}</td>
            <td>{pct(d.error_rate)}</td>
            <td>{d.p95_duration} ms</td>
          </tr>
          <tr>
            <th>Baseline</th>
            <td>{d.baseline_samples}</td>
            <td>{pct(d.baseline_success_rate)}</td>
            <td>{pct(d.baseline_error_rate)}</td>
            <td></td>
          </tr>
        </tbody>
      </table>
      {d.samples === 0 && (
        <p class="muted small">
          No observed samples yet: health compares once tagged executions arrive.
        </p>
      )}
      <p class="muted small">
        Success drop {pct(d.success_drop)}{" "}
        · error-rate ×{d.error_rate_multiplier.toFixed(2)}. Samples are executions tagged{" "}
        <span class="mono">release:{d.release_id}</span>.
      </p>
    </div>
  );
}
