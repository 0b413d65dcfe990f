/**
 * The per-task section of the report: the anytime curve with its caption and final-budget table,
 * and the mixture views (stacked recommended mixtures; entropy, KL to the prior and distance to
 * the best known mixture). Captions are built from the same summaries as the figures.
 *
 * @module
 */

import { entropy, klDivergence, l1Distance } from "../core/mixture.ts";
import { median } from "../numerics/stats/summary.ts";
import { type CellSummary, finalScore, type TaskSummary } from "./aggregate.ts";
import { esc, type FigureSink, fmt, table } from "./_html.ts";
import { anytimeFigure, methodLabel, mixtureBars, mixtureFigure, noiseFloor } from "./figures.ts";
import { cellRow } from "./leaderboard.ts";

/** Mixture statistics of one method's final recommendations (medians over seeds). */
export interface MixtureStats {
  readonly method: string;
  readonly entropy: number;
  readonly klToPrior: number;
  readonly l1ToBest: number;
  /** Distinct mixtures recommended over the seeds. */
  readonly distinct: number;
}

/** Mixture statistics of every method with finished seeds. */
export function mixtureStats(s: TaskSummary): MixtureStats[] {
  const t = s.task;
  return s.methods.flatMap((c) => {
    const mixes = c.lines.flatMap((l) => {
      const m = l.checkpoints[l.checkpoints.length - 1]?.mixture;
      return m ? [m] : [];
    });
    if (mixes.length === 0) return [];
    return [{
      method: c.method.ranked ? c.method.id : `${c.method.id} (oracle)`,
      entropy: median(mixes.map(entropy)),
      klToPrior: t.prior ? median(mixes.map((m) => klDivergence(m, t.prior!))) : NaN,
      l1ToBest: t.bestMixture ? median(mixes.map((m) => l1Distance(m, t.bestMixture!))) : NaN,
      distinct: new Set(mixes.map((m) => m.join(","))).size,
    }];
  });
}

