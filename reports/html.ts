/**
 * The self-contained HTML report: plotly.js inlined (opens with no network), a header saying
 * exactly what ran, per task the anytime curve of the recommendation's gap closed (median and
 * IQR over seeds, log-x) and a final-budget table, and the failed cells with their reasons.
 * Captions are generated from the same summaries as the figures.
 *
 * @module
 */

import { type CellSummary, finalScore, type TaskSummary } from "./aggregate.ts";
import type { RunMeta } from "./meta.ts";

const PALETTE = [
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
];

/** Reads the minified plotly bundle from the installed npm package. */
export async function plotlySource(): Promise<string> {
  const url = import.meta.resolve("plotly.js-dist-min");
  try {
    return await Deno.readTextFile(new URL(url));
  } catch (e) {
    throw new Error(
      `Cannot read plotly.js-dist-min at "${url}": run "deno install" in the project first`,
      { cause: e },
    );
  }
}

/** A figure of the report: its element id, plotly traces and layout. */
export interface Figure {
  readonly id: string;
  readonly traces: readonly Record<string, unknown>[];
  readonly layout: Record<string, unknown>;
}

/** Builds the anytime figure of one task: per method a median line and an IQR band. */
export function anytimeFigure(s: TaskSummary, index: number): Figure {
  const traces: Record<string, unknown>[] = [];
  s.methods.forEach((c, k) => {
    const pts = c.curve.filter((p) => p.n > 0);
    if (pts.length === 0) return;
    const color = PALETTE[k % PALETTE.length]!;
    const x = pts.map((p) => p.budget);
    traces.push({
      x,
      y: pts.map((p) => p.q75),
      mode: "lines",
      line: { width: 0, color },
      hoverinfo: "skip",
      showlegend: false,
      legendgroup: c.method.id,
      name: `${c.method.id} q75`,
    });
    traces.push({
      x,
      y: pts.map((p) => p.q25),
      mode: "lines",
      fill: "tonexty",
      fillcolor: hexAlpha(color, 0.15),
      line: { width: 0, color },
      hoverinfo: "skip",
      showlegend: false,
      legendgroup: c.method.id,
      name: `${c.method.id} q25`,
    });
    traces.push({
      x,
      y: pts.map((p) => p.median),
      mode: "lines+markers",
      line: { color, dash: c.method.ranked ? "solid" : "dot" },
      name: c.method.ranked ? c.method.id : `${c.method.id} (oracle)`,
      legendgroup: c.method.id,
    });
  });
  return {
    id: `fig-${index}`,
    traces,
    layout: {
      height: 380,
      margin: { l: 60, r: 20, t: 10, b: 50 },
      xaxis: { type: "log", title: { text: `cumulative cost (${s.task.costUnit})` } },
      yaxis: { title: { text: "gap closed (median, IQR)" }, zeroline: true },
      legend: { orientation: "h", y: -0.2 },
    },
  };
}

