import { useState } from "preact/hooks";
import { skills } from "../api/bay.ts";
import { type Candidate, CANDIDATE_STATUSES, type Stage, STAGES } from "../api/types.ts";
import { Badge, ConfirmButton, ErrorBox, Pager, Section, Time, YesNo } from "../components/ui.tsx";
import { useAction, useResource } from "../hooks.ts";

const LIMIT = 20;

export function CandidatesSection(
  { skillKey, version, onChange }: { skillKey: string; version: number; onChange: () => void },
) {
  const [status, setStatus] = useState("");
  const [offset, setOffset] = useState(0);
  const list = useResource(
    () =>
      skills.candidates({
        status: status || undefined,
        skill_key: skillKey || undefined,
        limit: LIMIT,
        offset,
      }),
    [status, skillKey, offset, version],
  );
  const [evaluating, setEvaluating] = useState<string | null>(null);
  const act = useAction(async (what: "promote" | "delete", c: Candidate, stage?: Stage) => {
    if (what === "promote") await skills.promote(c.id, stage ?? "canary");
    else await skills.deleteCandidate(c.id);
    onChange();
  });

  return (
    <Section
      title="Candidates"
      testid="candidates"
      actions={
        <label class="inline">
          Status
          <select
            name="candidate-status"
            value={status}
            onChange={(e) => (setOffset(0), setStatus(e.currentTarget.value))}
          >
            <option value="">all</option>
            {CANDIDATE_STATUSES.map((s) => <option key={s} value={s}>{s}</option>)}
          </select>
        </label>
      }
    >
      <ErrorBox error={list.error ?? act.error} />
      <table>
        <thead>
          <tr>
            <th>ID</th>
            <th>Skill</th>
            <th>Status</th>
            <th>Score</th>
            <th>Passed</th>
            <th>Sources</th>
            <th>Created</th>
            <th></th>
          </tr>
        </thead>
        <tbody>
          {list.data?.items.map((c) => [
            <tr key={c.id} data-candidate-id={c.id}>
              <td class="mono small">{c.id}</td>
              <td>
                <strong>{c.skill_key}</strong>
                {c.summary && <div class="muted small">{c.summary}</div>}
              </td>
              <td data-col="status">
                <Badge value={c.status} />
              </td>
              <td>{c.latest_score ?? "–"}</td>
              <td>
                <YesNo value={c.latest_pass} />
              </td>
              <td class="small">{c.source_execution_ids.length}</td>
              <td>
                <Time iso={c.created_at} />
              </td>
              <td class="right nowrap">
                <button
                  type="button"
                  data-testid="evaluate"
                  onClick={() => setEvaluating(evaluating === c.id ? null : c.id)}
                >
                  Evaluate
                </button>
                <PromoteButton
                  disabled={act.busy || c.latest_pass !== true || c.status === "promoted"}
                  onPromote={(s) => act.run("promote", c, s)}
                />
                <ConfirmButton disabled={act.busy} onConfirm={() => act.run("delete", c)}>
                  Delete
                </ConfirmButton>
              </td>
            </tr>,
            evaluating === c.id && (
              <tr key={`${c.id}-eval`}>
                <td colSpan={8}>
                  <EvaluateForm
                    candidate={c}
                    onDone={() => {
                      setEvaluating(null);
                      onChange();
                    }}
                  />
                </td>
              </tr>
            ),
          ])}
        </tbody>
      </table>
      {list.data && (
        <Pager offset={offset} limit={LIMIT} total={list.data.total} onOffset={setOffset} />
      )}
    </Section>
  );
}

function PromoteButton(
  { disabled, onPromote }: { disabled: boolean; onPromote: (s: Stage) => void },
) {
  const [stage, setStage] = useState<Stage>("canary");
  return (
    <span class="joined">
      <select
        name="stage"
        aria-label="stage"
        value={stage}
        onChange={(e) => setStage(e.currentTarget.value as Stage)}
      >
        {STAGES.map((s) => <option key={s} value={s}>{s}</option>)}
      </select>
      <button
        type="button"
        data-testid="promote"
        disabled={disabled}
        onClick={() => onPromote(stage)}
      >
        Promote
      </button>
    </span>
  );
}

function EvaluateForm({ candidate, onDone }: { candidate: Candidate; onDone: () => void }) {
  const [passed, setPassed] = useState(true);
  const [score, setScore] = useState("1");
  const [report, setReport] = useState("");
  const save = useAction(async () => {
    await skills.evaluate(candidate.id, {
      passed,
      score: score === "" ? null : Number(score),
      report: report.trim() || null,
    });
    onDone();
  });
  return (
    <form
      class="row"
      data-testid="evaluate-form"
      onSubmit={(e) => {
        e.preventDefault();
        void save.run();
      }}
    >
      <label class="inline">
        <input
          type="checkbox"
          name="passed"
          checked={passed}
          onChange={(e) => setPassed(e.currentTarget.checked)}
        />
        passed
      </label>
      <label class="inline">
        Score
        <input
          name="score"
          type="number"
          step="any"
          value={score}
          onInput={(e) => setScore(e.currentTarget.value)}
        />
      </label>
      <label class="inline grow">
        Report
        <input
          name="report"
          placeholder='{"replay_success": 1.0}'
          value={report}
          onInput={(e) => setReport(e.currentTarget.value)}
        />
      </label>
      <button type="submit" class="primary" disabled={save.busy}>Record evaluation</button>
      <ErrorBox error={save.error} />
    </form>
  );
}
