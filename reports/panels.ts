/**
 * Optional panels of the report: Predict (predicted-vs-true scatter and scores per held-out set),
 * Transfer (pairwise decision accuracy on sets at another scale, regret on Transfer-track tasks)
 * and runner diagnostics (table vs surrogate answers, OOD scores, clipping, the surrogate card).
 *
 * @module
 */

import { median } from "../numerics/stats/summary.ts";
import type { TaskSummary } from "./aggregate.ts";
import type { RunnerDiagnostics } from "./diagnostics.ts";
import { color, figure } from "./figures.ts";
import { esc, type FigureSink, fmt, table } from "./_html.ts";
import type { RunMeta } from "./meta.ts";
import type { PredictTaskSummary, Spread } from "./predict_summary.ts";

const spread = (s: Spread, d = 3) => `${fmt(s.median, d)} [${fmt(s.q25, d)}, ${fmt(s.q75, d)}]`;

/** Colour of a method by its index in run.json's method list (the same in every figure). */
function methodColor(meta: RunMeta | undefined, id: string, fallback: number): string {
  const k = meta?.methods.findIndex((m) => m.id === id) ?? -1;
  return color(k >= 0 ? k : fallback);
}

/** The Predict panel: one block per Predict-track task. */
export function predictPanel(
  tasks: readonly PredictTaskSummary[],
  sink: FigureSink,
  meta?: RunMeta,
): string {
  return tasks.map((t) => {
    const rows = t.sets.flatMap((s) =>
      s.methods.map((m) => [
        `${esc(s.name)} (${esc(s.fidelity)}, n = ${s.n})`,
        esc(m.id),
        String(m.seeds),
        spread(m.scores.spearman),
        spread(m.scores.kendall),
        spread(m.scores.pearson),
        spread(m.scores.mae, 4),
        spread(m.scores.top10Recall),
        spread(m.scores.decisionAccuracy),
      ])
    );
    const failures = t.coverage.flatMap((c) => c.failures.map((f) => `${c.id} ${f}`));
    const scatters = t.sets.map((s) => {
      const finite = (xs: readonly number[]) => xs.filter(Number.isFinite);
      const truth = finite(s.methods.flatMap((m) => m.sample.truth));
      const pred = finite(s.methods.flatMap((m) => m.sample.predicted));
      const all = [...truth, ...pred];
      const lo = Math.min(...all), hi = Math.max(...all);
      const pad = (xs: number[]) => {
        const a = Math.min(...xs), b = Math.max(...xs);
        const p = (b - a) * 0.05 || Math.abs(b) * 0.05 || 0.05;
        return [a - p, b + p];
      };
      const traces: Record<string, unknown>[] = s.methods.map((m, k) => ({
        x: m.sample.truth,
        y: m.sample.predicted,
        mode: "markers",
        name: m.id,
        marker: { size: 5, color: methodColor(meta, m.id, k), opacity: 0.7 },
      }));
      traces.push({
        x: [lo, hi],
        y: [lo, hi],
        mode: "lines",
        name: "y = x",
        line: { color: "#999", dash: "dash" },
      });
      const cap =
        `Predicted vs true ${t.id} objective on held-out set "${s.name}" (${s.fidelity}, ` +
        `${s.n} runs), first scored seed of each method; Spearman ρ (median over seeds): ` +
        s.methods.map((m) => `${m.id} ${fmt(m.scores.spearman.median)}`).join(", ") + ".";
      return sink.slot(
        figure(sink.id("predict"), traces, {
          height: 360,
          margin: { l: 60, r: 20, t: 10, b: 50 },
          // Axis ranges from the points (the y = x line is clipped to them).
          xaxis: { title: { text: "true" }, ...(truth.length ? { range: pad(truth) } : {}) },
          yaxis: { title: { text: "predicted" }, ...(pred.length ? { range: pad(pred) } : {}) },
        }),
        cap,
      );
    });
    return `<h3 id="predict-${esc(t.id)}">${esc(t.id)}@${t.version}</h3>
${
      table(
        [
          "set",
          "method",
          "seeds",
          "Spearman ρ",
          "Kendall τ",
          "Pearson r",
          "MAE",
          "top-10% recall",
          "decision accuracy",
        ],
        rows,
      )
    }
<p class="cap">Medians [25th, 75th percentiles] over seeds, recomputed from each line's truth and prediction arrays.${
      failures.length ? ` Failed: ${esc(failures.join("; "))}.` : ""
    }</p>
${scatters.join("\n")}`;
  }).join("\n");
}

