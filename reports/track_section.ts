/**
 * The cross-task section of a track: coverage, mean and IQM with intervals, IQM and average rank
 * over the budget, critical-difference diagrams, win rates, cost-to-target ECDFs, ERT and speed-ups
 * over random search. Every caption is built from the same analysis as its figure.
 *
 * @module
 */

import { ALPHA, RESAMPLES, type TrackAnalysis } from "./across.ts";
import {
  cdFigure,
  ecdfFigure,
  iqmBudgetFigure,
  meanIqmFigure,
  rankFigure,
  speedupFigure,
  standingLabel,
  winRateFigure,
} from "./across_figures.ts";
import type { TrackReport } from "./analysis.ts";
import { esc, type FigureSink, fmt, share, table } from "./_html.ts";
import { RANDOM_SEARCH, type TargetAnalysis } from "./targets.ts";
import type { Speedup } from "./cost_to_target.ts";

/** Renders the cross-task section of one track. */
export function trackSection(r: TrackReport, sink: FigureSink, seeds: number): string {
  const a = r.across;
  const taskList = a.tasks.map((t) => `${t.id}@${t.version}`).join(", ");
  const ranked = a.standings.filter((s) => s.standing === "ranked");
  const apart = a.standings.filter((s) => s.standing !== "ranked");
  const last = a.points[a.points.length - 1]!;
  const grid = a.points.map((p) => share(p.fraction)).join(", ");
  const parts = [
    `<h3 id="across-${a.track}">Cross-task statistics (${a.tasks.length} tasks: ${
      esc(taskList)
    })</h3>`,
    `<p>Ranked (every seed of every task finished): ${
      ranked.map((s) => esc(s.id)).join(", ") || "none"
    }. Shown apart: ${apart.map((s) => esc(standingLabel(s))).join(", ") || "none"}.</p>`,
    sink.slot(
      meanIqmFigure(a, sink.id("meaniqm")),
      `Mean and interquartile mean (IQM) of gap closed at the final budget over all (task, seed) ` +
        `scores of the ${a.tasks.length} tasks × ${seeds} seeds, with 95% stratified-bootstrap ` +
        `percentile intervals (${RESAMPLES} resamples of seeds within each task); ` +
        `${last.methods.length} methods, partial ones over their finished cells only.`,
    ),
    table(
      ["method", ...a.points.map((p) => `mean @ ${share(p.fraction)}`), "IQM @ 1 [95% CI]"],
      last.methods.map((m) => [
        esc(standingLabel(a.standings.find((s) => s.id === m.id)!)),
        ...a.points.map((p) => {
          const e = p.methods.find((x) => x.id === m.id)!.mean;
          return `${fmt(e.point)} [${fmt(e.lo)}, ${fmt(e.hi)}]`;
        }),
        `${fmt(m.iqm.point)} [${fmt(m.iqm.lo)}, ${fmt(m.iqm.hi)}]`,
      ]),
    ),
    sink.slot(
      iqmBudgetFigure(a, sink.id("iqm")),
      `IQM of gap closed at budget shares ${grid} of each task's budget (the recommendation of the ` +
        `last checkpoint within the share), with 95% stratified-bootstrap bands.`,
    ),
  ];
  if (ranked.length > 0) {
    parts.push(sink.slot(
      rankFigure(a, sink.id("rank")),
      `Average rank over the ${a.tasks.length} tasks (per task, methods ranked on their mean gap ` +
        `closed over seeds; 1 = best, ties averaged) at budget shares ${grid}; ` +
        `${ranked.length} ranked methods.`,
    ));
    parts.push(`<h4>Critical-difference diagrams (Friedman + Nemenyi, α = ${ALPHA})</h4>`);
    const pr = a.ranking.ranks;
    const pf = pr.friedman;
    parts.push(sink.slot(
      cdFigure(a, pr, sink.id("cd")),
      `Primary score (anytime): average rank over the ${a.tasks.length} tasks of the per-task mean ` +
        `anytime score. ` +
        (pf
          ? `Friedman χ² = ${fmt(pf.statistic)} (${pf.k - 1} d.f., N = ${pf.n}), p = ${
            pf.pValue.toPrecision(3)
          }; Nemenyi CD = ${fmt(pr.cd!)}. ` +
            (pf.pValue < ALPHA
              ? `Bars join methods whose average ranks differ by less than the CD.`
              : `Not significant at α = ${ALPHA}: no pairwise difference is claimed (one bar joins all).`)
          : `No rank test: it needs at least 2 tasks and 2 ranked methods.`),
    ));
    for (const p of a.points) {
      const rk = p.ranks;
      const f = rk.friedman;
      const cap = f
        ? `Budget share ${share(p.fraction)}: Friedman χ² = ${fmt(f.statistic)} ` +
          `(${f.k - 1} d.f., N = ${f.n} tasks), p = ${f.pValue.toPrecision(3)}; Nemenyi CD = ` +
          `${fmt(rk.cd!)} (k = ${f.k}). ` +
          (f.pValue < ALPHA
            ? `Bars join methods whose average ranks differ by less than the CD: ${
              rk.cliques.map((g) => `{${g.join(", ")}}`).join(", ") || "none"
            }.`
            : `Not significant at α = ${ALPHA}: no pairwise difference is claimed (one bar joins all).`)
        : `Budget share ${
          share(p.fraction)
        }: average ranks only — a Friedman test needs at least 2 ` +
          `tasks and 2 ranked methods (here ${a.tasks.length} and ${rk.methods.length}).`;
      parts.push(sink.slot(cdFigure(a, p, sink.id("cd")), cap));
    }
    if (ranked.length > 1) {
      parts.push(sink.slot(
        winRateFigure(a, sink.id("winrate")),
        `Pairwise win rates at the final budget among the ${ranked.length} ranked methods: cell ` +
          `(row, column) = mean over the ${a.tasks.length} tasks of the probability that a seed of ` +
          `the row method scores higher than a seed of the column method (all seed pairs, ties ½).`,
      ));
    }
  }
  parts.push(targetsPart(r.targets, a, sink));
  return parts.join("\n");
}

