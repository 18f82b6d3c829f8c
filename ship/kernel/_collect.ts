/**
 * Accumulates the iopub output of one execution into a bounded
 * {@link PythonExecResult}, forwarding live events as they arrive.
 *
 * Private to the kernel client.
 *
 * @module
 */
import type { Event, PythonExecResult } from "../protocol.ts";
import type { Message } from "./_wire.ts";

// deno-lint-ignore no-control-regex
const ANSI = /\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[@-Z\\-_]/g;

/** Remove ANSI escape sequences (IPython colours its tracebacks). */
export function stripAnsi(s: string): string {
  return s.replace(ANSI, "");
}

/** UTF-8 length of `s` without encoding it. */
export function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c < 0xdc00 && i + 1 < s.length) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

/** The longest prefix of `s` whose UTF-8 length is at most `max` bytes. */
export function cutUtf8(s: string, max: number): string {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const pair = c >= 0xd800 && c < 0xdc00 && i + 1 < s.length;
    const w = c < 0x80 ? 1 : c < 0x800 ? 2 : pair ? 4 : 3;
    if (n + w > max) return s.slice(0, i);
    n += w;
    if (pair) i++;
  }
  return s;
}

/** Size in bytes a MIME bundle is charged against the output budget. */
function bundleSize(data: Record<string, unknown>): number {
  let n = 0;
  for (const v of Object.values(data)) {
    n += typeof v === "string" ? utf8Length(v) : utf8Length(JSON.stringify(v) ?? "");
  }
  return n;
}

/** Collects one execution's output within a byte budget. */
export class Collector {
  readonly #max: number;
  readonly #onEvent?: (ev: Event) => void;
  #output = "";
  #images: string[] = [];
  #outputs: { type: string; data: Record<string, unknown> }[] = [];
  #error: string | null = null;
  #count: number | null = null;
  #used = 0;
  #dropped = 0;
  #afterBundle = false;
  #lost = false;

  constructor(maxBytes: number, onEvent?: (ev: Event) => void) {
    this.#max = maxBytes;
    this.#onEvent = onEvent;
  }

  /** Whether an `error` message was seen. */
  get failed(): boolean {
    return this.#error !== null;
  }

  #emit(ev: Event): void {
    try {
      this.#onEvent?.(ev);
    } catch {
      // a listener's failure must not break collection
    }
  }

  /** Feed one iopub message whose parent is this execution. */
  handle(m: Message): void {
    const c = m.content;
    switch (m.header.msg_type) {
      case "stream":
        return this.#stream(c.name === "stderr" ? "stderr" : "stdout", String(c.text ?? ""));
      case "execute_result":
      case "display_data":
      case "update_display_data":
        return this.#bundle(
          m.header.msg_type === "execute_result" ? "execute_result" : "display_data",
          (c.data ?? {}) as Record<string, unknown>,
        );
      case "execute_input":
        if (typeof c.execution_count === "number") this.#count = c.execution_count;
        return;
      case "error": {
        const tb = Array.isArray(c.traceback) ? c.traceback.map(String).join("\n") : "";
        const text = stripAnsi(tb || `${c.ename}: ${c.evalue}`);
        this.#error = utf8Length(text) > this.#max
          ? cutUtf8(text, this.#max) + "\n[traceback truncated]"
          : text;
        return;
      }
    }
  }

  /** Note that some output was lost in transit (e.g. an oversized message). */
  lost(): void {
    this.#lost = true;
  }

  /** Record the count from `execute_reply` (authoritative). */
  setExecutionCount(n: unknown): void {
    if (typeof n === "number") this.#count = n;
  }

  #stream(kind: "stdout" | "stderr", text: string): void {
    if (this.#dropped > 0) {
      this.#dropped += utf8Length(text);
      return;
    }
    const size = utf8Length(text);
    if (this.#used + size > this.#max) {
      const kept = cutUtf8(text, this.#max - this.#used);
      this.#dropped += size - utf8Length(kept);
      this.#used = this.#max;
      text = kept;
    } else this.#used += size;
    if (!text) return;
    this.#append(text, false);
    this.#emit({ kind, text });
  }

  /** Append text; a result/display's text/plain is kept on its own line. */
  #append(text: string, bundle: boolean): void {
    const sep = this.#output && !this.#output.endsWith("\n") && (bundle || this.#afterBundle);
    this.#output += sep ? "\n" + text : text;
    this.#afterBundle = bundle;
  }

  #bundle(type: string, data: Record<string, unknown>): void {
    const size = bundleSize(data);
    if (this.#dropped > 0 || this.#used + size > this.#max) {
      this.#dropped += size;
      return;
    }
    this.#used += size;
    this.#outputs.push({ type, data });
    if (typeof data["image/png"] === "string") {
      this.#images.push(data["image/png"].replace(/\s+/g, ""));
    }
    const plain = data["text/plain"];
    if (typeof plain === "string") {
      this.#append(plain, true);
    }
    this.#emit({ kind: "display", data });
  }

  /**
   * Build the result. `ok` is the reply status; `stop` (timeout or cancel
   * message) overrides the error; `timedOut` sets `timed_out`.
   */
  result(ok: boolean, stop: string | null, timedOut: boolean): PythonExecResult {
    let marker = this.#dropped > 0 ? `\n[output truncated: ${this.#dropped} bytes dropped]` : "";
    if (this.#lost) {
      marker += "\n[output truncated: kernel messages were lost (e.g. one over the size cap)]";
    }
    if (marker) this.#emit({ kind: "stderr", text: marker });
    return {
      success: ok && stop === null && this.#error === null,
      output: this.#output + marker,
      error: stop ?? this.#error,
      execution_count: this.#count,
      images: this.#images,
      outputs: this.#outputs,
      timed_out: timedOut,
      truncated: marker !== "",
    };
  }
}
