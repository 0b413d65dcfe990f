/**
 * Plotly figures of the cross-task views of a task set: mean and IQM with 95% intervals, IQM and
 * average rank over the budget, a critical-difference diagram per budget share, the win-rate
 * heatmap, run-length ECDFs of cost-to-target, and speed-ups over random search.
 *
 * @module
 */

import type { BudgetPoint, RankPoint, Standing, TrackAnalysis } from "./across.ts";
import { color, dash, type Figure, figure, hexAlpha } from "./figures.ts";
import { share } from "./_html.ts";
import type { TargetAnalysis } from "./targets.ts";

/** A log axis over budget shares, ticked at the shares as fractions (1/8, 1/4, …). */
function shareAxis(a: TrackAnalysis): Record<string, unknown> {
  const fs = a.points.map((p) => p.fraction);
  return {
    type: "log",
    tickvals: fs,
    ticktext: fs.map(share),
    title: { text: "share of each task's budget" },
  };
}

/** Label of a method on a task set: its id, marked when it is not ranked. */
export function standingLabel(s: Standing): string {
  return s.standing === "ranked"
    ? s.id
    : s.standing === "oracle"
    ? `${s.id} (oracle)`
    : `${s.id} (partial ${s.cells}/${s.total})`;
}

/** Colour of a method: its index in the run's method list (standings keep run.json order). */
function colorOf(a: TrackAnalysis, id: string): string {
  return color(a.standings.findIndex((s) => s.id === id));
}

/** Dash style of a method: by its index in the run's method list; dotted when not ranked. */
function dashOf(a: TrackAnalysis, id: string): string {
  const k = a.standings.findIndex((s) => s.id === id);
  return a.standings[k]?.standing === "ranked" ? dash(k) : "dot";
}

/** Methods in leaderboard order: ranked ones by the primary ranking, then the others. */
export function boardOrder(a: TrackAnalysis): string[] {
  const rest = a.primary.filter((p) => !a.ranking.order.includes(p.id))
    .sort((x, y) => (y.anytime.point || -Infinity) - (x.anytime.point || -Infinity))
    .map((p) => p.id);
  return [...a.ranking.order, ...rest];
}

/** An axis range covering finite values with 5% padding on each side. */
export function dataRange(values: readonly number[]): [number, number] | undefined {
  const xs = values.filter(Number.isFinite);
  if (xs.length === 0) return undefined;
  const lo = Math.min(...xs), hi = Math.max(...xs);
  const pad = (hi - lo) * 0.05 || Math.max(0.05, Math.abs(hi) * 0.05);
  return [lo - pad, hi + pad];
}

/**
 * The headline figure: methods sorted by the primary (anytime) score, best at the top, with 95%
 * stratified-bootstrap intervals; filled markers for the methods the statistics cannot separate
 * from the leader, open markers for the others, crosses for methods not ranked.
 */
export function rankedFigure(a: TrackAnalysis, id: string): Figure {
  const ids = boardOrder(a);
  const r = a.ranking;
  const label = (m: string) => {
    const i = r.order.indexOf(m);
    const s = a.standings.find((x) => x.id === m)!;
    return i >= 0 ? `${r.rank[i]}. ${m}${r.leaderGroup.includes(m) ? " ★" : ""}` : standingLabel(s);
  };
  const est = ids.map((m) => a.primary.find((p) => p.id === m)!.anytime);
  const symbol = ids.map((m) =>
    !r.order.includes(m) ? "x-thin-open" : r.leaderGroup.includes(m) ? "circle" : "circle-open"
  );
  return figure(id, [{
    type: "scatter",
    mode: "markers",
    name: "mean anytime score",
    x: est.map((e) => e.point),
    y: ids.map(label),
    marker: {
      size: 11,
      color: ids.map((m) => colorOf(a, m)),
      symbol,
      line: { width: 2, color: ids.map((m) => colorOf(a, m)) },
    },
    error_x: {
      type: "data",
      symmetric: false,
      array: est.map((e) => e.hi - e.point),
      arrayminus: est.map((e) => e.point - e.lo),
      color: "#555",
    },
    hovertemplate: "%{y}: %{x:.3f}<extra></extra>",
  }], {
    height: 110 + 26 * ids.length,
    margin: { l: 190, r: 20, t: 10, b: 50 },
    xaxis: {
      title: { text: "anytime score: mean normalised log-cost AUC of gap closed (95% CI)" },
      range: dataRange(est.flatMap((e) => [e.lo, e.hi, e.point])),
    },
    yaxis: { autorange: "reversed", automargin: true },
    showlegend: false,
  });
}