/** Renders the whole report. */
export function renderReport(
  meta: RunMeta,
  summaries: readonly TaskSummary[],
  plotly: string,
): string {
  const figures = summaries.map(anytimeFigure);
  const sections = summaries.map((s, i) => taskSection(s, figures[i]!, meta));
  const failures = summaries.flatMap((s) =>
    s.methods.flatMap((c) =>
      c.failures.map((f) => ({ task: s.task.id, method: c.method.id, ...f }))
    )
  );
  const data = JSON.stringify(figures).replace(/</g, "\\u003c");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>mixbench report — ${esc(meta.suite)} ${esc(meta.commit)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:24px auto;max-width:1100px;color:#222;padding:0 16px}
table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #ddd;padding:3px 8px;text-align:left}
th{background:#f5f5f5}td.n{text-align:right;font-variant-numeric:tabular-nums}
code{background:#f3f3f3;padding:1px 4px;border-radius:3px}.cap{color:#555;margin:4px 0 12px}
h2{margin-top:36px;border-bottom:1px solid #ddd}
</style>
<script>${plotly.replace(/<\/script/gi, "<\\/script")}</script>
</head><body>
<h1>mixbench report</h1>
${header(meta)}
${sections.join("\n")}
<h2>Failed cells</h2>
${
    failures.length === 0
      ? "<p>None: every cell finished.</p>"
      : `<table><tr><th>task</th><th>method</th><th>seed</th><th>reason</th></tr>${
        failures.map((f) =>
          `<tr><td>${esc(f.task)}</td><td>${esc(f.method)}</td><td class="n">${f.seed}</td><td>${
            esc(f.message)
          }</td></tr>`
        ).join("")
      }</table>`
  }
<script type="application/json" id="figures">${data}</script>
<script>
for (const f of JSON.parse(document.getElementById("figures").textContent)) {
  Plotly.newPlot(f.id, f.traces, f.layout, {displaylogo: false, responsive: true});
}
</script>
</body></html>
`;
}

function header(meta: RunMeta): string {
  const rows: [string, string][] = [
    ["suite", `${meta.suite} (commit ${meta.commit})`],
    ["runtime", `Deno ${meta.runtime.deno}, V8 ${meta.runtime.v8}, ${meta.runtime.os}`],
    [
      "machine",
      `${meta.machine.cpu} (${meta.machine.cores} cores); execution: ${meta.machine.device}`,
    ],
    ["seeds", `${meta.seeds.length}: ${meta.seeds.join(", ")}`],
    ["methods", meta.methods.map((m) => m.id + (m.ranked ? "" : " (oracle)")).join(", ")],
    ["regenerate", `<code>${esc(meta.command)}</code>`],
  ];
  const tasks = meta.tasks.map((t) =>
    `<tr><td>${esc(t.id)}@${t.version}</td><td>${esc(t.track)}</td><td>${
      esc(t.table)
    }</td><td><code>${esc(t.tableSha256.slice(0, 16))}</code></td><td>${
      esc(t.objective)
    } (${t.direction})</td><td class="n">${t.budget} ${esc(t.costUnit)}</td></tr>`
  ).join("");
  return `<table>${
    rows.map(([k, v]) => `<tr><th>${k}</th><td>${k === "regenerate" ? v : esc(v)}</td></tr>`).join(
      "",
    )
  }</table>
<table><tr><th>task</th><th>track</th><th>table</th><th>runs.csv sha256</th><th>objective</th><th>budget</th></tr>${tasks}</table>`;
}

function taskSection(s: TaskSummary, fig: ReturnType<typeof anytimeFigure>, meta: RunMeta): string {
  const t = s.task;
  const f = (x: number, d = 3) => Number.isFinite(x) ? x.toFixed(d) : "—";
  const ranked = s.methods.filter((c) => c.method.ranked && c.ok > 0);
  const best = [...ranked].sort((a, b) => finalScore(b) - finalScore(a))[0];
  const plotted = s.methods.filter((c) => c.curve.some((p) => p.n > 0)).length;
  const caption =
    `Gap closed by each method's recommendation against cumulative cost, ${t.id}@${t.version}: ` +
    `0 = the ${t.targetFidelity} target pool's mean ${t.objective} (${f(t.reference.zero, 4)}), ` +
    `1 = its best (${
      f(t.reference.best, 4)
    }). Lines: median over ${meta.seeds.length} seeds; bands: ` +
    `25th–75th percentiles; ${plotted} methods plotted.` +
    (best
      ? ` Best ranked method at the final budget: ${best.method.id} (${f(finalScore(best))}).`
      : "");
  const rows = [...s.methods].sort((a, b) =>
    (finalScore(b) || -Infinity) - (finalScore(a) || -Infinity)
  )
    .map((c) => methodRow(c, f)).join("");
  return `<h2 id="${esc(t.id)}">${esc(t.id)}@${t.version} — ${esc(t.title)}</h2>
<div id="${fig.id}" class="plot" data-traces="${fig.traces.length}"></div>
<p class="cap">${esc(caption)}</p>
<table><tr><th>method</th><th>gap closed at ${t.budget} (median [q25, q75])</th><th>${
    esc(t.objective)
  } (median)</th><th>runs used (median)</th><th>seeds ok / failed</th></tr>${rows}</table>`;
}

function methodRow(c: CellSummary, f: (x: number, d?: number) => string): string {
  const last = c.curve[c.curve.length - 1]!;
  return `<tr><td>${esc(c.method.id)}${c.method.ranked ? "" : " (oracle)"}</td><td class="n">${
    f(last.median)
  } [${f(last.q25)}, ${f(last.q75)}]</td><td class="n">${f(c.finalValue, 4)}</td><td class="n">${
    f(c.evaluations, 0)
  }</td><td class="n">${c.ok} / ${c.failures.length}</td></tr>`;
}

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function hexAlpha(hex: string, a: number): string {
  const n = parseInt(hex.slice(1), 16);
  return `rgba(${(n >> 16) & 255},${(n >> 8) & 255},${n & 255},${a})`;
}
