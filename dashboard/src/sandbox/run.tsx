import { useState } from "preact/hooks";
import { exec, type ExecRequest } from "../api/bay.ts";
import type { ExecResult } from "../api/types.ts";
import { Badge, ErrorBox, Section } from "../components/ui.tsx";
import { useAction } from "../hooks.ts";

/** Run shell or Python code once; each run becomes a history entry. */
export function RunPanel({ id, onRan }: { id: string; onRan: () => void }) {
  const [req, setReq] = useState<ExecRequest>({
    kind: "shell",
    source: "",
    description: "",
    tags: "",
  });
  const [result, setResult] = useState<ExecResult | null>(null);
  const run = useAction(async () => {
    setResult(await exec(id, req));
    onRan();
  });
  const set = (patch: Partial<ExecRequest>) => setReq((r) => ({ ...r, ...patch }));

  return (
    <Section title="Run code" testid="run-panel">
      <form
        class="stack"
        onSubmit={(e) => {
          e.preventDefault();
          void run.run();
        }}
      >
        <div class="row">
          <label class="inline">
            Kind
            <select
              name="kind"
              value={req.kind}
              onChange={(e) => set({ kind: e.currentTarget.value as ExecRequest["kind"] })}
            >
              <option value="shell">shell</option>
              <option value="python">python</option>
            </select>
          </label>
          <label class="inline grow">
            Description
            <input
              name="description"
              value={req.description}
              onInput={(e) => set({ description: e.currentTarget.value })}
            />
          </label>
          <label class="inline">
            Tags
            <input
              name="tags"
              placeholder="a,b"
              value={req.tags}
              onInput={(e) => set({ tags: e.currentTarget.value })}
            />
          </label>
        </div>
        <textarea
          name="source"
          class="mono"
          rows={5}
          spellcheck={false}
          placeholder={req.kind === "shell" ? "ls -la" : "print(1 + 1)"}
          value={req.source}
          onInput={(e) => set({ source: e.currentTarget.value })}
        />
        <div class="row">
          <button type="submit" class="primary" disabled={run.busy || !req.source.trim()}>
            {run.busy ? "Running…" : "Run"}
          </button>
        </div>
      </form>
      <ErrorBox error={run.error} />
      {result && (
        <div class="result" data-testid="run-result">
          <p>
            <Badge
              value={result.success ? "success" : "failed"}
              kind={result.success ? "ok" : "bad"}
            />{" "}
            <span class="mono small">{result.execution_id}</span> · {result.execution_time_ms} ms
            {result.exit_code !== undefined && <>· exit {result.exit_code}</>}
          </p>
          {result.output && <pre class="out">{result.output}</pre>}
          {result.error && <pre class="out err">{result.error}</pre>}
        </div>
      )}
    </Section>
  );
}
