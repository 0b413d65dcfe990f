/**
 * The self-contained HTML report: plotly.js inlined (opens with no network). The first screen is
 * a headline sentence per track (who leads, who cannot be separated from the leader, whether any
 * difference is significant) and one figure (methods sorted by the primary anytime score with
 * intervals and significance groups); then a table of contents; then per track its leaderboard,
 * cross-task statistics and per-task views; the Predict, scale-transfer and runner-diagnostics
 * panels when those ran; the failed cells; and, collapsed at the bottom, the provenance tables
 * saying exactly what ran and how to regenerate it.
 *
 * @module
 */

import type { Analysis } from "./analysis.ts";
import { esc, FigureSink, fmt, table } from "./_html.ts";
import { integrityProblem, type RunMeta } from "./meta.ts";
import { diagnosticsPanel, predictPanel, transferPanel } from "./panels.ts";
import { onlinePanel } from "./online_panel.ts";
import { taskSection } from "./task_section.ts";
import { trackSection } from "./track_section.ts";
import { rankedFigure } from "./across_figures.ts";
import { leaderboards, type TrackBoard } from "./leaderboard.ts";
import { ANYTIME_DEFINITION } from "./anytime.ts";
import { share } from "./_html.ts";

export { anytimeFigure, type Figure } from "./figures.ts";

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

/** Options of {@linkcode renderReport}. */
export interface RenderOptions {
  /** Command that rebuilds this report from the results folder. @default {"deno task report DIR"} */
  reportCommand?: string;
  /** Whole sections appended after the tracks (each an `<h2 id>` and its body), e.g. Inference. */
  extraSections?: readonly { readonly id: string; readonly title: string; readonly html: string }[];
}

/**
 * Renders the whole report.
 *
 * @param a The analysis of a results folder.
 * @param plotly The plotly.js bundle to inline.
 * @param options The regenerate command.
 * @returns The HTML text.
 */