/** The Transfer panel, or "" when neither transfer sets nor Transfer-track tasks ran. */
export function transferPanel(
  predict: readonly PredictTaskSummary[],
  summaries: readonly TaskSummary[],
  sink: FigureSink,
): string {
  const sets = predict.flatMap((t) => t.sets.filter((s) => s.transfer).map((s) => ({ t, s })));
  const tasks = summaries.filter((s) => s.task.track === "transfer");
  if (sets.length === 0 && tasks.length === 0) return "";
  const out = [
    '<h2 id="scale-transfer">Scale transfer</h2>',
    "<p>Predictions judged at another scale than the training runs (Predict sets) and the regret " +
    "of the Transfer-track tasks' recommendations; the Transfer track's ranking is in its own " +
    "section above.</p>",
  ];
  if (sets.length > 0) {
    const ids = [...new Set(sets.flatMap(({ s }) => s.methods.map((m) => m.id)))];
    const traces = sets.map(({ t, s }, k) => ({
      type: "bar",
      name: `${t.id} · ${s.name}`,
      x: ids,
      y: ids.map((id) =>
        s.methods.find((m) => m.id === id)?.scores.decisionAccuracy.median ?? null
      ),
      marker: { color: color(k) }, // one bar series per (task, set), not per method
    }));
    out.push(sink.slot(
      figure(sink.id("transfer"), traces, {
        barmode: "group",
        height: 340,
        margin: { l: 60, r: 20, t: 10, b: 80 },
        yaxis: { title: { text: "decision accuracy (median)" }, range: [0, 1] },
      }),
      `Pairwise decision accuracy on ${sets.length} held-out set(s) at another scale than the ` +
        `training runs: the share of pairs of mixtures with different true values that the ` +
        `method's predictor orders correctly (ties in the prediction ½); 0.5 = chance. ` +
        `Median over seeds; ${ids.length} methods.`,
    ));
    out.push(table(
      ["task · set", "method", "decision accuracy", "Spearman ρ"],
      sets.flatMap(({ t, s }) =>
        s.methods.map((m) => [
          `${esc(t.id)} · ${esc(s.name)}`,
          esc(m.id),
          spread(m.scores.decisionAccuracy),
          spread(m.scores.spearman),
        ])
      ),
    ));
  }
  for (const s of tasks) {
    const t = s.task;
    const sign = t.direction === "minimize" ? 1 : -1;
    out.push(
      `<h3>Regret of ${esc(t.id)}@${t.version} at ${esc(t.targetFidelity)}</h3>`,
      table(
        ["method", `regret (${esc(t.objective)}, median over seeds)`, "seeds"],
        s.methods.filter((c) => c.lines.length > 0).map((c) => [
          esc(c.method.ranked ? c.method.id : `${c.method.id} (oracle)`),
          fmt(
            median(c.lines.map((l) => sign * (l.checkpoints.at(-1)!.value - t.reference.best))),
            4,
          ),
          String(c.lines.length),
        ]),
      ),
    );
  }
  return out.join("\n");
}

/** The runner-diagnostics panel (only called when a surrogate answered). */
export function diagnosticsPanel(
  rows: readonly RunnerDiagnostics[],
  meta: RunMeta,
  sink: FigureSink,
): string {
  const x = rows.map((r) => `${r.task} · ${r.method}`);
  const fig = figure(sink.id("runner"), [
    { type: "bar", name: "table", x, y: rows.map((r) => r.table / r.answers) },
    { type: "bar", name: "surrogate", x, y: rows.map((r) => r.surrogate / r.answers) },
  ], {
    barmode: "stack",
    height: 340,
    margin: { l: 60, r: 20, t: 10, b: 120 },
    yaxis: { title: { text: "share of answers" }, range: [0, 1] },
  });
  const total = rows.reduce((a, r) => a + r.surrogate, 0);
  const cards = meta.tasks.filter((t) => t.surrogate).map((t) =>
    `<h4>Surrogate card: ${esc(t.id)}@${t.version}</h4>${
      table(["field", "value"], [
        ["sha256", `<code>${esc(t.surrogate!.sha256)}</code>`],
        ...Object.entries(t.surrogate!.card).map(([k, v]) => [esc(k), esc(JSON.stringify(v))]),
      ])
    }`
  );
  return `<h2 id="runner">Runner diagnostics</h2>
${
    sink.slot(
      fig,
      `Share of answers from the table and from the surrogate per task and method (${rows.length} ` +
        `pairs; ${total} surrogate answers in all, every step of every finished seed counted).`,
    )
  }
${
    table(
      [
        "task",
        "method",
        "answers",
        "table",
        "surrogate",
        "OOD median",
        "OOD p90",
        "OOD max",
        "spread median",
        "clipped answers",
        "clipped metrics",
        "in-region",
        "score > 1",
      ],
      rows.map((r) => [
        esc(r.task),
        esc(r.method),
        String(r.answers),
        String(r.table),
        String(r.surrogate),
        fmt(r.ood.median),
        fmt(r.ood.p90),
        fmt(r.ood.max),
        fmt(r.spread),
        String(r.clippedAnswers),
        String(r.clippedMetrics),
        inRegionCell(r),
        r.above1 > 0
          ? `<strong title="better than f*: check the surrogate">⚠ ${r.above1}</strong>`
          : "0",
      ]),
    )
  }
<p>In-region: final recommendations (one per finished seed) inside the surrogate's trust region,
of those whose runner records it; outside, the task's out-of-region policy scored them. Score &gt; 1:
final recommendations better than f*, flagged — usually a method exploiting the surrogate.</p>
${cards.join("\n") || "<p>No surrogate card recorded in run.json.</p>"}`;
}

function inRegionCell(r: RunnerDiagnostics): string {
  const { inRegion, outOfRegion, unknown } = r.recommendations;
  const known = inRegion + outOfRegion;
  if (known === 0) return unknown ? "—" : "0";
  const text = `${inRegion}/${known}`;
  return outOfRegion > 0 ? `<strong>${text}</strong>` : text;
}
