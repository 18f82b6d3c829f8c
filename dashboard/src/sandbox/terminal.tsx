import { useEffect, useRef, useState } from "preact/hooks";
import { Badge, Section } from "../components/ui.tsx";
import { openTerminal, type TerminalSession, type TerminalState } from "../terminal/session.ts";

/** A login shell in the sandbox (xterm.js over Bay's terminal WebSocket). */
export function TerminalPanel({ id }: { id: string }) {
  const host = useRef<HTMLDivElement>(null);
  const session = useRef<TerminalSession | null>(null);
  const [state, setState] = useState<TerminalState>({ kind: "connecting" });
  const [generation, setGeneration] = useState(0);

  useEffect(() => {
    if (!host.current) return;
    const s = openTerminal(host.current, id, setState);
    session.current = s;
    return () => {
      s.dispose();
      session.current = null;
    };
  }, [id, generation]);

  const live = state.kind === "open" || state.kind === "connecting";
  return (
    <Section
      title="Terminal"
      testid="terminal-panel"
      actions={
        <>
          <span data-testid="terminal-state">
            <StateBadge state={state} />
          </span>
          <button type="button" disabled={live} onClick={() => setGeneration((g) => g + 1)}>
            Reconnect
          </button>
        </>
      }
    >
      <div class="terminal" data-testid="terminal" onClick={() => session.current?.focus()}>
        <div class="terminal-host" ref={host} />
      </div>
    </Section>
  );
}

function StateBadge({ state }: { state: TerminalState }) {
  switch (state.kind) {
    case "connecting":
      return <Badge value="connecting" kind="starting" />;
    case "open":
      return <Badge value="connected" kind="ok" />;
    case "exited":
      return <Badge value={`exited ${state.code ?? ""}`.trim()} kind="idle" />;
    case "closed":
      return <Badge value={`closed (${state.reason})`} kind="idle" />;
    case "error":
      return <Badge value={`error: ${state.message}`} kind="bad" />;
  }
}