export function renderReport(a: Analysis, plotly: string, options: RenderOptions = {}): string {
  const meta = a.meta;
  const sink = new FigureSink();
  const n = meta.seeds.length;
  const body: string[] = [];
  const toc: [string, string, number][] = [];
  const invalid = integrityProblem(meta);
  const boards = leaderboards(a);
  const trackName = (t: string) => (t === "optimize" ? "Optimize track" : "Transfer track");
  const headline = a.tracks.length === 0
    ? '<p id="headline" class="headline">No optimise or transfer task ran: no leaderboard.</p>'
    : `<div id="headline" class="headline">${
      boards.tracks.map((b) => `<p><strong>${trackName(b.track)}:</strong> ${esc(b.verdict)}</p>`)
        .join("")
    }</div>`;
  const first = a.tracks[0];
  const top = first
    ? sink.slot(
      rankedFigure(first.across, sink.id("ranked")),
      `${trackName(first.across.track)}: methods sorted by the anytime score (mean over the ` +
        `${first.across.tasks.length} tasks × ${n} seeds, 95% stratified-bootstrap intervals), ` +
        `best at the top; the number is the rank (ties share one). ● / ★: not separable from the ` +
        `leader (paired bootstrap over seeds, 95%); ○: separable; ×: not ranked. ` +
        `${ANYTIME_DEFINITION}.`,
    )
    : "";
  a.tracks.forEach((tr, ti) => {
    const track = tr.across.track;
    const board = boards.tracks.find((b) => b.track === track)!;
    toc.push([`track-${track}`, trackName(track), 0]);
    body.push(`<h2 id="track-${track}">${trackName(track)}</h2>`);
    toc.push([`board-${track}`, "Leaderboard", 1]);
    body.push(`<h3 id="board-${track}">Leaderboard</h3>`, `<p>${esc(board.verdict)}</p>`);
    if (ti > 0) {
      body.push(sink.slot(
        rankedFigure(tr.across, sink.id("ranked")),
        `${trackName(track)}: methods sorted by the anytime score with 95% intervals; ● / ★ not ` +
          `separable from the leader, ○ separable, × not ranked.`,
      ));
    }
    body.push(boardTable(board));
    toc.push([`across-${track}`, "Cross-task statistics", 1]);
    body.push(trackSection(tr, sink, n));
    for (const s of a.summaries.filter((x) => x.task.track === track)) {
      toc.push([`task-${s.task.id}`, `Task ${s.task.id}`, 1]);
      body.push(taskSection(s, sink, n));
    }
  });
  if (a.predict.length > 0) {
    toc.push(["predict", "Predict track", 0]);
    body.push(`<h2 id="predict">Predict track</h2>`, predictPanel(a.predict, sink, meta));
  }
  const online = onlinePanel(a.summaries, sink);
  if (online) [toc.push(["online", "Online methods: in-run track", 0]), body.push(online)];
  for (const x of options.extraSections ?? []) {
    toc.push([x.id, x.title, 0]);
    body.push(x.html);
  }
  const transfer = transferPanel(a.predict, a.summaries, sink);
  if (transfer) [toc.push(["scale-transfer", "Scale transfer", 0]), body.push(transfer)];
  if (a.diagnostics) {
    toc.push(["runner", "Runner diagnostics", 0]);
    body.push(diagnosticsPanel(a.diagnostics, meta, sink));
  }
  const failures = a.summaries.flatMap((s) =>
    s.methods.flatMap((c) =>
      c.failures.map((f) => ({ task: s.task.id, method: c.method.id, ...f }))
    )
  );
  toc.push(["failed", "Failed cells", 0]);
  toc.push(["provenance", "Provenance", 0]);
  const data = JSON.stringify(
    sink.figures.map(({ id, traces, layout }) => ({ id, traces, layout })),
  )
    .replace(/</g, "\\u003c");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>mixbench report — ${esc(meta.suite)} ${esc(meta.commit)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:24px auto;max-width:1100px;color:#222;padding:0 16px}
table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #ddd;padding:3px 8px;text-align:left}
th{background:#f5f5f5}td.n{text-align:right;font-variant-numeric:tabular-nums}
code{background:#f3f3f3;padding:1px 4px;border-radius:3px}.cap{color:#555;margin:4px 0 12px}
figure{margin:8px 0}h2{margin-top:36px;border-bottom:1px solid #ddd}
h1{margin:0 0 6px}.headline p{font-size:16px;margin:4px 0}.flag{color:#a40000}
nav ul{margin:4px 0;padding-left:18px;columns:3;font-size:13px}nav li.sub{margin-left:14px}
details{margin-top:24px}summary{cursor:pointer;font-weight:600}.invalid{color:#a40000}
</style>
<script>${plotly.replace(/<\/script/gi, "<\\/script")}</script>
</head><body>
<h1>mixbench report</h1>
${invalid ? `<p class="invalid"><strong>Invalid run:</strong> ${esc(invalid)}</p>` : ""}
${headline}
${top}
<nav id="toc"><strong>Contents</strong><ul>${
    toc.map(([id, t, d]) =>
      `<li${d ? ' class="sub"' : ""}><a href="#${esc(id)}">${esc(t)}</a></li>`
    ).join("")
  }</ul></nav>
${body.join("\n")}
<h2 id="failed">Failed cells</h2>
${
    failures.length === 0 ? "<p>None: every cell finished.</p>" : table(
      ["task", "method", "seed", "reason"],
      failures.map((f) => [esc(f.task), esc(f.method), String(f.seed), esc(f.message)]),
    )
  }
<details id="provenance"><summary>Provenance: what ran, on what, and how to regenerate it</summary>
${header(meta, options.reportCommand ?? "deno task report DIR")}
</details>
<script type="application/json" id="figures">${data}</script>
<script>
Promise.all(JSON.parse(document.getElementById("figures").textContent).map((f) =>
  Plotly.newPlot(f.id, f.traces, f.layout, {displaylogo: false, responsive: true, staticPlot: false})
)).then(() => { document.body.dataset.rendered = "true"; });
</script>
</body></html>
`;
}

/** The HTML table of a track's overall leaderboard. */
function boardTable(b: TrackBoard): string {
  const f = (x: number) => fmt(x);
  const ci = (e: { point: number; lo: number; hi: number }) =>
    `${f(e.point)} [${f(e.lo)}, ${f(e.hi)}]`;
  const shares = b.overall[0]?.shares.map((x) => x.share) ?? [];
  return table(
    [
      "rank",
      "method",
      "anytime score [95% CI]",
      ...shares.map((x) => `mean @ ${share(x)}`),
      "final mean [95% CI]",
      "final IQM",
      "average rank",
      "note",
    ],
    b.overall.map((r) => [
      r.rank === null ? "—" : String(r.rank),
      `${esc(r.method)}${r.withLeader ? " ★" : ""}`,
      ci(r.anytime),
      ...r.shares.map((x) => f(x.mean)),
      ci(r.final),
      f(r.iqm.point),
      r.avgRank === null ? "—" : r.avgRank.toFixed(2),
      esc(r.note),
    ]),
  ) +
    `<p class="cap">Ordered by the mean anytime score over every (task, seed), ties broken by the ` +
    `final mean, then the method id; equal anytime scores share a rank. ★ = not separable from ` +
    `the leader (95% paired stratified bootstrap of the difference over seeds, no multiplicity ` +
    `correction). "mean @ 1/k": mean gap closed of the recommendation in force at that share of ` +
    `each task's budget. Average rank: over tasks, on the per-task mean anytime score.</p>`;
}

function header(meta: RunMeta, reportCommand: string): string {
  const m = meta.machine;
  const rows: [string, string][] = [
    ["suite", esc(`${meta.suite} (commit ${meta.commit})`)],
    [
      "runtime",
      esc(
        `Deno ${meta.runtime.deno}, V8 ${meta.runtime.v8}, ${meta.runtime.os}; onnxruntime-web ${
          meta.runtime.onnxruntime ?? "not used (no surrogate runner)"
        }`,
      ),
    ],
    [
      "execution",
      esc(
        `${m.device}; execution provider ${m.provider ?? "none (replay)"}; CPU ${m.cpu} ` +
          `(${m.cores} cores); GPU ${m.gpu ?? "none"}`,
      ),
    ],
    ["seeds", esc(`${meta.seeds.length}: ${meta.seeds.join(", ")}`)],
    ["methods", esc(meta.methods.map((x) => x.id + (x.ranked ? "" : " (oracle)")).join(", "))],
    ["regenerate results", `<code>${esc(meta.command)}</code>`],
    ["regenerate this report", `<code>${esc(reportCommand)}</code>`],
  ];
  const tasks = meta.tasks.map((t) => [
    `${esc(t.id)}@${t.version}`,
    esc(t.track),
    esc(t.table),
    `<code title="${esc(t.tableSha256)}">${esc(t.tableSha256.slice(0, 16))}</code>`,
    t.surrogate
      ? `<code title="${esc(t.surrogate.sha256)}">${esc(t.surrogate.sha256.slice(0, 16))}</code>`
      : "—",
    `${esc(t.objective)} (${t.direction})`,
    `${t.budget} ${esc(t.costUnit)}`,
    t.targetPool ? String(t.targetPool.size) : "—",
  ]);
  const predict = meta.predictTasks?.length
    ? table(
      ["predict task", "table", "runs.csv sha256", "objective", "train", "held-out sets"],
      meta.predictTasks.map((t) => [
        `${esc(t.id)}@${t.version}`,
        esc(t.table),
        `<code title="${esc(t.tableSha256)}">${esc(t.tableSha256.slice(0, 16))}</code>`,
        `${esc(t.objective)} (${t.direction})`,
        esc(t.trainFidelity),
        esc(t.sets.map((s) => `${s.name} (${s.fidelity})`).join(", ")),
      ]),
    )
    : "";
  return `<table>${rows.map(([k, v]) => `<tr><th>${k}</th><td>${v}</td></tr>`).join("")}</table>
${
    table(
      [
        "task",
        "track",
        "table",
        "runs.csv sha256",
        "surrogate sha256",
        "objective",
        "budget",
        "target pool",
      ],
      tasks,
    )
  }
${predict}`;
}
