import { useState } from "preact/hooks";
import { history, type HistoryFilter } from "../api/bay.ts";
import { EXEC_TYPES, type HistoryEntry } from "../api/types.ts";
import { ErrorBox, Pager, Section, Time, YesNo } from "../components/ui.tsx";
import { useResource } from "../hooks.ts";
import { AnnotateRow } from "./annotate.tsx";
import { CandidateForm } from "./candidate_form.tsx";

const LIMIT = 25;

/** Execution history: filter, annotate, pick executions for a skill candidate. */
export function HistoryTable({ id }: { id: string }) {
  const [filter, setFilter] = useState<HistoryFilter>({ limit: LIMIT, offset: 0 });
  const list = useResource(() => history.list(id, filter), [id, filter]);
  const [editing, setEditing] = useState<string | null>(null);
  const [selected, setSelected] = useState<string[]>([]);
  const [creating, setCreating] = useState(false);
  const set = (patch: Partial<HistoryFilter>) => setFilter((f) => ({ ...f, offset: 0, ...patch }));
  const toggle = (execId: string, on: boolean) =>
    setSelected((s) => (on ? [...s, execId] : s.filter((x) => x !== execId)));

  return (
    <Section
      title="Execution history"
      testid="history"
      actions={
        <button
          type="button"
          class="primary"
          data-testid="create-candidate"
          disabled={selected.length === 0}
          onClick={() => setCreating(true)}
        >
          Create skill candidate ({selected.length})
        </button>
      }
    >
      <div class="row">
        <label class="inline">
          Type
          <select
            name="exec-type"
            value={filter.exec_type ?? ""}
            onChange={(e) => set({ exec_type: e.currentTarget.value || undefined })}
          >
            <option value="">all</option>
            {EXEC_TYPES.map((t) => <option key={t} value={t}>{t}</option>)}
          </select>
        </label>
        <label class="inline">
          <input
            type="checkbox"
            checked={!!filter.success_only}
            onChange={(e) => set({ success_only: e.currentTarget.checked })}
          />
          successful only
        </label>
        <label class="inline">
          Tags
          <input
            name="tag-filter"
            placeholder="contains…"
            value={filter.tags ?? ""}
            onChange={(e) => set({ tags: e.currentTarget.value || undefined })}
          />
        </label>
        <button type="button" onClick={list.reload}>Refresh</button>
      </div>
      {creating && <CandidateForm executionIds={selected} onClose={() => setCreating(false)} />}
      <ErrorBox error={list.error} />
      <table class="history">
        <thead>
          <tr>
            <th></th>
            <th>When</th>
            <th>Type</th>
            <th>Code</th>
            <th>OK</th>
            <th class="right">ms</th>
            <th>Description</th>
            <th>Tags</th>
            <th>Notes</th>
            <th></th>
          </tr>
        </thead>
        <tbody>
          {list.data?.entries.map((e) =>
            editing === e.id
              ? (
                <AnnotateRow
                  key={e.id}
                  sandboxId={id}
                  entry={e}
                  onDone={(saved) => {
                    setEditing(null);
                    if (saved) list.reload();
                  }}
                />
              )
              : (
                <Row
                  key={e.id}
                  entry={e}
                  selected={selected.includes(e.id)}
                  onSelect={(on) => toggle(e.id, on)}
                  onEdit={() => setEditing(e.id)}
                />
              )
          )}
        </tbody>
      </table>
      {list.data && (
        <Pager
          offset={filter.offset}
          limit={filter.limit}
          total={list.data.total}
          onOffset={(offset) => setFilter((f) => ({ ...f, offset }))}
        />
      )}
    </Section>
  );
}

function Row(
  { entry: e, selected, onSelect, onEdit }: {
    entry: HistoryEntry;
    selected: boolean;
    onSelect: (on: boolean) => void;
    onEdit: () => void;
  },
) {
  return (
    <tr data-exec-id={e.id}>
      <td>
        <input
          type="checkbox"
          aria-label={`select ${e.id}`}
          checked={selected}
          onChange={(ev) => onSelect(ev.currentTarget.checked)}
        />
      </td>
      <td>
        <Time iso={e.created_at} />
      </td>
      <td>{e.exec_type}</td>
      <td class="mono code" title={e.code}>{e.code}</td>
      <td>
        <YesNo value={e.success} />
      </td>
      <td class="right">{e.execution_time_ms}</td>
      <td data-col="description">{e.description ?? ""}</td>
      <td data-col="tags">{e.tags ?? ""}</td>
      <td data-col="notes" class="notes">{e.notes ?? ""}</td>
      <td class="right">
        <button type="button" data-testid="annotate" onClick={onEdit}>Annotate</button>
      </td>
    </tr>
  );
}