/** Renders one task's section. */
export function taskSection(s: TaskSummary, sink: FigureSink, seeds: number): string {
  const t = s.task;
  const fig = anytimeFigure(s, 0, seeds);
  const figure = { ...fig, id: sink.id("anytime") };
  const ranked = s.methods.filter((c) => c.method.ranked && c.ok > 0);
  const best = [...ranked].sort((a, b) => finalScore(b) - finalScore(a))[0];
  const plotted = s.methods.filter((c) => c.curve.some((p) => p.n > 0));
  const partial = plotted.filter((c) => c.method.ranked && c.ok < seeds);
  const floor = noiseFloor(s);
  const caption =
    `Gap closed by each method's recommendation against cumulative cost (log scale), ${t.id}@${t.version}: ` +
    (t.surrogate && t.surrogate.card.region
      ? `0 = the mean ${t.objective} of the table's ${t.targetFidelity} runs (${
        fmt(t.reference.zero, 4)
      }), 1 = the best known value (${
        fmt(t.reference.best, 4)
      }: the better of the table's best run and a 1e6-sample search on the surrogate inside ` +
        `its trust region; recommendations outside the region score the table's worst run). `
      : t.surrogate
      ? `0 = ${t.objective} of the uniform mixture on the surrogate (${
        fmt(t.reference.zero, 4)
      }), 1 = the best known value (${
        fmt(t.reference.best, 4)
      }: the better of the table's best run and a 1e6-sample search on the surrogate). `
      : `0 = the ${t.targetFidelity} target pool's mean ${t.objective} (${
        fmt(t.reference.zero, 4)
      }), 1 = its best (${fmt(t.reference.best, 4)}). `) +
    `Lines: median over the finished seeds of ${seeds}; ` +
    `bands: 25th–75th percentiles; ${plotted.length} methods plotted` +
    (partial.length ? ` (partial, labelled: ${partial.map((c) => c.method.id).join(", ")})` : "") +
    ". " +
    (floor !== null
      ? `Noise floor (dashed): 1 − σ/|f₀ − f*| = ${fmt(floor)}, σ = ${
        fmt(t.noise!.sd, 4)
      } pooled ` +
        `over ${t.noise!.groups} repeated mixtures.`
      : "Noise floor unknown: the table has no repeated runs of one mixture at the target fidelity.") +
    (best
      ? ` Best ranked method at the final budget: ${best.method.id} (${fmt(finalScore(best))}).`
      : "");
  const rows = [...s.methods]
    .map((c) => ({ c, r: cellRow(c, t) }))
    .sort((a, b) =>
      (b.r.anytime || -Infinity) - (a.r.anytime || -Infinity) ||
      (finalScore(b.c) || -Infinity) - (finalScore(a.c) || -Infinity) ||
      (a.c.method.id < b.c.method.id ? -1 : 1)
    )
    .map(({ c, r }) => methodRow(c, seeds, r));
  const flagged = s.methods.filter((c) => cellRow(c, t).degenerate > 0);
  return `<section class="task" id="task-${esc(t.id)}">
<h3>Task ${esc(t.id)}@${t.version}: ${esc(t.title)}</h3>
<p>Track ${t.track}; objective <code>${esc(t.objective)}</code> (${t.direction}) at ${
    esc(t.targetFidelity)
  }; budget ${t.budget} ${esc(t.costUnit)}${
    t.targetPool ? `; target pool of ${t.targetPool.size} mixtures` : ""
  }.</p>
${sink.slot(figure, caption)}
${
    table(
      [
        "method",
        "anytime score (median [q25, q75] over seeds)",
        `gap closed at ${t.budget} (median [q25, q75])`,
        `${esc(t.objective)} (median)`,
        "runs used (median)",
        "seeds ok / failed",
        "flags",
      ],
      rows,
    )
  }
<p class="cap">Sorted by the median anytime score (normalised log-cost area of the curve above), ` +
    `then the final score, then the method id. "deterministic on this task": every seed recorded ` +
    `the same scores, so there is no spread over seeds to show.${
      flagged.length
        ? ` <strong>Degenerate fits</strong> (the method's predictor was constant or rank-deficient ` +
          `when it made its final recommendation; a constant predictor's pick is the tie-break, ` +
          `the candidate nearest to the prior): ${esc(flagged.map((c) => c.method.id).join(", "))}.`
        : ""
    }</p>
${mixtureView(s, sink)}
</section>`;
}

function methodRow(c: CellSummary, seeds: number, r: ReturnType<typeof cellRow>): string[] {
  const last = c.curve[c.curve.length - 1]!;
  return [
    esc(methodLabel(c, seeds)),
    r.deterministic
      ? `${fmt(r.anytime)} (deterministic on this task)`
      : `${fmt(r.anytime)} [${fmt(r.anytimeQ25)}, ${fmt(r.anytimeQ75)}]`,
    r.deterministic ? fmt(last.median) : `${fmt(last.median)} [${fmt(last.q25)}, ${fmt(last.q75)}]`,
    fmt(c.finalValue, 4),
    fmt(c.evaluations, 0),
    `${c.ok} / ${c.failures.length}`,
    r.degenerateNote ? `<span class="flag">${esc(r.degenerateNote)}</span>` : "",
  ];
}

function mixtureView(s: TaskSummary, sink: FigureSink): string {
  const bars = mixtureBars(s);
  if (!bars) return "<p>Mixture views need the domain names in run.json (not recorded).</p>";
  const stats = mixtureStats(s);
  const other = bars.stacks.find((x) => x.name.startsWith("other ("));
  const caption = `Recommended mixtures at the final budget of ${s.task.id}@${s.task.version}, ` +
    `mean over finished seeds, for ${bars.categories.length} bars (${
      bars.categories.join(", ")
    }); ` +
    `${bars.stacks.length} stacks` +
    (other ? `, domains below 2% in every bar summed as "${other.name}"` : ", every domain shown") +
    `. Table: medians over seeds of the entropy (nats; uniform = ${
      fmt(Math.log(s.task.domains!.length))
    }), KL(recommendation ‖ prior) in nats, and the L1 distance to the best known mixture.`;
  return `<h4>Recommended mixtures</h4>
${sink.slot(mixtureFigure(bars, sink.id("mixture")), caption)}
${
    table(
      ["method", "entropy (nats)", "KL to prior (nats)", "L1 to best known", "distinct mixtures"],
      stats.map((m) => [
        esc(m.method),
        fmt(m.entropy),
        fmt(m.klToPrior),
        fmt(m.l1ToBest),
        String(m.distinct),
      ]),
    )
  }`;
}
