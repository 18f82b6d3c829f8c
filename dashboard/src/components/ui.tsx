import type { ComponentChildren } from "preact";
import { useEffect, useState } from "preact/hooks";
import { errorText } from "../api/client.ts";

export function ErrorBox({ error }: { error: unknown }) {
  if (!error) return null;
  return <div class="error" role="alert">{errorText(error)}</div>;
}

export function Badge({ value, kind }: { value: string; kind?: string }) {
  return <span class={`badge badge-${kind ?? value}`}>{value}</span>;
}

export function YesNo({ value }: { value: boolean | null }) {
  if (value === null) return <span class="muted">–</span>;
  return value ? <Badge value="yes" kind="ok" /> : <Badge value="no" kind="bad" />;
}

/** ISO time shown local and short, full value on hover. */
export function Time({ iso }: { iso: string | null }) {
  if (!iso) return <span class="muted">never</span>;
  const d = new Date(iso);
  return <time dateTime={iso} title={iso}>{d.toLocaleString()}</time>;
}

export function bytes(n: number | null): string {
  if (n === null) return "";
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MiB`;
  return `${(n / 1024 ** 3).toFixed(1)} GiB`;
}

/** A button that asks again in place instead of a native confirm() dialog. */
export function ConfirmButton(
  props: {
    onConfirm: () => void;
    children: ComponentChildren;
    confirmText?: string;
    disabled?: boolean;
    class?: string;
    testid?: string;
  },
) {
  const [armed, setArmed] = useState(false);
  useEffect(() => {
    if (!armed) return;
    const t = setTimeout(() => setArmed(false), 4000);
    return () => clearTimeout(t);
  }, [armed]);
  return (
    <button
      type="button"
      class={`${props.class ?? ""} ${armed ? "danger" : ""}`.trim()}
      data-testid={props.testid}
      disabled={props.disabled}
      onClick={() => {
        if (!armed) return setArmed(true);
        setArmed(false);
        props.onConfirm();
      }}
    >
      {armed ? (props.confirmText ?? "Click again to confirm") : props.children}
    </button>
  );
}

export function Section(
  props: {
    title: string;
    actions?: ComponentChildren;
    children: ComponentChildren;
    testid?: string;
  },
) {
  return (
    <section class="card" data-testid={props.testid}>
      <header class="card-head">
        <h2>{props.title}</h2>
        <div class="actions">{props.actions}</div>
      </header>
      {props.children}
    </section>
  );
}

/** Pager for offset lists. */
export function Pager(
  props: { offset: number; limit: number; total: number; onOffset: (o: number) => void },
) {
  const { offset, limit, total } = props;
  if (total <= limit && offset === 0) return <p class="muted small">{total} total</p>;
  return (
    <div class="pager">
      <button
        type="button"
        disabled={offset === 0}
        onClick={() => props.onOffset(Math.max(0, offset - limit))}
      >
        ‹ Newer
      </button>
      <span class="muted small">
        {Math.min(offset + 1, total)}–{Math.min(offset + limit, total)} of {total}
      </span>
      <button
        type="button"
        disabled={offset + limit >= total}
        onClick={() => props.onOffset(offset + limit)}
      >
        Older ›
      </button>
    </div>
  );
}
