import { useState } from "preact/hooks";
import { admin } from "../api/bay.ts";
import { ApiError } from "../api/client.ts";
import type { GcRun } from "../api/types.ts";
import { Badge, ErrorBox, Section } from "../components/ui.tsx";
import { useAction, useResource } from "../hooks.ts";

/** GC status and an on-demand run (admin keys only). */
export function GcPanel() {
  const status = useResource(() => admin.gcStatus(), [], 5000);
  const [last, setLast] = useState<GcRun | null>(null);
  const run = useAction(async () => {
    setLast(await admin.gcRun());
    status.reload();
  });

  if (status.error instanceof ApiError && status.error.status === 403) {
    return (
      <Section title="Garbage collection">
        <p class="muted">GC status and runs need an admin key.</p>
      </Section>
    );
  }
  const s = status.data;
  return (
    <Section
      title="Garbage collection"
      testid="gc"
      actions={
        <button
          type="button"
          class="primary"
          data-testid="run-gc"
          disabled={run.busy || s?.is_running}
          onClick={() => run.run()}
        >
          {run.busy ? "Running…" : "Run GC"}
        </button>
      }
    >
      <ErrorBox error={status.error ?? run.error} />
      {s && (
        <dl class="facts" data-testid="gc-status">
          <dt>Scheduled</dt>
          <dd>
            {s.enabled
              ? <Badge value={`every ${s.interval_seconds}s`} kind="ok" />
              : <Badge value="disabled" kind="idle" />}
          </dd>
          <dt>Running now</dt>
          <dd>{s.is_running ? <Badge value="running" kind="starting" /> : "no"}</dd>
          <dt>Instance</dt>
          <dd class="mono small">{s.instance_id}</dd>
          <dt>Tasks</dt>
          <dd>
            {Object.entries(s.tasks).map(([name, t]) => (
              <Badge key={name} value={name} kind={t.enabled ? "ok" : "idle"} />
            ))}
          </dd>
        </dl>
      )}
      {last && (
        <div data-testid="gc-result">
          <h3>
            Last run: {last.total_cleaned} cleaned, {last.total_errors} errors, {last.duration_ms}
            {" "}
            ms
          </h3>
          <table class="compact">
            <thead>
              <tr>
                <th>Task</th>
                <th class="right">Cleaned</th>
                <th class="right">Skipped</th>
                <th>Errors</th>
              </tr>
            </thead>
            <tbody>
              {last.results.map((r) => (
                <tr key={r.task_name}>
                  <td>{r.task_name}</td>
                  <td class="right">{r.cleaned_count}</td>
                  <td class="right">{r.skipped_count}</td>
                  <td class="small">{r.errors.join("; ")}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Section>
  );
}
