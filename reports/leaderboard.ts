/**
 * Leaderboards (`leaderboard.md`, `leaderboard.json`) per track and task set. Optimize and
 * Transfer: across the track's tasks, methods ordered by the mean anytime score (normalised area
 * under gap closed against log cost, reports/anytime.ts) over every (task, seed), ties broken by
 * the mean final-budget score and then the method id; methods with equal anytime scores share a
 * rank. Each row carries 95% stratified-bootstrap intervals, the scores at budget shares, the
 * average rank over tasks, and whether the method is separable from the leader (paired
 * stratified bootstrap over seeds). Per task: by the median anytime score over seeds (same
 * tie-breaks), with the spread over seeds or "deterministic on this task". Predict: per task and
 * held-out set, by the median Spearman ρ. Only methods with every seed finished on every task of
 * the set (and not oracles) are ranked; the others are listed apart with a note.
 *
 * @module
 */

import type { Estimate } from "./bootstrap.ts";
import type { Analysis } from "./analysis.ts";
import { ALPHA, sharedRanks } from "./across.ts";
import { type CellSummary, finalScore } from "./aggregate.ts";
import { ANYTIME_DEFINITION, anytimeScore, checkpointScores } from "./anytime.ts";
import { integrityProblem, type RunMeta, type TaskMeta } from "./meta.ts";
import { median, quantile } from "../numerics/stats/summary.ts";

/** One row of a per-task table. */
export interface BoardRow {
  /** Rank (1 = best, shared by ties), or null when not ranked (oracle, partial coverage). */
  readonly rank: number | null;
  readonly method: string;
  /** Median anytime score over seeds, with the 25th and 75th percentiles. */
  readonly anytime: number;
  readonly anytimeQ25: number;
  readonly anytimeQ75: number;
  /** Median gap closed at the final budget, with the 25th and 75th percentiles. */
  readonly score: number;
  readonly q25: number;
  readonly q75: number;
  /** True when every seed recorded the same scores at every checkpoint (no seed spread). */
  readonly deterministic: boolean;
  /** Seeds whose final recommendation came from a degenerate fit (constant or rank-deficient). */
  readonly degenerate: number;
  readonly note: string;
}

/** One row of a task set's overall table. */
export interface OverallRow {
  readonly rank: number | null;
  readonly method: string;
  /** Primary score: mean anytime score over (task, seed), 95% CI. */
  readonly anytime: Estimate;
  /** Mean gap closed at the final budget, 95% CI. */
  readonly final: Estimate;
  /** IQM of gap closed at the final budget, 95% CI. */
  readonly iqm: Estimate;
  /** Mean gap closed at each budget share. */
  readonly shares: readonly { readonly share: number; readonly mean: number }[];
  /** Average rank over tasks on the anytime score (null when not ranked). */
  readonly avgRank: number | null;
  /** True when the statistics cannot separate the method from the leader (leader included). */
  readonly withLeader: boolean | null;
  readonly note: string;
}

/** A track's leaderboard over its task set. */
export interface TrackBoard {
  readonly track: "optimize" | "transfer";
  /** The task set, `id@version`. */
  readonly taskSet: readonly string[];
  /** One sentence saying who leads and what the statistics can and cannot separate. */
  readonly verdict: string;
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
  const ranks = sharedRanks(ranked.map((r) => r.key));
  return [
    ...ranked.map((r, i) => strip(r, ranks[i]!)),
    ...rest.map((r) => strip(r, null)),
  ] as unknown as T[];
}

function strip<R extends { eligible: boolean; key: number }>(r: R, rank: number | null) {
  const { eligible: _e, key: _k, ...rest } = r;
  return { rank, ...rest };
}

/** Per-task row values of one method (ok seeds only). */
export function cellRow(c: CellSummary, task: TaskMeta): {
  anytime: number;
  anytimeQ25: number;
  anytimeQ75: number;
  deterministic: boolean;
  degenerate: number;
  degenerateNote: string;
} {
  const xs = c.lines.map((l) => anytimeScore(l, task));
  const curves = c.lines.map((l) => checkpointScores(l, task).join(","));
  return {
    anytime: median(xs),
    anytimeQ25: quantile(xs, 0.25),
    anytimeQ75: quantile(xs, 0.75),
    deterministic: curves.length > 1 && curves.every((x) => x === curves[0]),
    ...degenerateFits(c),
  };
}

