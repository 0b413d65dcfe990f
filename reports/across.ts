/**
 * Comparison across the tasks of one track (a task set): which methods are ranked (every seed of
 * every task finished, not an oracle), mean and IQM of gap closed with stratified-bootstrap 95%
 * intervals, average ranks with the Friedman test and Nemenyi critical difference, and the
 * pairwise win rates — each at shares of the budget so that tasks with different budgets line up.
 *
 * A method's score on a task at budget share φ is the gap closed by the recommendation recorded
 * at the last checkpoint ≤ φ · budget. Ranks are taken per task on the mean score over seeds
 * (Demšar's recipe: one number per task and method), 1 = best, ties averaged.
 *
 * @module
 */

import { deriveSeed } from "../numerics/rng.ts";
import { gapClosed } from "../core/task.ts";
import { checkpointAt, type TaskSummary } from "./aggregate.ts";
import { type Estimate, iqmInPlace, meanOf, stratifiedBootstrapAll } from "./bootstrap.ts";
import {
  averageRanks,
  cliques,
  type FriedmanResult,
  friedmanTest,
  nemenyiCriticalDifference,
} from "./friedman.ts";
import type { TaskMeta } from "./meta.ts";
import { anytimeScore } from "./anytime.ts";

/** Significance level of the rank tests. */
export const ALPHA = 0.05;
/** Bootstrap resamples. */
export const RESAMPLES = 2000;

/** How a method stands on a task set. */
export interface Standing {
  readonly id: string;
  /** `ranked`: complete coverage; `partial`: some cells missing or failed; `oracle`: never ranked. */
  readonly standing: "ranked" | "partial" | "oracle";
  /** Finished cells over the task set. */
  readonly cells: number;
  /** Cells of the task set (tasks × seeds). */
  readonly total: number;
}

/** One method at one budget share. */
export interface MethodPoint {
  readonly id: string;
  /** Mean of the pooled (task, seed) scores with its 95% interval. */
  readonly mean: Estimate;
  /** Interquartile mean with its 95% interval. */
  readonly iqm: Estimate;
  /** Scores pooled. */
  readonly n: number;
}

/** The rank analysis of the ranked methods at one budget share. */
export interface RankPoint {
  /** Ranked methods, in the order of `avgRank`. */
  readonly methods: readonly string[];
  /** Average rank over tasks (1 = best). */
  readonly avgRank: readonly number[];
  /** Friedman test (null with fewer than 2 tasks or 2 ranked methods). */
  readonly friedman: FriedmanResult | null;
  /** Nemenyi critical difference at {@linkcode ALPHA} (null when no test). */
  readonly cd: number | null;
  /** Groups not significantly different (method ids, best first); empty when no test. */
  readonly cliques: readonly (readonly string[])[];
}

/** Everything at one budget share. */
export interface BudgetPoint {
  /** Share of each task's budget. */
  readonly fraction: number;
  readonly methods: readonly MethodPoint[];
  readonly ranks: RankPoint;
}

/** Pairwise win rates at the final budget. */
export interface WinRates {
  readonly methods: readonly string[];
  /** `matrix[a][b]`: mean over tasks of P(score of a > score of b), ties ½, over all seed pairs. */
  readonly matrix: readonly (readonly number[])[];
}

/** One method's primary (anytime) score on a task set. */
export interface PrimaryMethod {
  readonly id: string;
  /** Mean anytime score over the pooled (task, seed) scores, with its 95% interval. */
  readonly anytime: Estimate;
  /** IQM of the pooled anytime scores, with its 95% interval. */
  readonly anytimeIqm: Estimate;
  /** Mean gap closed at the final budget, with its 95% interval. */
  readonly final: Estimate;
  /** Mean anytime score over seeds, per task of the set. */
  readonly perTask: readonly number[];
  /** Scores pooled. */
  readonly n: number;
}

/** The ranked methods' order on the primary score and what the statistics can separate. */
export interface PrimaryRanking {
  /** Ranked methods, best first: mean anytime score, then mean final score, then id. */
  readonly order: readonly string[];
  /** Competition ranks (1, 2, 2, 4): methods with equal mean anytime score share a rank. */
  readonly rank: readonly number[];
  /** The first of `order`, or null when nothing is ranked. */
  readonly leader: string | null;
  /**
   * Methods not separable from the leader (the leader included): the 95% paired stratified
   * bootstrap interval of (leader − method) mean anytime score reaches 0.
   */
  readonly leaderGroup: readonly string[];
  /** Leader − method mean anytime score with its 95% paired bootstrap interval. */
  readonly versusLeader: readonly { readonly id: string; readonly diff: Estimate }[];
  /** Average ranks, Friedman test and Nemenyi CD on the per-task mean anytime scores. */
  readonly ranks: RankPoint;
}

