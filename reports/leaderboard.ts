/**
 * Leaderboards (`leaderboard.md`, `leaderboard.json`) per track and task set. Optimize and
 * Transfer: across the track's tasks, methods by the IQM of gap closed at the final budget (with
 * the mean, 95% stratified-bootstrap intervals and the average rank); per task, by the median
 * over seeds. Predict: per task and held-out set, by the median Spearman ρ. Only methods with
 * every seed finished on every task of the set (and not oracles) are ranked; the others are listed
 * apart with a note.
 *
 * @module
 */

import type { Estimate } from "./bootstrap.ts";
import type { Analysis } from "./analysis.ts";
import { finalScore } from "./aggregate.ts";
import type { RunMeta } from "./meta.ts";

/** One row of a per-task table. */
export interface BoardRow {
  /** Rank (1 = best), or null when not ranked (oracle, partial coverage). */
  readonly rank: number | null;
  readonly method: string;
  readonly score: number;
  readonly q25: number;
  readonly q75: number;
  readonly note: string;
}

/** One row of a task set's overall table. */
export interface OverallRow {
  readonly rank: number | null;
  readonly method: string;
  readonly iqm: Estimate;
  readonly mean: Estimate;
  /** Average rank at the final budget (null when not ranked). */
  readonly avgRank: number | null;
  readonly note: string;
}

/** A track's leaderboard over its task set. */
export interface TrackBoard {
  readonly track: "optimize" | "transfer";
  /** The task set, `id@version`. */
  readonly taskSet: readonly string[];
  readonly overall: readonly OverallRow[];
  readonly tasks: readonly { readonly task: string; readonly rows: readonly BoardRow[] }[];
}

/** One row of a Predict-track table (medians over seeds). */
export interface PredictRow {
  readonly rank: number | null;
  readonly method: string;
  readonly seeds: number;
  readonly spearman: number;
  readonly kendall: number;
  readonly mae: number;
  readonly top10Recall: number;
  readonly decisionAccuracy: number;
  readonly note: string;
}

/** The Predict track's leaderboard of one task. */
export interface PredictBoard {
  readonly track: "predict";
  readonly task: string;
  readonly sets: readonly {
    readonly set: string;
    readonly fidelity: string;
    readonly transfer: boolean;
    readonly rows: readonly PredictRow[];
  }[];
}

function rankBy<T extends { rank: number | null }>(
  rows: readonly (Omit<T, "rank"> & { eligible: boolean; key: number })[],
): T[] {
  const ranked = rows.filter((r) => r.eligible).sort((a, b) => b.key - a.key);
  const rest = rows.filter((r) => !r.eligible);
  return [
    ...ranked.map((r, i) => strip(r, i + 1)),
    ...rest.map((r) => strip(r, null)),
  ] as unknown as T[];
}

function strip<R extends { eligible: boolean; key: number }>(r: R, rank: number | null) {
  const { eligible: _e, key: _k, ...rest } = r;
  return { rank, ...rest };
}

/** Builds the optimise/transfer leaderboards and the Predict leaderboards of an analysis. */
export function leaderboards(a: Analysis): { tracks: TrackBoard[]; predict: PredictBoard[] } {
  const seeds = a.meta.seeds.length;
  const tracks = a.tracks.map(({ across }): TrackBoard => {
    const last = across.points[across.points.length - 1]!;
    const note = (id: string) => {
      const s = across.standings.find((x) => x.id === id)!;
      return s.standing === "oracle"
        ? "oracle, not ranked"
        : s.standing === "partial"
        ? `partial: ${s.cells}/${s.total} cells`
        : "";
    };
    const overall = rankBy<OverallRow>(last.methods.map((m) => {
      const i = last.ranks.methods.indexOf(m.id);
      return {
        method: m.id,
        iqm: m.iqm,
        mean: m.mean,
        avgRank: i >= 0 ? last.ranks.avgRank[i]! : null,
        note: note(m.id),
        eligible: note(m.id) === "",
        key: m.iqm.point,
      };
    }));
    const sums = a.summaries.filter((s) => s.task.track === across.track);
    return {
      track: across.track,
      taskSet: across.tasks.map((t) => `${t.id}@${t.version}`),
      overall,
      tasks: sums.map((s) => ({
        task: `${s.task.id}@${s.task.version}`,
        rows: rankBy<BoardRow>(s.methods.map((c) => {
          const p = c.curve[c.curve.length - 1]!;
          const eligible = note(c.method.id) === "";
          return {
            method: c.method.id,
            score: finalScore(c),
            q25: p.q25,
            q75: p.q75,
            note: !c.method.ranked
              ? "oracle, not ranked"
              : eligible
              ? ""
              : `partial: ${c.ok} seeds ok${c.ok === seeds ? " (not every task)" : ""}`,
            eligible,
            key: finalScore(c),
          };
        })),
      })),
    };
  });
  const predict = a.predict.map((t): PredictBoard => ({
    track: "predict",
    task: `${t.id}@${t.version}`,
    sets: t.sets.map((s) => ({
      set: s.name,
      fidelity: s.fidelity,
      transfer: s.transfer,
      rows: rankBy<PredictRow>(s.methods.map((m) => {
        const ok = (t.coverage.find((c) => c.id === m.id)?.ok ?? 0) === seeds && m.seeds === seeds;
        return {
          method: m.id,
          seeds: m.seeds,
          spearman: m.scores.spearman.median,
          kendall: m.scores.kendall.median,
          mae: m.scores.mae.median,
          top10Recall: m.scores.top10Recall.median,
          decisionAccuracy: m.scores.decisionAccuracy.median,
          note: ok ? "" : `partial: ${m.seeds} seeds ok`,
          eligible: ok,
          key: m.scores.spearman.median,
        };
      })),
    })),
  }));
  return { tracks, predict };
}