/** Seeds whose final recommendation came from a degenerate fit, and a note naming the kinds. */
export function degenerateFits(c: CellSummary): { degenerate: number; degenerateNote: string } {
  const kinds = c.lines.flatMap((l) => {
    const f = l.checkpoints[l.checkpoints.length - 1]?.fit;
    return f ? [f.degenerate] : [];
  });
  if (kinds.length === 0) return { degenerate: 0, degenerateNote: "" };
  const names = [...new Set(kinds)].sort().join(", ");
  return {
    degenerate: kinds.length,
    degenerateNote: `degenerate fit (${names}) on ${kinds.length}/${c.lines.length} seeds`,
  };
}

/** The one-sentence verdict above a track's table. */
export function verdict(a: Analysis["tracks"][number]["across"]): string {
  const r = a.ranking;
  if (r.leader === null) return "No method finished every seed of every task: nothing is ranked.";
  const lead = a.primary.find((p) => p.id === r.leader)!;
  const others = r.leaderGroup.filter((m) => m !== r.leader);
  const f = r.ranks.friedman;
  const tied = r.order.filter((_, i) => r.rank[i] === 1);
  const head = tied.length > 1
    ? `${tied.join(", ")} tie for first (mean anytime score ${lead.anytime.point.toFixed(3)}).`
    : `${r.leader} leads (mean anytime score ${lead.anytime.point.toFixed(3)} [${
      lead.anytime.lo.toFixed(3)
    }, ${lead.anytime.hi.toFixed(3)}]).`;
  const sep = others.length === 0
    ? ` On these tasks every other ranked method is separable from it (paired bootstrap over ` +
      `seeds, 95%).`
    : ` On these tasks the statistics cannot separate it from ${others.join(", ")} (paired ` +
      `bootstrap over seeds, 95%).`;
  const tasks = f === null
    ? ` With ${a.tasks.length} task(s) no rank test across tasks is possible.`
    : f.pValue >= ALPHA
    ? ` Across the ${f.n} tasks no difference is significant (Friedman p = ${
      f.pValue.toPrecision(2)
    } ≥ ${ALPHA}): the order below is not established at the task level.`
    : ` Across the ${f.n} tasks the Friedman test is significant (p = ${
      f.pValue.toPrecision(2)
    }); Nemenyi CD = ${r.ranks.cd!.toFixed(2)} average ranks.`;
  return head + sep + tasks;
}

