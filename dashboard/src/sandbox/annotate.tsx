import { useState } from "preact/hooks";
import { history } from "../api/bay.ts";
import type { HistoryEntry } from "../api/types.ts";
import { ErrorBox } from "../components/ui.tsx";
import { useAction } from "../hooks.ts";

/** Edit description, tags and notes of one execution in place (PATCH). */
export function AnnotateRow(
  { sandboxId, entry, onDone }: {
    sandboxId: string;
    entry: HistoryEntry;
    onDone: (saved: boolean) => void;
  },
) {
  const [description, setDescription] = useState(entry.description ?? "");
  const [tags, setTags] = useState(entry.tags ?? "");
  const [notes, setNotes] = useState(entry.notes ?? "");
  const save = useAction(async () => {
    await history.annotate(sandboxId, entry.id, { description, tags, notes });
    onDone(true);
  });
  return (
    <tr data-exec-id={entry.id} class="editing">
      <td colSpan={10}>
        <form
          class="stack"
          data-testid="annotate-form"
          onSubmit={(e) => {
            e.preventDefault();
            void save.run();
          }}
        >
          <div class="mono small">{entry.id} · {entry.code.slice(0, 120)}</div>
          <div class="row">
            <label class="inline grow">
              Description
              <input
                name="description"
                value={description}
                onInput={(e) => setDescription(e.currentTarget.value)}
              />
            </label>
            <label class="inline">
              Tags
              <input
                name="tags"
                placeholder="a,b"
                value={tags}
                onInput={(e) => setTags(e.currentTarget.value)}
              />
            </label>
          </div>
          <label>
            Notes
            <textarea
              name="notes"
              rows={2}
              value={notes}
              onInput={(e) => setNotes(e.currentTarget.value)}
            />
          </label>
          <ErrorBox error={save.error} />
          <div class="row">
            <button type="submit" class="primary" disabled={save.busy}>Save</button>
            <button type="button" onClick={() => onDone(false)}>Cancel</button>
          </div>
        </form>
      </td>
    </tr>
  );
}
