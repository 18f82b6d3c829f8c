import { useState } from "preact/hooks";
import { skills } from "../api/bay.ts";
import { type Release, STAGES } from "../api/types.ts";
import { Badge, ConfirmButton, ErrorBox, Pager, Section, Time } from "../components/ui.tsx";
import { useAction, useResource } from "../hooks.ts";
import { HealthPanel } from "./health.tsx";

const LIMIT = 20;

export function ReleasesSection(
  { skillKey, version, onChange }: { skillKey: string; version: number; onChange: () => void },
) {
  const [activeOnly, setActiveOnly] = useState(false);
  const [stage, setStage] = useState("");
  const [offset, setOffset] = useState(0);
  const [health, setHealth] = useState<string | null>(null);
  const list = useResource(
    () =>
      skills.releases({
        skill_key: skillKey || undefined,
        active_only: activeOnly ? "true" : undefined,
        stage: stage || undefined,
        limit: LIMIT,
        offset,
      }),
    [skillKey, activeOnly, stage, offset, version],
  );
  const act = useAction(async (what: "rollback" | "delete", r: Release) => {
    if (what === "rollback") await skills.rollback(r.id);
    else await skills.deleteRelease(r.id);
    onChange();
  });

  return (
    <Section
      title="Releases"
      testid="releases"
      actions={
        <>
          <label class="inline">
            <input
              type="checkbox"
              checked={activeOnly}
              onChange={(e) => (setOffset(0), setActiveOnly(e.currentTarget.checked))}
            />
            active only
          </label>
          <label class="inline">
            Stage
            <select
              name="release-stage"
              value={stage}
              onChange={(e) => (setOffset(0), setStage(e.currentTarget.value))}
            >
              <option value="">all</option>
              {STAGES.map((s) => <option key={s} value={s}>{s}</option>)}
            </select>
          </label>
        </>
      }
    >
      <ErrorBox error={list.error ?? act.error} />
      <table>
        <thead>
          <tr>
            <th>ID</th>
            <th>Skill</th>
            <th>Version</th>
            <th>Stage</th>
            <th>Active</th>
            <th>Promoted</th>
            <th>Rollback of</th>
            <th></th>
          </tr>
        </thead>
        <tbody>
          {list.data?.items.map((r) => [
            <tr key={r.id} data-release-id={r.id}>
              <td class="mono small">{r.id}</td>
              <td>
                <strong>{r.skill_key}</strong>
              </td>
              <td data-col="version">v{r.version}</td>
              <td>
                <Badge value={r.stage} />
              </td>
              <td data-col="active">
                {r.is_active ? <Badge value="active" kind="ok" /> : <span class="muted">–</span>}
              </td>
              <td>
                <Time iso={r.promoted_at} />
              </td>
              <td class="mono small">{r.rollback_of ?? ""}</td>
              <td class="right nowrap">
                <button
                  type="button"
                  data-testid="health"
                  onClick={() => setHealth(health === r.id ? null : r.id)}
                >
                  Health
                </button>
                <ConfirmButton
                  testid="rollback"
                  disabled={act.busy}
                  onConfirm={() => act.run("rollback", r)}
                >
                  Rollback
                </ConfirmButton>
                <ConfirmButton disabled={act.busy} onConfirm={() => act.run("delete", r)}>
                  Delete
                </ConfirmButton>
              </td>
            </tr>,
            health === r.id && (
              <tr key={`${r.id}-health`}>
                <td colSpan={8}>
                  <HealthPanel releaseId={r.id} />
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
