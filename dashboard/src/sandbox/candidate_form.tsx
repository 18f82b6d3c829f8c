import { useState } from "preact/hooks";
import { skills } from "../api/bay.ts";
import type { Candidate } from "../api/types.ts";
import { Link } from "../components/link.tsx";
import { ErrorBox } from "../components/ui.tsx";
import { useAction } from "../hooks.ts";

/** Turn selected executions into a skill candidate (POST /v1/skills/candidates). */
export function CandidateForm(
  { executionIds, onClose }: { executionIds: string[]; onClose: () => void },
) {
  const [skillKey, setSkillKey] = useState("");
  const [scenario, setScenario] = useState("");
  const [summary, setSummary] = useState("");
  const [created, setCreated] = useState<Candidate | null>(null);
  const create = useAction(async () => {
    setCreated(
      await skills.createCandidate({
        skill_key: skillKey.trim(),
        source_execution_ids: executionIds,
        scenario_key: scenario.trim() || null,
        summary: summary.trim() || null,
      }),
    );
  });

  if (created) {
    return (
      <div class="notice" data-testid="candidate-created">
        Created candidate <span class="mono">{created.id}</span> for{" "}
        <strong>{created.skill_key}</strong>.{" "}
        <Link
          to={`/skills?skill_key=${encodeURIComponent(created.skill_key)}`}
          testid="open-skills"
        >
          Open in Skills
        </Link>{" "}
        <button type="button" onClick={onClose}>Close</button>
      </div>
    );
  }
  return (
    <form
      class="card inset stack"
      data-testid="candidate-form"
      onSubmit={(e) => {
        e.preventDefault();
        void create.run();
      }}
    >
      <h3>New skill candidate from {executionIds.length} execution(s)</h3>
      <div class="row">
        <label class="inline">
          Skill key
          <input
            name="skill_key"
            required
            value={skillKey}
            onInput={(e) => setSkillKey(e.currentTarget.value)}
          />
        </label>
        <label class="inline">
          Scenario
          <input
            name="scenario_key"
            value={scenario}
            onInput={(e) => setScenario(e.currentTarget.value)}
          />
        </label>
      </div>
      <label>
        Summary
        <textarea
          name="summary"
          rows={2}
          value={summary}
          onInput={(e) => setSummary(e.currentTarget.value)}
        />
      </label>
      <ErrorBox error={create.error} />
      <div class="row">
        <button type="submit" class="primary" disabled={create.busy || !skillKey.trim()}>
          Create candidate
        </button>
        <button type="button" onClick={onClose}>Cancel</button>
      </div>
    </form>
  );
}
