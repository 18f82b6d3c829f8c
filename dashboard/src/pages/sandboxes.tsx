import { useState } from "preact/hooks";
import { sandboxes } from "../api/bay.ts";
import { type Sandbox, SANDBOX_STATUSES } from "../api/types.ts";
import { Link } from "../components/link.tsx";
import { Badge, ConfirmButton, ErrorBox, Section, Time } from "../components/ui.tsx";
import { useAction, useResource } from "../hooks.ts";
import { navigate } from "../router.ts";

const PAGE = 50;

/** Sandboxes of this key's owner: filter by status, create, delete. */
export function SandboxesPage({ status }: { status: string }) {
  const [pages, setPages] = useState(1);
  const list = useResource(
    async () => {
      // Re-read every loaded page so polling keeps "load more" results fresh.
      const items: Sandbox[] = [];
      let cursor: string | null = null;
      for (let i = 0; i < pages; i++) {
        const p = await sandboxes.list({ status: status || undefined, cursor, limit: PAGE });
        items.push(...p.items);
        cursor = p.next_cursor;
        if (!cursor) break;
      }
      return { items, more: cursor !== null };
    },
    [status, pages],
    5000,
  );
  const remove = useAction(async (id: string) => {
    await sandboxes.remove(id);
    list.reload();
  });

  return (
    <div class="page">
      <CreateSandbox onCreated={(sb) => navigate(`/sandboxes/${sb.id}`)} />
      <Section
        title="Sandboxes"
        testid="sandbox-list"
        actions={
          <label class="inline">
            Status
            <select
              name="status-filter"
              value={status}
              onChange={(e) => {
                setPages(1);
                navigate(
                  `/sandboxes${e.currentTarget.value ? `?status=${e.currentTarget.value}` : ""}`,
                );
              }}
            >
              <option value="">all</option>
              {SANDBOX_STATUSES.map((s) => <option key={s} value={s}>{s}</option>)}
            </select>
          </label>
        }
      >
        <ErrorBox error={list.error ?? remove.error} />
        <table>
          <thead>
            <tr>
              <th>ID</th>
              <th>Status</th>
              <th>Profile</th>
              <th>Cargo</th>
              <th>Created</th>
              <th>Expires</th>
              <th></th>
            </tr>
          </thead>
          <tbody>
            {list.data?.items.map((sb) => (
              <tr key={sb.id} data-sandbox-id={sb.id}>
                <td class="mono">
                  <Link to={`/sandboxes/${sb.id}`}>{sb.id}</Link>
                </td>
                <td>
                  <Badge value={sb.status} />
                </td>
                <td>{sb.profile}</td>
                <td class="mono small">{sb.cargo_id}</td>
                <td>
                  <Time iso={sb.created_at} />
                </td>
                <td>
                  <Time iso={sb.expires_at} />
                </td>
                <td class="right">
                  <ConfirmButton
                    testid="delete-sandbox"
                    disabled={remove.busy}
                    onConfirm={() => remove.run(sb.id)}
                  >
                    Delete
                  </ConfirmButton>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {list.data && list.data.items.length === 0 && <p class="muted">No sandboxes.</p>}
        {list.data?.more && (
          <button type="button" onClick={() => setPages((n) => n + 1)}>Load more</button>
        )}
      </Section>
    </div>
  );
}

function CreateSandbox({ onCreated }: { onCreated: (sb: Sandbox) => void }) {
  const profiles = useResource(() => sandboxes.profiles(), []);
  const [profile, setProfile] = useState("");
  const [ttl, setTtl] = useState("");
  const create = useAction(async () => {
    const chosen = profile || profiles.data?.items[0]?.id || "python-default";
    const sb = await sandboxes.create({ profile: chosen, ttl: ttl ? Number(ttl) : null });
    onCreated(sb);
  });
  return (
    <Section title="New sandbox">
      <form
        class="row"
        data-testid="create-sandbox"
        onSubmit={(e) => {
          e.preventDefault();
          void create.run();
        }}
      >
        <label class="inline">
          Profile
          <select
            name="profile"
            value={profile || profiles.data?.items[0]?.id}
            onChange={(e) => setProfile(e.currentTarget.value)}
          >
            {profiles.data?.items.map((p) => (
              <option key={p.id} value={p.id}>
                {p.id} ({p.capabilities.join(", ")})
              </option>
            ))}
          </select>
        </label>
        <label class="inline">
          TTL (s)
          <input
            name="ttl"
            type="number"
            min={0}
            placeholder="never"
            value={ttl}
            onInput={(e) => setTtl(e.currentTarget.value)}
          />
        </label>
        <button type="submit" class="primary" disabled={create.busy}>
          {create.busy ? "Creating…" : "Create sandbox"}
        </button>
      </form>
      <ErrorBox error={create.error ?? profiles.error} />
    </Section>
  );
}
