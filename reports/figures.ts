/**
 * Plotly figures of the per-task views: the anytime curve of gap closed (median and IQR over
 * seeds, log-x, with the noise floor where known) and the recommended mixtures as stacked bars.
 * Every figure carries the counts of what it must draw (traces, heatmaps, markers and bars),
 * computed from its data, so a browser test can check the rendering against the data.
 *
 * @module
 */

import type { CellSummary, TaskSummary } from "./aggregate.ts";

/** What a rendered figure must show, counted from its data. */
export interface Expect {
  /** Scatter and bar traces that have at least one valid point. */
  readonly traces: number;
  /** Heatmap traces. */
  readonly heatmaps: number;
  /** Markers of marker-mode scatter traces (finite points) plus bars of non-zero height. */
  readonly points: number;
}

/** A figure of the report: its element id, plotly traces and layout, and what it must draw. */
export interface Figure {
  readonly id: string;
  readonly traces: readonly Record<string, unknown>[];
  readonly layout: Record<string, unknown>;
  readonly expect: Expect;
}

/**
 * Method colours, one per method in run.json order: 24 distinct colours (tab10, then
 * high-contrast additions), so a method has the same colour in every figure of a report.
 */
export const PALETTE: readonly string[] = [
  "#1f77b4",
  "#ff7f0e",
  "#2ca02c",
  "#d62728",
  "#9467bd",
  "#8c564b",
  "#e377c2",
  "#7f7f7f",
  "#bcbd22",
  "#17becf",
  "#000000",
  "#a1caf1",
  "#f3c300",
  "#00429d",
  "#7f0000",
  "#00a36c",
  "#ff1493",
  "#4b0082",
  "#808000",
  "#ffb3a7",
  "#006d6f",
  "#c2b280",
  "#b3446c",
  "#8db600",
];

/** Line dash styles: methods 1–8 solid, 9–16 dashed, 17–24 dash-dotted (a second cue). */
export const DASHES: readonly string[] = ["solid", "dash", "dashdot"];

/** Colour of the k-th method. */
export function color(k: number): string {
  return PALETTE[k % PALETTE.length]!;
}

/** Dash style of the k-th method (oracles and partial methods are drawn dotted instead). */
export function dash(k: number): string {
  return DASHES[Math.floor(k / 8) % DASHES.length]!;
}

/** `#rrggbb` to `rgba(r,g,b,a)`. */
export function hexAlpha(hex: string, a: number): string {
  const n = parseInt(hex.slice(1), 16);
  return `rgba(${(n >> 16) & 255},${(n >> 8) & 255},${n & 255},${a})`;
}

const valid = (v: unknown) =>
  (typeof v === "number" && Number.isFinite(v)) || (typeof v === "string" && v !== "");

/**
 * Points of a trace whose x and y are both finite numbers or categories; for bars, only those
 * with a non-zero value (plotly draws a zero-height bar for 0 and null alike).
 */
function validPoints(t: Record<string, unknown>): number {
  const xs = t.x as unknown[] | undefined;
  const ys = t.y as unknown[] | undefined;
  const n = Math.max(xs?.length ?? 0, ys?.length ?? 0);
  let k = 0;
  for (let i = 0; i < n; i++) {
    const x = xs ? xs[i] : i, y = ys ? ys[i] : i;
    if (valid(x) && valid(y) && (t.type !== "bar" || y !== 0)) k++;
  }
  return k;
}

/**
 * Builds a figure and counts what it must draw. Traces without a valid point are dropped (plotly
 * draws nothing for them).
 *
 * @param id Element id.
 * @param traces Plotly traces.
 * @param layout Plotly layout.
 * @returns The figure with its expected counts.
 */
export function figure(
  id: string,
  traces: readonly Record<string, unknown>[],
  layout: Record<string, unknown>,
): Figure {
  let points = 0, heatmaps = 0;
  const kept = traces.filter((t) => t.type === "heatmap" || validPoints(t) > 0);
  for (const t of kept) {
    if (t.type === "heatmap") heatmaps++;
    else if (t.type === "bar" || String(t.mode ?? "lines+markers").includes("markers")) {
      points += validPoints(t);
    }
  }
  return { id, traces: kept, layout, expect: { traces: kept.length - heatmaps, heatmaps, points } };
}

/** Legend label of a method: its id, marked when it is an oracle or only partly covered. */
export function methodLabel(c: CellSummary, seeds: number): string {
  if (!c.method.ranked) return `${c.method.id} (oracle)`;
  return c.ok < seeds ? `${c.method.id} (partial ${c.ok}/${seeds})` : c.method.id;
}

/**
 * The anytime figure of one task: per method an IQR band and a median line of gap closed against
 * cumulative cost (log-x); a dashed line at 1 − σ/|f₀ − f*| when the run-to-run noise σ is known.
 */