/** The cross-task analysis of one track. */
export interface TrackAnalysis {
  readonly track: "optimize" | "transfer";
  readonly tasks: readonly TaskMeta[];
  readonly standings: readonly Standing[];
  readonly points: readonly BudgetPoint[];
  readonly winRates: WinRates;
  /** Primary score of every method (standings order). */
  readonly primary: readonly PrimaryMethod[];
  readonly ranking: PrimaryRanking;
}

/**
 * Anytime scores of one method on a task set: one array per task, one score per finished seed
 * (seed order).
 */
export function anytimeGroups(set: readonly TaskSummary[], method: string): number[][] {
  return set.map((s) => {
    const c = s.methods.find((m) => m.method.id === method);
    return (c?.lines ?? []).map((l) => anytimeScore(l, s.task));
  });
}

/**
 * Competition ranks of scores sorted best first: equal scores (within 1e-12) share the rank of
 * the first of them.
 *
 * @example
 * ```ts
 * import { sharedRanks } from "./across.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * assertEquals(sharedRanks([0.9, 0.8, 0.8, 0.5]), [1, 2, 2, 4]);
 * ```
 */
export function sharedRanks(sortedScores: readonly number[]): number[] {
  const out: number[] = [];
  sortedScores.forEach((x, i) => {
    const prev = sortedScores[i - 1];
    out.push(i > 0 && prev !== undefined && Math.abs(prev - x) <= 1e-12 ? out[i - 1]! : i + 1);
  });
  return out;
}

/**
 * Budget shares 1, ½, ¼, … down to the smallest share at which every task has a checkpoint.
 *
 * @param tasks The task set.
 * @returns Ascending shares.
 */
export function budgetGrid(tasks: readonly TaskMeta[]): number[] {
  const floor = Math.max(...tasks.map((t) => t.checkpoints[0]! / t.budget));
  const out = [1];
  for (let f = 0.5; f >= floor * (1 - 1e-9) && out.length < 12; f /= 2) out.unshift(f);
  return out;
}

/**
 * Scores of one method on a task set at a budget share: one array per task, one score per
 * finished seed.
 */
export function scoreGroups(
  set: readonly TaskSummary[],
  method: string,
  fraction: number,
): number[][] {
  return set.map((s) => {
    const c = s.methods.find((m) => m.method.id === method);
    return (c?.lines ?? []).flatMap((l) => {
      const cp = checkpointAt(l, s.task.budget, fraction);
      return cp ? [gapClosed(cp.value, s.task.reference)] : [];
    });
  });
}

/**
 * Probability that a draw from `a` beats a draw from `b`, ties counting ½ (the Mann–Whitney U
 * statistic over n·m).
 *
 * @example
 * ```ts
 * import { probabilityOfImprovement } from "./across.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * assertEquals(probabilityOfImprovement([1, 2], [2, 0]), 0.625);
 * ```
 */
export function probabilityOfImprovement(a: readonly number[], b: readonly number[]): number {
  if (a.length === 0 || b.length === 0) return NaN;
  let s = 0;
  for (const x of a) for (const y of b) s += x > y ? 1 : x === y ? 0.5 : 0;
  return s / (a.length * b.length);
}

/**
 * Analyses every track present in the summaries.
 *
 * @param summaries Per-task summaries (from {@linkcode aggregate}).
 * @param seeds The run's seed list.
 * @returns One analysis per track with tasks, optimise first.
 */
export function analyseTracks(
  summaries: readonly TaskSummary[],
  seeds: readonly number[],
): TrackAnalysis[] {
  return (["optimize", "transfer"] as const).flatMap((track) => {
    const set = summaries.filter((s) => s.task.track === track);
    return set.length === 0 ? [] : [analyseSet(track, set, seeds)];
  });
}

