import { useState } from "preact/hooks";
import { navigate } from "../router.ts";
import { CandidatesSection } from "../skills/candidates.tsx";
import { ReleasesSection } from "../skills/releases.tsx";

/** Skills: candidates (evaluate, promote) and releases (health, rollback, delete). */
export function SkillsPage({ skillKey }: { skillKey: string }) {
  // Bumped after a promotion, rollback or delete so both lists reload.
  const [version, setVersion] = useState(0);
  const changed = () => setVersion((v) => v + 1);
  return (
    <div class="page">
      <form
        class="row"
        onSubmit={(e) => {
          e.preventDefault();
          const v = new FormData(e.currentTarget).get("skill_key")?.toString().trim() ?? "";
          navigate(`/skills${v ? `?skill_key=${encodeURIComponent(v)}` : ""}`);
        }}
      >
        <label class="inline">
          Skill key
          <input name="skill_key" key={skillKey} defaultValue={skillKey} placeholder="all skills" />
        </label>
        <button type="submit">Filter</button>
      </form>
      <CandidatesSection skillKey={skillKey} version={version} onChange={changed} />
      <ReleasesSection skillKey={skillKey} version={version} onChange={changed} />
    </div>
  );
}
