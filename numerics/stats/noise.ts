/**
 * The evaluation noise of a benchmark-averaged objective and the reliability ceiling it puts on
 * any predictor of held-out runs.
 *
 * Each component metric is a mean over `items` evaluated items (its card's `evaluation`), so a
 * run's value carries the item-sampling standard error sqrt(v(1 − v) / items) (exact for 0/1
 * items, an upper bound for per-item scores in [0, 1]; Miller, 2024, "Adding Error Bars to
 * Evals", arXiv:2411.00640, §2). An objective that averages k components has the standard error
 * sqrt(Σ se_j²) / k, the components being evaluated on disjoint item sets.
 *
 * The ceiling simulates a second, independent evaluation of the same checkpoints: every run's
 * value plus a normal draw with its standard error, many times; the expected Spearman ρ between
 * the table and the redraw is what a perfect predictor of the checkpoints' true values could
 * expect against the table (up to the table's own noise, which the redraw takes as truth), and
 * how often the table's best run stays best says how much of its lead is signal.
 *
 * Every run of a table is scored on the same items, so the part of an item draw that all
 * checkpoints share shifts every run alike and does not change a ranking: with a correlation r
 * of item outcomes between two checkpoints, only the share (1 − r) of each run's variance is
 * run-specific. `sharedCorrelation` lists the values of r simulated; r = 0 is the independent
 * model the standard errors state, which overstates rank noise where r is large. The noise
 * share — mean run variance / variance of the table's values — above 1 shows that the values vary
 * less than the independent model says they would by noise alone.
 *
 * @module
 */

import { Rng } from "../rng.ts";
import { spearman, topRecall } from "./correlation.ts";

/** A component metric of the objective: its values on the runs and its evaluated items. */
export interface NoiseComponent {
  /** Metric name. */
  readonly name: string;
  /** Evaluated items. */
  readonly items: number;
  /** The metric's value on each run, in the order of the objective's values. */
  readonly values: readonly number[];
  /**
   * True when the metric is an accuracy over 0/1 items (the binomial variance is exact, not an
   * upper bound); only such metrics bound the shared correlation.
   * @default {false}
   */
  readonly exact?: boolean;
}

/** Options of {@linkcode noiseCeiling}. */
export interface NoiseCeilingOptions {
  /** Simulated re-evaluations. @default {2000} */
  draws?: number;
  /** Seed of the draws. @default {1} */
  seed?: number;
  /** Correlations r of item outcomes shared by all runs to simulate. @default {[0, 0.3, 0.5, 0.75, 0.9]} */
  sharedCorrelation?: readonly number[];
  /** Which way is better (for "best stays best"). @default {"maximize"} */
  direction?: "minimize" | "maximize";
  /**
   * The shared-correlation bound to use instead of the one these runs give (e.g. the whole
   * table's bound for a held-out subset, whose few runs bound r poorly).
   */
  sharedCorrelationBound?: number;
}

/** The ceiling at one shared correlation. */
export interface CeilingAt {
  /** Correlation of item outcomes shared by all runs. */
  readonly sharedCorrelation: number;
  /** Mean run-specific standard error of the objective. */
  readonly meanSe: number;
  /** Expected Spearman ρ between the table and an independent re-evaluation. */
  readonly spearman: number;
  /** Share of re-evaluations whose best run is the table's best run. */
  readonly bestStaysBest: number;
  /** Expected share of the table's top 10% that the re-evaluation also puts in its top 10%. */
  readonly recall10: number;
}

/** Result of {@linkcode noiseCeiling}. */
export interface NoiseCeiling {
  /** Runs. */
  readonly runs: number;
  /**
   * Component metrics, their items, and the variance of their values over the runs divided by
   * their mean binomial variance v(1 − v) / items: the share of the independent-item variance
   * that is observed at all. Below 1 the values vary less than item noise alone would make them.
   */
  readonly components: readonly {
    readonly name: string;
    readonly items: number;
    readonly exact: boolean;
    readonly varianceRatio: number;
  }[];
  /**
   * The smallest shared item correlation the exact components allow: 1 − their smallest
   * variance ratio (the run-specific share 1 − r of a metric's binomial variance cannot exceed
   * all the variance its values show), clamped to [0, 0.99]; null without exact components.
   * Simulated along with `sharedCorrelation`.
   */
  readonly sharedCorrelationBound: number | null;
  /** Population standard deviation of the objective over the runs. */
  readonly valueSd: number;
  /** Mean standard error of the objective (independent items, r = 0). */
  readonly meanSe: number;
  /** Mean error variance (r = 0) / variance of the values; above 1 the r = 0 model is rejected. */
  readonly noiseShare: number;
  /** Simulated re-evaluations. */
  readonly draws: number;
  /** Seed of the draws. */
  readonly seed: number;
  /** The ceiling at each shared correlation. */
  readonly ceiling: readonly CeilingAt[];
}

/**
 * Standard errors of a mean of per-run component metrics: sqrt(Σ_j v_j(1 − v_j) / n_j) / k.
 *
 * @example
 * ```ts
 * import { objectiveStandardErrors } from "./noise.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * const se = objectiveStandardErrors([{ name: "a", items: 100, values: [0.5] }]);
 * assertEquals(se, [0.05]);
 * ```
 * @param components Component metrics (equal lengths).
 * @returns One standard error per run.
 * @throws {RangeError} On no components, unequal lengths or a value outside [0, 1].
 */
