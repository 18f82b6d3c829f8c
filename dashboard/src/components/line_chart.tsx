/**
 * A small SVG line chart over a time window: one path per series, gaps for
 * missing values, a y axis from 0 to a rounded maximum, minute ticks on x.
 * Colours come from CSS classes (`series-N`), never inline styles.
 */

export interface Series {
  name: string;
  /** [epoch ms, value or null for a gap] */
  points: [number, number | null][];
}

const W = 640;
const H = 200;
const PAD = { left: 48, right: 12, top: 10, bottom: 24 };

/** The smallest of 1, 2, 2.5, 5 × 10^k at or above `x`. */
export function niceCeil(x: number): number {
  if (x <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(x));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= x) return m * p;
  return 10 * p;
}

function fmt(v: number): string {
  if (v === 0) return "0";
  if (Math.abs(v) >= 1000) return `${(v / 1000).toFixed(v % 1000 === 0 ? 0 : 1)}k`;
  if (Math.abs(v) < 1) return v.toFixed(2);
  return Number.isInteger(v) ? String(v) : v.toFixed(1);
}

/** SVG path data with a new sub-path after every gap. */
export function pathData(
  points: [number, number | null][],
  x: (t: number) => number,
  y: (v: number) => number,
): string {
  let d = "";
  let pen = false;
  for (const [t, v] of points) {
    if (v === null) {
      pen = false;
      continue;
    }
    d += `${pen ? "L" : "M"}${x(t).toFixed(1)},${y(v).toFixed(1)}`;
    pen = true;
  }
  return d;
}

/** Points with no neighbour to draw a line to: shown as dots. */
export function isolated(points: [number, number | null][]): [number, number][] {
  const out: [number, number][] = [];
  points.forEach(([t, v], i) => {
    if (
      v !== null && (points[i - 1]?.[1] ?? null) === null && (points[i + 1]?.[1] ?? null) === null
    ) {
      out.push([t, v]);
    }
  });
  return out;
}

/** Y ticks from 0 covering `max` in about four nice steps (whole steps for counts). */
export function yTicks(max: number, integer = false): number[] {
  let step = niceCeil(max / 4);
  if (integer) step = Math.max(1, Math.round(step));
  const top = Math.max(step, Math.ceil(max / step) * step);
  const out: number[] = [];
  for (let v = 0; v <= top + step / 2; v += step) out.push(v);
  return out;
}

const X_STEPS_S = [5, 10, 15, 30, 60, 120, 300];

/** X ticks back from `to` every nice number of seconds (at most 6), labelled relative to now. */
export function xTicks(from: number, to: number): [number, string][] {
  const spanS = (to - from) / 1000;
  const step = X_STEPS_S.find((s) => spanS / s <= 6) ?? 600;
  const out: [number, string][] = [];
  for (let back = 0; to - back * 1000 >= from; back += step) {
    out.push([to - back * 1000, back === 0 ? "now" : back < 60 ? `-${back}s` : `-${back / 60}m`]);
  }
  return out;
}

export function LineChart(
  { series, from, to, unit, integer, testid }: {
    series: Series[];
    from: number;
    to: number;
    unit?: string;
    /** Values are counts: whole-number ticks. */
    integer?: boolean;
    testid?: string;
  },
) {
  const values = series.flatMap((s) => s.points.map(([, v]) => v)).filter((v): v is number =>
    v !== null
  );
  const ticks = yTicks(Math.max(0, ...values), integer);
  const max = ticks.at(-1) ?? 1;
  const x = (t: number) =>
    PAD.left + ((t - from) / Math.max(1, to - from)) * (W - PAD.left - PAD.right);
  const y = (v: number) => H - PAD.bottom - (v / max) * (H - PAD.top - PAD.bottom);

  return (
    <figure class="chart" data-testid={testid} data-points={values.length}>
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={series.map((s) => s.name).join(", ")}>
        {ticks.map((v) => (
          <g key={`y${v}`} class="grid">
            <line x1={PAD.left} x2={W - PAD.right} y1={y(v)} y2={y(v)} />
            <text x={PAD.left - 6} y={y(v) + 4} text-anchor="end">{fmt(v)}</text>
          </g>
        ))}
        {xTicks(from, to).map(([t, label]) => (
          <text
            key={`x${t}`}
            class="axis"
            x={x(t)}
            y={H - 6}
            text-anchor={t === to ? "end" : "middle"}
          >
            {label}
          </text>
        ))}
        {series.map((s, i) => {
          const d = pathData(s.points, x, y);
          return (
            <g key={s.name} class={`series series-${i % 8}`}>
              {d && <path d={d} />}
              {isolated(s.points).map(([t, v]) => <circle key={t} cx={x(t)} cy={y(v)} r={2.5} />)}
            </g>
          );
        })}
      </svg>
      <figcaption>
        {series.map((s, i) => {
          const last = [...s.points].reverse().find(([, v]) => v !== null)?.[1];
          return (
            <span key={s.name} class={`legend series-${i % 8}`}>
              <i /> {s.name} {last !== undefined && last !== null && <b>{fmt(last)}{unit ?? ""}</b>}
            </span>
          );
        })}
      </figcaption>
    </figure>
  );
}
