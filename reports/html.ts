/**
 * The self-contained HTML report: plotly.js inlined (opens with no network); a header saying
 * exactly what ran and how to regenerate it; per track the per-task views (anytime curves,
 * mixtures) and the cross-task comparison; the Predict, Transfer and runner-diagnostics panels
 * when those ran; and the failed cells with their reasons.
 *
 * @module
 */

import type { Analysis } from "./analysis.ts";
import { esc, FigureSink, table } from "./_html.ts";
import { integrityProblem, type RunMeta } from "./meta.ts";
import { diagnosticsPanel, predictPanel, transferPanel } from "./panels.ts";
import { taskSection } from "./task_section.ts";
import { trackSection } from "./track_section.ts";

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
  const toc: [string, string][] = [];
  const invalid = integrityProblem(meta);
  if (invalid) body.push(`<p class="invalid"><strong>Invalid run:</strong> ${esc(invalid)}</p>`);
  for (const tr of a.tracks) {
    const track = tr.across.track;
    toc.push([`track-${track}`, `${track === "optimize" ? "Optimize" : "Transfer"} track`]);
    body.push(
      `<h2 id="track-${track}">${track === "optimize" ? "Optimize" : "Transfer"} track</h2>`,
    );
    for (const s of a.summaries.filter((x) => x.task.track === track)) {
      body.push(taskSection(s, sink, n));
    }
    body.push(trackSection(tr, sink, n));
  }
  if (a.predict.length > 0) {
    toc.push(["predict", "Predict"]);
    body.push(`<h2 id="predict">Predict</h2>`, predictPanel(a.predict, sink));
  }
  const transfer = transferPanel(a.predict, a.summaries, sink);
  if (transfer) [toc.push(["transfer", "Transfer"]), body.push(transfer)];
  if (a.diagnostics) {
    toc.push(["runner", "Runner diagnostics"]);
    body.push(diagnosticsPanel(a.diagnostics, meta, sink));
  }
  const failures = a.summaries.flatMap((s) =>
    s.methods.flatMap((c) =>
      c.failures.map((f) => ({ task: s.task.id, method: c.method.id, ...f }))
    )
  );
  toc.push(["failed", "Failed cells"]);
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
</style>
<script>${plotly.replace(/<\/script/gi, "<\\/script")}</script>
</head><body>
<h1>mixbench report</h1>
${header(meta, options.reportCommand ?? "deno task report DIR")}
<nav><p>${toc.map(([id, t]) => `<a href="#${id}">${esc(t)}</a>`).join(" · ")}</p></nav>
${body.join("\n")}
<h2 id="failed">Failed cells</h2>
${
    failures.length === 0 ? "<p>None: every cell finished.</p>" : table(
      ["task", "method", "seed", "reason"],
      failures.map((f) => [esc(f.task), esc(f.method), String(f.seed), esc(f.message)]),
    )
  }
<script type="application/json" id="figures">${data}</script>
<script>
Promise.all(JSON.parse(document.getElementById("figures").textContent).map((f) =>
  Plotly.newPlot(f.id, f.traces, f.layout, {displaylogo: false, responsive: true, staticPlot: false})
)).then(() => { document.body.dataset.rendered = "true"; });
</script>
</body></html>
`;
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