/** Mean and IQM at the final budget, with 95% stratified-bootstrap intervals. */
export function meanIqmFigure(a: TrackAnalysis, id: string): Figure {
  const lastPoint = a.points[a.points.length - 1]!;
  const order = boardOrder(a);
  const last = {
    methods: order.map((m) => lastPoint.methods.find((x) => x.id === m)!),
  };
  const labels = last.methods.map((m) => standingLabel(a.standings.find((s) => s.id === m.id)!));
  const range = dataRange(last.methods.flatMap((m) => [m.mean.lo, m.mean.hi, m.iqm.lo, m.iqm.hi]));
  const trace = (stat: "mean" | "iqm", axis: string) => ({
    type: "scatter",
    mode: "markers",
    name: stat === "mean" ? "mean" : "IQM",
    x: last.methods.map((m) => m[stat].point),
    y: labels,
    xaxis: axis === "" ? "x" : `x${axis}`,
    marker: { size: 9, color: last.methods.map((m) => colorOf(a, m.id)) },
    error_x: {
      type: "data",
      symmetric: false,
      array: last.methods.map((m) => m[stat].hi - m[stat].point),
      arrayminus: last.methods.map((m) => m[stat].point - m[stat].lo),
    },
  });
  return figure(id, [trace("mean", ""), trace("iqm", "2")], {
    height: 120 + 28 * labels.length,
    margin: { l: 200, r: 20, t: 30, b: 50 },
    grid: { rows: 1, columns: 2, pattern: "independent" },
    xaxis: { title: { text: "mean gap closed" }, domain: [0, 0.48], range },
    xaxis2: { title: { text: "IQM of gap closed" }, domain: [0.52, 1], range },
    yaxis: { autorange: "reversed" },
    showlegend: false,
  });
}

/** IQM of gap closed over budget shares, per method with its 95% band (log-x). */
export function iqmBudgetFigure(a: TrackAnalysis, id: string): Figure {
  const traces = a.standings.flatMap((s) => {
    const pts = a.points.flatMap((p) => {
      const m = p.methods.find((x) => x.id === s.id);
      return m && m.n > 0 ? [{ f: p.fraction, e: m.iqm }] : [];
    });
    if (pts.length === 0) return [];
    const col = colorOf(a, s.id);
    const x = pts.map((p) => p.f);
    const band = { mode: "lines", hoverinfo: "skip", showlegend: false, legendgroup: s.id };
    return [
      { ...band, x, y: pts.map((p) => p.e.hi), line: { width: 0, color: col } },
      {
        ...band,
        x,
        y: pts.map((p) => p.e.lo),
        fill: "tonexty",
        fillcolor: hexAlpha(col, 0.12),
        line: { width: 0, color: col },
      },
      {
        x,
        y: pts.map((p) => p.e.point),
        mode: "lines+markers",
        name: standingLabel(s),
        legendgroup: s.id,
        line: { color: col, dash: dashOf(a, s.id) },
      },
    ];
  });
  return figure(id, traces, {
    height: 360,
    margin: { l: 60, r: 20, t: 10, b: 50 },
    xaxis: shareAxis(a),
    yaxis: { title: { text: "IQM of gap closed (95% CI)" } },
    legend: { orientation: "h", y: -0.25 },
  });
}

/** Average rank of the ranked methods over budget shares (1 = best, at the top). */
export function rankFigure(a: TrackAnalysis, id: string): Figure {
  const ids = a.points[0]?.ranks.methods ?? [];
  const traces = ids.map((m) => ({
    x: a.points.map((p) => p.fraction),
    y: a.points.map((p) => p.ranks.avgRank[p.ranks.methods.indexOf(m)]!),
    mode: "lines+markers",
    name: m,
    line: { color: colorOf(a, m), dash: dashOf(a, m) },
  }));
  return figure(id, traces, {
    height: 340,
    margin: { l: 60, r: 20, t: 10, b: 50 },
    xaxis: shareAxis(a),
    yaxis: { title: { text: "average rank over tasks" }, autorange: "reversed" },
    legend: { orientation: "h", y: -0.25 },
  });
}

/**
 * Critical-difference diagram of a rank analysis (Demšar, 2006, Fig. 1 layout): methods at their
 * average rank on a top axis; the better half labelled on the left, the other half on the right,
 * each label on its own row joined to its point by an elbow line, so no two labels overlap; the
 * Nemenyi CD as a bar from rank 1; a thick bar under each group not significantly different.
 */