function targetsPart(t: TargetAnalysis, a: TrackAnalysis, sink: FigureSink): string {
  const levels = t.levels.map((q) => (q === 1 ? "best" : `p${Math.round(q * 100)}`)).join(", ");
  const out = [
    `<h4>Cost to target</h4>`,
    sink.slot(
      ecdfFigure(a, t, sink.id("ecdf")),
      `Run-length ECDF (COCO style): share of (task, seed, level) attempts whose recommendation ` +
        `reached the level by a given cost, cost as a share of the task's budget (log scale); levels ` +
        `= target-pool quantiles ${levels} of each task. Costs are resolved at the budget ` +
        `checkpoints; attempts reached at cost 0 (zero-shot methods) are drawn at the left edge ` +
        `(${t.xMin.toPrecision(2)}). ${t.ecdfs.length} methods.`,
    ),
  ];
  const rows = t.tasks.flatMap((x) =>
    x.methods.map((m) => [
      `${esc(x.task.id)}`,
      esc(standingLabel(a.standings.find((s) => s.id === m.id)!)),
      ...m.levels.flatMap((l) => [
        `${l.successes}/${l.n}`,
        fmt(l.ert, 3),
        speedText(l.speedup),
      ]),
    ])
  );
  const head = t.tasks[0]?.methods[0]?.levels.flatMap((l) => {
    const n = l.q === 1 ? "best" : `p${Math.round(l.q * 100)}`;
    return [`reached ${n}`, `ERT ${n}`, `speed-up ${n}`];
  }) ?? [];
  out.push(
    `<p>ERT = (cost until success over the seeds that reached the level + total cost of the seeds ` +
      `that did not) ÷ successful seeds, in each task's cost unit; ∞ when no seed reached it. ` +
      `Speed-up = ERT(${RANDOM_SEARCH}) ÷ ERT(method); "≥ x" when random search never reached the ` +
      `level (x = its total cost ÷ the method's ERT); "—" when the method never did; "n/a (zero-shot)" ` +
      `when the method reached it at cost 0 (no runs spent, so no ratio).</p>`,
    table(["task", "method", ...head], rows),
  );
  if (t.random) {
    const fig = speedupFigure(t, sink.id("speedup"));
    out.push(sink.slot(
      fig,
      `Speed-up over ${RANDOM_SEARCH} per method (bars: task · level), exact ratios only ` +
        `(${fig.expect.points} bars); infinite, lower-bound and undefined speed-ups are in the ` +
        `table above.`,
    ));
  } else {
    out.push(`<p>No speed-ups: ${RANDOM_SEARCH} did not run on these tasks.</p>`);
  }
  return out.join("\n");
}

function speedText(s: Speedup | null): string {
  if (!s) return "";
  if (s.kind === "undefined") return "—";
  if (s.ratio === Infinity) return "n/a (zero-shot)";
  return s.kind === "lower-bound" ? `≥ ${fmt(s.ratio, 2)}×` : `${fmt(s.ratio, 2)}×`;
}
