/**
 * A transfer progress bar on stderr: bytes, percent when the size is known
 * and MiB/s, redrawn at most 10 times a second, only when stderr is a
 * terminal. Otherwise (and at the end) a one-line summary.
 *
 * @module
 */
import { writeAll } from "./_common.ts";

const MIB = 1024 * 1024;

/** `n` bytes, human readable. */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < MIB) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 * MIB) return `${(n / MIB).toFixed(1)} MiB`;
  return `${(n / (1024 * MIB)).toFixed(2)} GiB`;
}

/** Counts bytes flowing through {@link Progress.counter} and reports them. */
export class Progress {
  readonly #label: string;
  readonly #total: number | null;
  readonly #tty: boolean;
  readonly #start = performance.now();
  #bytes = 0;
  #last = -Infinity;

  constructor(label: string, total: number | null, tty = Deno.stderr.isTerminal()) {
    this.#label = label;
    this.#total = total;
    this.#tty = tty;
  }

  /** Bytes seen so far. */
  get bytes(): number {
    return this.#bytes;
  }

  /** A pass-through stream that counts what goes through it. */
  counter(): TransformStream<Uint8Array, Uint8Array> {
    return new TransformStream({
      transform: (chunk, ctrl) => {
        this.#add(chunk.byteLength);
        ctrl.enqueue(chunk);
      },
    });
  }

  #rate(): string {
    const s = Math.max((performance.now() - this.#start) / 1000, 1e-3);
    return `${(this.#bytes / MIB / s).toFixed(1)} MiB/s`;
  }

  #add(n: number): void {
    this.#bytes += n;
    if (!this.#tty) return;
    const now = performance.now();
    if (now - this.#last < 100) return;
    this.#last = now;
    this.#draw();
  }

  #draw(): void {
    let line = `${this.#label}  ${formatBytes(this.#bytes)}`;
    if (this.#total) {
      const frac = Math.min(1, this.#bytes / this.#total);
      const width = 24;
      const full = Math.round(frac * width);
      line = `${this.#label}  [${"#".repeat(full)}${"-".repeat(width - full)}] ` +
        `${(frac * 100).toFixed(0).padStart(3)}%  ${formatBytes(this.#bytes)} / ` +
        formatBytes(this.#total);
    }
    writeAll(Deno.stderr, `\r\x1b[2K${line}  ${this.#rate()}`);
  }

  /** Clear the bar and print the summary line. */
  done(): void {
    const secs = ((performance.now() - this.#start) / 1000).toFixed(1);
    const clear = this.#tty ? "\r\x1b[2K" : "";
    writeAll(
      Deno.stderr,
      `${clear}${this.#label}: ${formatBytes(this.#bytes)} in ${secs} s (${this.#rate()})\n`,
    );
  }

  /** Clear the bar (on failure). */
  abort(): void {
    if (this.#tty) writeAll(Deno.stderr, "\r\x1b[2K");
  }
}