export function objectiveStandardErrors(components: readonly NoiseComponent[]): number[] {
  if (components.length === 0) throw new RangeError("Cannot compute noise: no components");
  const n = components[0]!.values.length;
  const k = components.length;
  const out = new Array<number>(n).fill(0);
  for (const c of components) {
    if (c.values.length !== n) {
      throw new RangeError(
        `Cannot compute noise: metric "${c.name}" has ${c.values.length} values, expected ${n}`,
      );
    }
    c.values.forEach((v, i) => {
      if (!(v >= 0 && v <= 1)) {
        throw new RangeError(
          `Cannot compute noise: metric "${c.name}" has value "${v}" on run ${i}, expected [0, 1]`,
        );
      }
      out[i]! += v * (1 - v) / c.items;
    });
  }
  return out.map((s) => Math.sqrt(s) / k);
}

/**
 * Simulates independent re-evaluations of the runs and returns the reliability ceiling: the
 * expected Spearman ρ between the objective and its redraw, and how often the best run stays
 * best, at each shared item correlation.
 *
 * @example
 * ```ts
 * import { noiseCeiling } from "./noise.ts";
 * import { ok } from "node:assert/strict";
 * const values = Array.from({ length: 40 }, (_, i) => 0.3 + i * 0.01);
 * const c = noiseCeiling(values, [{ name: "a", items: 100_000, values }], { draws: 50 });
 * ok(c.ceiling[0]!.spearman > 0.99);
 * ```
 * @param values The objective on each run (as the table gives it).
 * @param components Its component metrics; the objective's noise is that of their mean.
 * @param options Draws, seed, shared correlations, direction.
 * @returns The ceiling.
 */
export function noiseCeiling(
  values: readonly number[],
  components: readonly NoiseComponent[],
  options: NoiseCeilingOptions = {},
): NoiseCeiling {
  const draws = options.draws ?? 2000;
  const seed = options.seed ?? 1;
  const rs = options.sharedCorrelation ?? [0, 0.3, 0.5, 0.75, 0.9];
  const sign = (options.direction ?? "maximize") === "maximize" ? 1 : -1;
  const se = objectiveStandardErrors(components);
  if (se.length !== values.length) {
    throw new RangeError(
      `Cannot compute noise: ${values.length} objective values, ${se.length} component values`,
    );
  }
  const n = values.length;
  const mean = values.reduce((a, v) => a + v, 0) / n;
  const variance = values.reduce((a, v) => a + (v - mean) ** 2, 0) / n;
  const meanVar = se.reduce((a, s) => a + s * s, 0) / n;
  const best = argBest(values, sign);
  const parts = components.map((c) => {
    const m = c.values.reduce((a, v) => a + v, 0) / n;
    const observed = c.values.reduce((a, v) => a + (v - m) ** 2, 0) / n;
    const binomial = c.values.reduce((a, v) => a + v * (1 - v) / c.items, 0) / n;
    return {
      name: c.name,
      items: c.items,
      exact: c.exact ?? false,
      ratio: binomial > 0 ? observed / binomial : Infinity,
    };
  });
  const ratios = parts.filter((c) => c.exact).map((c) => c.ratio);
  const bound = options.sharedCorrelationBound ??
    (ratios.length === 0
      ? null
      : Math.min(0.99, Math.max(0, Math.floor((1 - Math.min(...ratios)) * 100) / 100)));
  const all = [...new Set([...rs, ...(bound === null ? [] : [bound])])].sort((a, b) => a - b);
  const ceiling = all.map((r) => {
    if (!(r >= 0 && r < 1)) {
      throw new RangeError(`Cannot compute noise: shared correlation "${r}", expected [0, 1)`);
    }
    const scale = Math.sqrt(1 - r);
    const rng = new Rng(seed).fork(`shared-${r}`);
    const redraw = new Array<number>(n);
    let rho = 0;
    let stays = 0;
    let recall = 0;
    for (let d = 0; d < draws; d++) {
      for (let i = 0; i < n; i++) redraw[i] = values[i]! + scale * se[i]! * rng.normal();
      rho += spearman(values, redraw);
      recall += topRecall(values, redraw, 0.1, sign < 0);
      if (argBest(redraw, sign) === best) stays++;
    }
    return {
      sharedCorrelation: r,
      meanSe: round(scale * se.reduce((a, s) => a + s, 0) / n),
      spearman: round(rho / draws),
      bestStaysBest: round(stays / draws),
      recall10: round(recall / draws),
    };
  });
  return {
    runs: n,
    components: parts.map(({ ratio, ...c }) => ({ ...c, varianceRatio: round(ratio) })),
    sharedCorrelationBound: bound,
    valueSd: round(Math.sqrt(variance)),
    meanSe: round(se.reduce((a, s) => a + s, 0) / n),
    noiseShare: round(variance > 0 ? meanVar / variance : Infinity),
    draws,
    seed,
    ceiling,
  };
}

function argBest(xs: readonly number[], sign: number): number {
  let b = 0;
  for (let i = 1; i < xs.length; i++) if (sign * xs[i]! > sign * xs[b]!) b = i;
  return b;
}

function round(x: number): number {
  return Number.isFinite(x) ? Math.round(x * 1e4) / 1e4 : x;
}
