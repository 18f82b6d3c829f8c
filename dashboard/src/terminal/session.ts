/**
 * A live terminal: xterm.js bound to Bay's terminal WebSocket. The browser
 * cannot send an Authorization header on a WebSocket, so it first gets a
 * single-use ticket (`POST …/terminal/tickets`, Bearer) and passes it as
 * `?ticket=`. Binary frames carry raw terminal bytes both ways; text frames
 * are JSON control (`resize` from us, `exit` from Bay).
 */
import { FitAddon } from "@xterm/addon-fit";
import { Terminal } from "@xterm/xterm";
import "@xterm/xterm/css/xterm.css";
import { terminal as terminalApi } from "../api/bay.ts";
import { withAdoptedStyles } from "./csp_styles.ts";

export type TerminalState =
  | { kind: "connecting" }
  | { kind: "open" }
  | { kind: "exited"; code: number | null }
  | { kind: "closed"; reason: string }
  | { kind: "error"; message: string };

export interface TerminalSession {
  focus(): void;
  dispose(): void;
}

export function openTerminal(
  host: HTMLElement,
  sandboxId: string,
  onState: (s: TerminalState) => void,
): TerminalSession {
  const term = new Terminal({
    cursorBlink: true,
    fontFamily: "ui-monospace, 'DejaVu Sans Mono', Menlo, Consolas, monospace",
    fontSize: 14,
    scrollback: 5000,
    theme: { background: "#0b1020", foreground: "#e2e8f0", cursor: "#93c5fd" },
  });
  const fit = new FitAddon();
  term.loadAddon(fit);
  const dropStyles = withAdoptedStyles(host.ownerDocument, () => term.open(host));
  safeFit(fit);

  let ws: WebSocket | null = null;
  let disposed = false;
  const encoder = new TextEncoder();
  const sendBytes = (data: Uint8Array) => {
    if (ws?.readyState === WebSocket.OPEN) ws.send(data);
  };
  term.onData((d) => sendBytes(encoder.encode(d)));
  term.onBinary((d) => sendBytes(Uint8Array.from(d, (c) => c.charCodeAt(0) & 0xff)));
  term.onResize(({ cols, rows }) => {
    if (ws?.readyState === WebSocket.OPEN) ws.send(JSON.stringify({ type: "resize", cols, rows }));
  });
  const resizes = new ResizeObserver(() => safeFit(fit));
  resizes.observe(host);

  const connect = async () => {
    onState({ kind: "connecting" });
    const { ticket } = await terminalApi.ticket(sandboxId);
    if (disposed) return;
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    const q = new URLSearchParams({ cols: String(term.cols), rows: String(term.rows), ticket });
    ws = new WebSocket(
      `${scheme}://${location.host}/v1/sandboxes/${encodeURIComponent(sandboxId)}/terminal?${q}`,
    );
    ws.binaryType = "arraybuffer";
    ws.onopen = () => {
      onState({ kind: "open" });
      term.focus();
    };
    ws.onmessage = (ev: MessageEvent<ArrayBuffer | string>) => {
      if (typeof ev.data !== "string") return term.write(new Uint8Array(ev.data));
      const msg = parseControl(ev.data);
      if (msg?.type === "exit") {
        const code = typeof msg.exit_code === "number" ? msg.exit_code : null;
        term.write(
          `\r\n\x1b[2m[process exited${code === null ? "" : ` with code ${code}`}]\x1b[0m\r\n`,
        );
        onState({ kind: "exited", code });
      }
    };
    ws.onclose = (ev) => {
      if (!disposed) onState({ kind: "closed", reason: ev.reason || `code ${ev.code}` });
    };
  };
  connect().catch((e: unknown) => {
    if (!disposed) onState({ kind: "error", message: e instanceof Error ? e.message : String(e) });
  });

  return {
    focus: () => term.focus(),
    dispose: () => {
      disposed = true;
      resizes.disconnect();
      ws?.close(1000, "closed by the dashboard");
      term.dispose();
      dropStyles();
    },
  };
}

function parseControl(text: string): { type?: string; exit_code?: unknown } | null {
  try {
    return JSON.parse(text) as { type?: string; exit_code?: unknown };
  } catch {
    return null;
  }
}

function safeFit(fit: FitAddon): void {
  try {
    fit.fit();
  } catch { /* not laid out yet */ }
}