function analyseSet(
  track: "optimize" | "transfer",
  set: readonly TaskSummary[],
  seeds: readonly number[],
): TrackAnalysis {
  const total = set.length * seeds.length;
  const standings: Standing[] = set[0]!.methods.map((c) => {
    const cells = set.map((s) => s.methods.find((m) => m.method.id === c.method.id)!);
    const ok = cells.reduce((a, x) => a + x.ok, 0);
    const standing = !c.method.ranked ? "oracle" : ok === total ? "ranked" : "partial";
    return { id: c.method.id, standing, cells: ok, total };
  });
  const ranked = standings.filter((s) => s.standing === "ranked").map((s) => s.id);
  const tasks = set.map((s) => s.task);
  const points = budgetGrid(tasks).map((fraction, fi): BudgetPoint => {
    const methods = standings.map((s): MethodPoint => {
      const groups = scoreGroups(set, s.id, fraction);
      const [mean, iqm] = stratifiedBootstrapAll(groups, [meanOf, iqmInPlace], {
        resamples: RESAMPLES,
        seed: deriveSeed("bootstrap", track, s.id, fi),
      });
      return { id: s.id, mean: mean!, iqm: iqm!, n: groups.reduce((a, g) => a + g.length, 0) };
    });
    return { fraction, methods, ranks: rankPoint(set, ranked, fraction) };
  });
  const finals = ranked.map((id) => scoreGroups(set, id, 1));
  const matrix = finals.map((a) =>
    finals.map((b) => meanOf(a.map((ga, t) => probabilityOfImprovement(ga, b[t]!))))
  );
  const primary = standings.map((s): PrimaryMethod => {
    const groups = anytimeGroups(set, s.id);
    const opts = (k: number) => ({
      resamples: RESAMPLES,
      seed: deriveSeed("anytime", track, s.id, k),
    });
    const [anytime, anytimeIqm] = stratifiedBootstrapAll(groups, [meanOf, iqmInPlace], opts(0));
    const [final] = stratifiedBootstrapAll(scoreGroups(set, s.id, 1), [meanOf], opts(1));
    return {
      id: s.id,
      anytime: anytime!,
      anytimeIqm: anytimeIqm!,
      final: final!,
      perTask: groups.map(meanOf),
      n: groups.reduce((a, g) => a + g.length, 0),
    };
  });
  const ranking = rankPrimary(track, set, ranked, primary);
  return {
    track,
    tasks,
    standings,
    points,
    winRates: { methods: ranked, matrix },
    primary,
    ranking,
  };
}

function rankPrimary(
  track: string,
  set: readonly TaskSummary[],
  ranked: readonly string[],
  primary: readonly PrimaryMethod[],
): PrimaryRanking {
  const of = (id: string) => primary.find((p) => p.id === id)!;
  const order = [...ranked].sort((a, b) =>
    of(b).anytime.point - of(a).anytime.point || of(b).final.point - of(a).final.point ||
    (a < b ? -1 : a > b ? 1 : 0)
  );
  const rank = sharedRanks(order.map((id) => of(id).anytime.point));
  const leader = order[0] ?? null;
  const versusLeader = leader === null ? [] : order.slice(1).map((id) => {
    const a = anytimeGroups(set, leader), b = anytimeGroups(set, id);
    const diffs = a.map((g, t) => g.map((x, j) => x - b[t]![j]!));
    const [diff] = stratifiedBootstrapAll(diffs, [meanOf], {
      resamples: RESAMPLES,
      seed: deriveSeed("paired", track, leader, id),
    });
    return { id, diff: diff! };
  });
  const leaderGroup = leader === null ? [] : [
    leader,
    ...versusLeader.filter((v) => !(v.diff.lo > 0)).map((v) => v.id),
  ];
  return {
    order,
    rank,
    leader,
    leaderGroup,
    versusLeader,
    ranks: rankMatrix(set.length, ranked, ranked.map((id) => of(id).perTask)),
  };
}

function rankPoint(set: readonly TaskSummary[], ranked: readonly string[], f: number): RankPoint {
  return rankMatrix(set.length, ranked, ranked.map((id) => scoreGroups(set, id, f).map(meanOf)));
}

function rankMatrix(
  tasks: number,
  ranked: readonly string[],
  perMethod: readonly (readonly number[])[],
): RankPoint {
  if (ranked.length === 0) {
    return { methods: [], avgRank: [], friedman: null, cd: null, cliques: [] };
  }
  const set = { length: tasks };
  const matrix = Array.from(set, (_, t) => perMethod.map((m) => m[t]!));
  const avg = averageRanks(matrix);
  const order = avg.map((_, i) => i).sort((a, b) =>
    avg[a]! - avg[b]! || (ranked[a]! < ranked[b]! ? -1 : ranked[a]! > ranked[b]! ? 1 : 0)
  );
  const methods = order.map((i) => ranked[i]!);
  const avgRank = order.map((i) => avg[i]!);
  if (set.length < 2 || ranked.length < 2) {
    return { methods, avgRank, friedman: null, cd: null, cliques: [] };
  }
  const friedman = friedmanTest(matrix);
  const cd = nemenyiCriticalDifference(ranked.length, set.length, ALPHA);
  const groups = friedman.pValue < ALPHA
    ? cliques(avgRank, cd).map((g) => g.map((i) => methods[i]!))
    : [methods];
  return { methods, avgRank, friedman, cd, cliques: groups };
}