export function anytimeFigure(s: TaskSummary, index: number, seeds = Infinity): Figure {
  const traces: Record<string, unknown>[] = [];
  s.methods.forEach((c, k) => {
    const pts = c.curve.filter((p) => p.n > 0);
    if (pts.length === 0) return;
    const col = color(k);
    const x = pts.map((p) => p.budget);
    const band = { mode: "lines", hoverinfo: "skip", showlegend: false, legendgroup: c.method.id };
    traces.push({ ...band, x, y: pts.map((p) => p.q75), line: { width: 0, color: col } });
    traces.push({
      ...band,
      x,
      y: pts.map((p) => p.q25),
      fill: "tonexty",
      fillcolor: hexAlpha(col, 0.15),
      line: { width: 0, color: col },
    });
    traces.push({
      x,
      y: pts.map((p) => p.median),
      mode: "lines+markers",
      line: {
        color: col,
        dash: c.method.ranked && (!Number.isFinite(seeds) || c.ok >= seeds) ? dash(k) : "dot",
      },
      name: Number.isFinite(seeds) ? methodLabel(c, seeds) : c.method.id,
      legendgroup: c.method.id,
    });
  });
  const t = s.task;
  const floor = noiseFloor(s);
  if (floor !== null) {
    traces.push({
      x: [t.checkpoints[0]!, t.budget],
      y: [floor, floor],
      mode: "lines",
      line: { color: "#444", dash: "dash", width: 1 },
      name: "noise floor",
    });
  }
  return figure(`fig-${index}`, traces, {
    height: 380,
    margin: { l: 60, r: 20, t: 10, b: 50 },
    // Ticks at the checkpoints: plotly's own log ticks label minor steps with a single digit.
    xaxis: {
      type: "log",
      tickvals: t.checkpoints,
      ticktext: t.checkpoints.map((b) => String(Number(b.toPrecision(3)))),
      title: { text: `cumulative cost (${t.costUnit})` },
    },
    yaxis: { title: { text: "gap closed (median, IQR)" }, zeroline: true },
    legend: { orientation: "h", y: -0.2 },
  });
}

/** The noise floor in gap-closed units (1 − σ/|f₀ − f*|), or null when σ is unknown. */
export function noiseFloor(s: TaskSummary): number | null {
  const n = s.task.noise;
  if (!n) return null;
  return 1 - n.sd / Math.abs(s.task.reference.zero - s.task.reference.best);
}

/** Bars of a mixture figure: one category per reference or method, one stack per domain. */
export interface MixtureBars {
  readonly categories: readonly string[];
  /** Domain (or "other (k domains)") and its weight per category. */
  readonly stacks: readonly { readonly name: string; readonly weights: readonly number[] }[];
}

/**
 * Stacked mixtures: the prior, the best known mixture, and each method's final recommendation
 * averaged over seeds; domains never above `minShare` in any bar are summed into "other".
 */
export function mixtureBars(s: TaskSummary, minShare = 0.02): MixtureBars | null {
  const t = s.task;
  if (!t.domains) return null;
  const cats: string[] = [];
  const rows: (readonly number[])[] = [];
  if (t.prior) [cats.push("prior"), rows.push(t.prior)];
  if (t.bestMixture) [cats.push("best known"), rows.push(t.bestMixture)];
  for (const c of s.methods) {
    const mixes = c.lines.flatMap((l) => {
      const m = l.checkpoints[l.checkpoints.length - 1]?.mixture;
      return m ? [m] : [];
    });
    if (mixes.length === 0) continue;
    cats.push(c.method.ranked ? c.method.id : `${c.method.id} (oracle)`);
    rows.push(t.domains.map((_, d) => mixes.reduce((a, m) => a + m[d]!, 0) / mixes.length));
  }
  const keep = t.domains.map((_, d) => rows.some((r) => r[d]! >= minShare));
  const stacks = t.domains.flatMap((name, d) =>
    keep[d] ? [{ name, weights: rows.map((r) => r[d]!) }] : []
  );
  const rest = keep.filter((k) => !k).length;
  if (rest > 0) {
    stacks.push({
      name: `other (${rest} domains)`,
      weights: rows.map((r) => r.reduce((a, x, d) => a + (keep[d] ? 0 : x), 0)),
    });
  }
  return { categories: cats, stacks };
}

/** The stacked-bar figure of {@linkcode mixtureBars}. */
export function mixtureFigure(bars: MixtureBars, id: string): Figure {
  return figure(
    id,
    bars.stacks.map((st, k) => ({
      type: "bar",
      name: st.name,
      x: bars.categories,
      y: st.weights,
      marker: { color: k < PALETTE.length ? color(k) : hexAlpha(color(k), 0.55) },
    })),
    {
      barmode: "stack",
      height: 360,
      margin: { l: 60, r: 20, t: 10, b: 90 },
      yaxis: { title: { text: "weight (mean over seeds)" }, range: [0, 1] },
      legend: { font: { size: 10 } },
    },
  );
}