const f = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : "—");
const ci = (e: Estimate) => `${f(e.point)} [${f(e.lo)}, ${f(e.hi)}]`;

/** Renders the leaderboards as markdown. */
export function leaderboardMarkdown(
  meta: RunMeta,
  boards: { tracks: readonly TrackBoard[]; predict: readonly PredictBoard[] },
): string {
  const out = [
    "# mixbench leaderboard",
    "",
    `Suite ${meta.suite}, commit \`${meta.commit}\`, ${meta.seeds.length} seeds. ` +
    "Score = gap closed by the recommendation at the final budget: 0 = the target pool's mean " +
    "(a random pick), 1 = the pool's best" +
    (meta.tasks.some((t) => t.surrogate?.card.region)
      ? " (continuous tasks: 0 = the mean of the table's runs at the target fidelity, 1 = the " +
        "better of the table's best run and a 1e6-sample search on the surrogate inside its " +
        "trust region; a recommendation outside the region scores the table's worst run)"
      : meta.tasks.some((t) => t.surrogate)
      ? " (continuous tasks: 0 = the uniform mixture on the surrogate, 1 = the better of the " +
        "table's best run and a 1e6-sample search on the surrogate)"
      : "") +
    ". Across a track's tasks: interquartile mean (IQM) and " +
    "mean of all (task, seed) scores with 95% stratified-bootstrap intervals, and the average " +
    "rank over tasks; per task: median over seeds [25th, 75th percentiles]. Only methods with " +
    "every seed finished on every task of the set are ranked; oracles are never ranked.",
    "",
    `Regenerate: \`${meta.command}\``,
  ];
  for (const b of boards.tracks) {
    out.push("", `## ${b.track === "optimize" ? "Optimize" : "Transfer"} track`, "");
    out.push(`### Across tasks (${b.taskSet.join(", ")})`, "");
    out.push(
      "| rank | method | IQM [95% CI] | mean [95% CI] | average rank | note |",
      "|---:|---|---|---|---:|---|",
      ...b.overall.map((r) =>
        `| ${r.rank ?? "—"} | ${r.method} | ${ci(r.iqm)} | ${ci(r.mean)} | ${
          r.avgRank === null ? "—" : r.avgRank.toFixed(2)
        } | ${r.note} |`
      ),
    );
    for (const t of b.tasks) {
      out.push(
        "",
        `### ${t.task}`,
        "",
        "| rank | method | score median [q25, q75] | note |",
        "|---:|---|---|---|",
        ...t.rows.map((r) =>
          `| ${r.rank ?? "—"} | ${r.method} | ${f(r.score)} [${f(r.q25)}, ${
            f(r.q75)
          }] | ${r.note} |`
        ),
      );
    }
  }
  for (const p of boards.predict) {
    out.push("", `## Predict track: ${p.task}`);
    for (const s of p.sets) {
      out.push(
        "",
        `### ${s.set} (${s.fidelity}${s.transfer ? ", transfer" : ""})`,
        "",
        "| rank | method | Spearman ρ | Kendall τ | MAE | top-10% recall | decision accuracy | note |",
        "|---:|---|---:|---:|---:|---:|---:|---|",
        ...s.rows.map((r) =>
          `| ${r.rank ?? "—"} | ${r.method} | ${f(r.spearman)} | ${f(r.kendall)} | ${
            r.mae.toPrecision(3)
          } | ${f(r.top10Recall)} | ${f(r.decisionAccuracy)} | ${r.note} |`
        ),
      );
    }
  }
  return out.join("\n") + "\n";
}