export function cdFigure(a: TrackAnalysis, p: BudgetPoint | RankPoint, id: string): Figure {
  const r = "ranks" in p ? p.ranks : p;
  const k = r.methods.length;
  const half = Math.ceil(k / 2);
  const c = r.cliques.length;
  const row = (i: number) => -(1 + 0.3 * c + (i < half ? i : i - half));
  const xmin = 0.5, xmax = Math.max(k, 2) + 0.5;
  const traces: Record<string, unknown>[] = r.methods.map((m, i) => ({
    x: [r.avgRank[i]!, r.avgRank[i]!, i < half ? xmin : xmax],
    y: [0, row(i), row(i)],
    mode: "lines",
    line: { color: colorOf(a, m), width: 1.5 },
    hoverinfo: "skip",
    name: m,
  }));
  traces.push({
    x: r.avgRank,
    y: r.avgRank.map(() => 0),
    mode: "markers",
    marker: { size: 9, color: r.methods.map((m) => colorOf(a, m)) },
    text: r.methods,
    hovertemplate: "%{text}: %{x:.2f}<extra></extra>",
    name: "average rank",
  });
  for (const side of [0, 1]) {
    const idx = r.methods.map((_, i) => i).filter((i) => (side === 0 ? i < half : i >= half));
    if (idx.length === 0) continue;
    traces.push({
      x: idx.map(() => (side === 0 ? xmin : xmax)),
      y: idx.map(row),
      mode: "text",
      text: idx.map((i) => `${r.methods[i]} (${r.avgRank[i]!.toFixed(2)})`),
      textposition: side === 0 ? "middle left" : "middle right",
      textfont: { size: 12 },
      cliponaxis: false,
      hoverinfo: "skip",
      name: side === 0 ? "labels (better half)" : "labels (worse half)",
    });
  }
  if (r.cd !== null) {
    traces.push({
      x: [1, 1 + r.cd],
      y: [0.55, 0.55],
      mode: "lines",
      line: { color: "#000", width: 3 },
      name: `CD = ${r.cd.toFixed(3)}`,
    });
  }
  r.cliques.forEach((g, i) => {
    const xs = g.map((m) => r.avgRank[r.methods.indexOf(m)]!);
    traces.push({
      x: [Math.min(...xs) - 0.03, Math.max(...xs) + 0.03],
      y: [-0.3 - 0.3 * i, -0.3 - 0.3 * i],
      mode: "lines",
      line: { color: "#555", width: 5 },
      name: `group ${i + 1}`,
    });
  });
  const rows = Math.max(half, k - half);
  const bottom = 1 + 0.3 * c + rows;
  const longest = Math.max(8, ...r.methods.map((m) => m.length + 7));
  return figure(id, traces, {
    height: 90 + 24 * (bottom + 1),
    margin: { l: 12 + 7 * longest, r: 12 + 7 * longest, t: 40, b: 10 },
    xaxis: {
      range: [xmin, xmax],
      side: "top",
      title: { text: "average rank (1 = best)" },
      zeroline: false,
      showgrid: false,
      dtick: 1,
    },
    yaxis: { visible: false, range: [-(bottom - 0.4), 0.9], fixedrange: true },
    showlegend: false,
  });
}

/** Heatmap of pairwise win rates at the final budget (row beats column). */
export function winRateFigure(a: TrackAnalysis, id: string): Figure {
  const w = a.winRates;
  const z = w.matrix.map((row, i) => row.map((v, j) => (i === j ? null : v)));
  return figure(id, [{
    type: "heatmap",
    z,
    x: w.methods,
    y: w.methods,
    zmin: 0,
    zmax: 1,
    colorscale: "RdBu",
    texttemplate: "%{z:.2f}",
    hovertemplate: "%{y} beats %{x}: %{z:.3f}<extra></extra>",
  }], {
    height: 140 + 36 * w.methods.length,
    margin: { l: 160, r: 20, t: 10, b: 120 },
    yaxis: { autorange: "reversed" },
  });
}

/** Run-length ECDFs of cost-to-target over the task set's (task, seed, level) attempts. */
export function ecdfFigure(a: TrackAnalysis, t: TargetAnalysis, id: string): Figure {
  const traces = t.ecdfs.map((e) => {
    const s = a.standings.find((x) => x.id === e.id)!;
    return {
      x: e.x,
      y: e.y,
      mode: "lines",
      line: {
        shape: "hv",
        color: colorOf(a, e.id),
        dash: dashOf(a, e.id),
      },
      name: standingLabel(s),
    };
  });
  return figure(id, traces, {
    height: 360,
    margin: { l: 60, r: 20, t: 10, b: 50 },
    xaxis: { type: "log", title: { text: "cost ÷ task budget" } },
    yaxis: { title: { text: "share of (task, seed, level) reached" }, range: [0, 1.02] },
    legend: { orientation: "h", y: -0.25 },
  });
}

/** Speed-ups over random search (log-y): one bar group per method, one bar per task and level. */
export function speedupFigure(t: TargetAnalysis, id: string): Figure {
  const ids = [...new Set(t.tasks.flatMap((x) => x.methods.map((m) => m.id)))]
    .filter((m) => t.tasks.some((x) => x.methods.find((y) => y.id === m)?.levels[0]?.speedup));
  const traces = t.tasks.flatMap((x, ti) =>
    [...new Set(x.methods.flatMap((m) => m.levels.map((l) => l.q)))].map((q, qi) => ({
      type: "bar",
      name: `${x.task.id} · ${q === 1 ? "best" : `p${Math.round(q * 100)}`}`,
      x: ids,
      y: ids.map((m) => {
        const s = x.methods.find((y) => y.id === m)?.levels.find((l) => l.q === q)?.speedup;
        return s && s.kind === "exact" && Number.isFinite(s.ratio) && s.ratio > 0 ? s.ratio : null;
      }),
      marker: { color: hexAlpha(color(ti), qi === 0 ? 0.5 : 1) },
    }))
  );
  return figure(id, traces, {
    barmode: "group",
    height: 360,
    margin: { l: 60, r: 20, t: 10, b: 90 },
    yaxis: { type: "log", title: { text: "ERT(random search) ÷ ERT(method)" } },
    legend: { font: { size: 10 } },
  });
}