function taskRows(
  s: Analysis["summaries"][number],
  eligible: (id: string) => boolean,
  seeds: number,
) {
  const rows = s.methods.map((c) => {
    const p = c.curve[c.curve.length - 1]!;
    const ok = eligible(c.method.id);
    const { degenerateNote, ...cr } = cellRow(c, s.task);
    const notes = [
      !c.method.ranked
        ? "oracle, not ranked"
        : ok
        ? ""
        : `partial: ${c.ok} seeds ok${c.ok === seeds ? " (not every task)" : ""}`,
      degenerateNote,
    ].filter((x) => x !== "");
    return {
      method: c.method.id,
      ...cr,
      score: finalScore(c),
      q25: p.q25,
      q75: p.q75,
      note: notes.join("; "),
      ok,
    };
  });
  const key = (r: (typeof rows)[number]) => Number.isFinite(r.anytime) ? r.anytime : -Infinity;
  rows.sort((x, y) =>
    Number(y.ok) - Number(x.ok) || key(y) - key(x) ||
    (y.score || -Infinity) - (x.score || -Infinity) ||
    (x.method < y.method ? -1 : x.method > y.method ? 1 : 0)
  );
  const rankedRows = rows.filter((r) => r.ok);
  const ranks = sharedRanks(rankedRows.map(key));
  return rows.map(({ ok, ...r }, i): BoardRow => ({ rank: ok ? ranks[i]! : null, ...r }));
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
    const r = across.ranking;
    const row = (id: string, rank: number | null): OverallRow => {
      const p = across.primary.find((x) => x.id === id)!;
      const m = last.methods.find((x) => x.id === id)!;
      const i = r.ranks.methods.indexOf(id);
      return {
        rank,
        method: id,
        anytime: p.anytime,
        final: p.final,
        iqm: m.iqm,
        shares: across.points.map((pt) => ({
          share: pt.fraction,
          mean: pt.methods.find((x) => x.id === id)!.mean.point,
        })),
        avgRank: i >= 0 ? r.ranks.avgRank[i]! : null,
        withLeader: rank === null ? null : r.leaderGroup.includes(id),
        note: note(id),
      };
    };
    const rest = across.primary.filter((p) => !r.order.includes(p.id))
      .sort((x, y) => (y.anytime.point || -Infinity) - (x.anytime.point || -Infinity));
    const sums = a.summaries.filter((s) => s.task.track === across.track);
    return {
      track: across.track,
      taskSet: across.tasks.map((t) => `${t.id}@${t.version}`),
      verdict: verdict(across),
      overall: [
        ...r.order.map((id, i) => row(id, r.rank[i]!)),
        ...rest.map((p) => row(p.id, null)),
      ],
      tasks: sums.map((s) => ({
        task: `${s.task.id}@${s.task.version}`,
        rows: taskRows(s, (id) => note(id) === "", seeds),
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
const shareText = (x: number) => (x === 1 ? "1" : `1/${Math.round(1 / x)}`);
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
    "Gap closed: 0 = the target pool's mean (a random pick), 1 = the pool's best" +
    (meta.tasks.some((t) => t.surrogate?.card.region)
      ? " (continuous tasks: 0 = the mean of the table's runs at the target fidelity, 1 = the " +
        "better of the table's best run and a 1e6-sample search on the surrogate inside its " +
        "trust region; a recommendation outside the region scores the table's worst run)"
      : meta.tasks.some((t) => t.surrogate)
      ? " (continuous tasks: 0 = the uniform mixture on the surrogate, 1 = the better of the " +
        "table's best run and a 1e6-sample search on the surrogate)"
      : "") +
    `. ${ANYTIME_DEFINITION}. Across a track's tasks methods are ordered by the mean anytime ` +
    "score over all (task, seed) pairs (95% stratified-bootstrap interval), ties broken by the " +
    "mean final-budget score, then the method id; equal anytime scores share a rank. " +
    "★ = not separable from the leader: the 95% paired stratified-bootstrap interval (seeds " +
    "resampled within tasks, leader and method paired by seed; no multiplicity correction) of " +
    "their difference reaches 0. Also shown: mean gap closed at budget shares, IQM at the final " +
    "budget, and the average rank over tasks on the anytime score. Per task: median over seeds " +
    '[25th, 75th percentiles]; "deterministic" when every seed recorded the same scores. Only ' +
    "methods with every seed finished on every task of the set are ranked; oracles never are.",
    "",
    `Regenerate: \`${meta.command}\``,
    ...(integrityProblem(meta) ? ["", `**Invalid run:** ${integrityProblem(meta)}.`] : []),
  ];
  for (const b of boards.tracks) {
    out.push("", `## ${b.track === "optimize" ? "Optimize" : "Transfer"} track`, "");
    out.push(`### Across tasks (${b.taskSet.join(", ")})`, "", b.verdict, "");
    const shares = b.overall[0]?.shares.map((x) => x.share) ?? [];
    out.push(
      `| rank | method | anytime score [95% CI] | ${
        shares.map((x) => `@ ${shareText(x)}`).join(" | ")
      } | final mean [95% CI] | final IQM | average rank | note |`,
      `|---:|---|---|${shares.map(() => "---:|").join("")}---|---:|---:|---|`,
      ...b.overall.map((r) =>
        `| ${r.rank ?? "—"} | ${r.method}${r.withLeader ? " ★" : ""} | ${ci(r.anytime)} | ${
          r.shares.map((x) => f(x.mean)).join(" | ")
        } | ${ci(r.final)} | ${f(r.iqm.point)} | ${
          r.avgRank === null ? "—" : r.avgRank.toFixed(2)
        } | ${r.note} |`
      ),
    );
    for (const t of b.tasks) {
      out.push(
        "",
        `### ${t.task}`,
        "",
        "| rank | method | anytime median [q25, q75] | final median [q25, q75] | note |",
        "|---:|---|---|---|---|",
        ...t.rows.map((r) =>
          `| ${r.rank ?? "—"} | ${r.method} | ${
            r.deterministic
              ? `${f(r.anytime)} (deterministic on this task)`
              : `${f(r.anytime)} [${f(r.anytimeQ25)}, ${f(r.anytimeQ75)}]`
          } | ${
            r.deterministic ? f(r.score) : `${f(r.score)} [${f(r.q25)}, ${f(r.q75)}]`
          } | ${r.note} |`
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
