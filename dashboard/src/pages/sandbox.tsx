import { sandboxes } from "../api/bay.ts";
import type { Sandbox } from "../api/types.ts";
import { Link } from "../components/link.tsx";
import { Badge, ConfirmButton, ErrorBox, Section, Time } from "../components/ui.tsx";
import { useAction, useResource } from "../hooks.ts";
import { navigate } from "../router.ts";
import { FileBrowser } from "../sandbox/files.tsx";
import { HistoryTable } from "../sandbox/history.tsx";
import { RunPanel } from "../sandbox/run.tsx";
import { TerminalPanel } from "../sandbox/terminal.tsx";

const TABS = [
  ["overview", "Overview"],
  ["files", "Files"],
  ["terminal", "Terminal"],
  ["history", "History"],
] as const;

/** One sandbox: status and session, then a tab per capability. */
export function SandboxPage({ id, tab }: { id: string; tab: string }) {
  const sb = useResource(() => sandboxes.get(id), [id], 4000);
  const act = useAction(async (what: "stop" | "delete" | "keepalive") => {
    if (what === "delete") {
      await sandboxes.remove(id);
      navigate("/sandboxes");
      return;
    }
    await (what === "stop" ? sandboxes.stop(id) : sandboxes.keepalive(id));
    sb.reload();
  });
  const active = TABS.some(([t]) => t === tab) ? tab : "overview";

  return (
    <div class="page">
      <nav class="crumbs">
        <Link to="/sandboxes">Sandboxes</Link> / <span class="mono">{id}</span>
      </nav>
      <Section
        title="Sandbox"
        testid="sandbox-summary"
        actions={
          <>
            <button type="button" disabled={act.busy} onClick={() => act.run("keepalive")}>
              Keep alive
            </button>
            <button type="button" disabled={act.busy} onClick={() => act.run("stop")}>
              Stop session
            </button>
            <ConfirmButton
              testid="delete-this-sandbox"
              disabled={act.busy}
              onConfirm={() => act.run("delete")}
            >
              Delete
            </ConfirmButton>
          </>
        }
      >
        <ErrorBox error={sb.error ?? act.error} />
        {sb.data && <Summary sb={sb.data} />}
      </Section>
      <div class="tabs" role="tablist">
        {TABS.map(([t, label]) => (
          <Link
            key={t}
            to={`/sandboxes/${id}/${t}`}
            class={t === active ? "tab active" : "tab"}
            testid={`tab-${t}`}
          >
            {label}
          </Link>
        ))}
      </div>
      {active === "overview" && <RunPanel id={id} onRan={sb.reload} />}
      {active === "files" && <FileBrowser id={id} />}
      {active === "terminal" && <TerminalPanel id={id} />}
      {active === "history" && <HistoryTable id={id} />}
    </div>
  );
}

function Summary({ sb }: { sb: Sandbox }) {
  return (
    <>
      <dl class="facts">
        <dt>ID</dt>
        <dd class="mono" data-testid="sandbox-id">{sb.id}</dd>
        <dt>Status</dt>
        <dd data-testid="sandbox-status">
          <Badge value={sb.status} />
        </dd>
        <dt>Profile</dt>
        <dd>{sb.profile}</dd>
        <dt>Capabilities</dt>
        <dd>{sb.capabilities.join(", ")}</dd>
        <dt>Cargo</dt>
        <dd class="mono">{sb.cargo_id}</dd>
        <dt>Created</dt>
        <dd>
          <Time iso={sb.created_at} />
        </dd>
        <dt>Expires</dt>
        <dd>
          <Time iso={sb.expires_at} />
        </dd>
        <dt>Idle until</dt>
        <dd>
          <Time iso={sb.idle_expires_at} />
        </dd>
      </dl>
      <h3>Session</h3>
      {sb.containers && sb.containers.length > 0
        ? (
          <table data-testid="containers">
            <thead>
              <tr>
                <th>Container</th>
                <th>Runtime</th>
                <th>Status</th>
                <th>Version</th>
                <th>Capabilities</th>
                <th>Healthy</th>
              </tr>
            </thead>
            <tbody>
              {sb.containers.map((c) => (
                <tr key={c.name}>
                  <td>{c.name}</td>
                  <td>{c.runtime_type}</td>
                  <td>{c.status}</td>
                  <td>{c.version ?? ""}</td>
                  <td>{c.capabilities.join(", ")}</td>
                  <td>
                    {c.healthy
                      ? <Badge value="healthy" kind="ok" />
                      : <Badge value="unhealthy" kind="bad" />}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )
        : <p class="muted">No live session. The next run, file or terminal call starts one.</p>}
    </>
  );
}
