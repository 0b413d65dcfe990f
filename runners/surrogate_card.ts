/**
 * Validation cards of surrogate models (`runners/surrogates/*.json`): which table, fidelity and
 * metric a model answers, its .onnx file and sha256, how it was trained (seed, options), and the
 * validation gates it was held to, with their results. A task offers continuous mode only on
 * models whose card says `gates.pass`.
 *
 * @module
 */

import type { Direction } from "../core/types.ts";
import { FeasibleSet, nearestDistance } from "../core/feasible.ts";
import type { MlpOptions } from "../numerics/mlp.ts";
import type { NoiseCeiling } from "../numerics/stats/noise.ts";

export { nearestDistance };

/** Schema id of surrogate validation cards. */
export const SURROGATE_SCHEMA = "mixbench.surrogate/1";

/**
 * The run-specific evaluation standard error of a model's metric: the mean standard error of its
 * card's `validation.noise` at the shared-correlation bound (at r = 0 when there is no bound).
 *
 * @example
 * ```ts
 * import { evaluationNoise, type SurrogateCard } from "./surrogate_card.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * const card = { validation: {} } as unknown as SurrogateCard;
 * assertEquals(evaluationNoise(card), null);
 * ```
 * @param card A validation card.
 * @returns The standard error, or null when the card records no evaluation noise.
 */
export function evaluationNoise(card: SurrogateCard): number | null {
  const noise = card.validation?.noise;
  if (!noise) return null;
  const r = noise.sharedCorrelationBound ?? 0;
  const at = noise.ceiling.find((c) => c.sharedCorrelation === r);
  return at ? at.meanSe : null;
}

/** Share of the reliability ceiling a model's held-out ρ and recall must reach. */
export const CEILING_SHARE = 0.9;

/** Scores of a model on one held-out set. */
export interface HeldOutScores {
  /** Runs trained on. */
  readonly train: number;
  /** Runs held out. */
  readonly heldOut: number;
  /** Spearman ρ between predictions and table values on the held-out runs. */
  readonly spearman: number;
  /** Share of the true top 10% that the prediction also puts in its top 10%. */
  readonly recall10: number;
  /** Mean absolute error on the held-out runs. */
  readonly mae: number;
}

/** One gate: a measured value, its threshold and the verdict. */
export interface Gate {
  /** What is measured. */
  readonly name: string;
  /** Measured value. */
  readonly value: number;
  /** Smallest passing value. */
  readonly threshold: number;
  /** value ≥ threshold. */
  readonly pass: boolean;
}

/** Contents of a surrogate validation card. */
export interface SurrogateCard {
  /** Always {@linkcode SURROGATE_SCHEMA}. */
  readonly schema: string;
  /** `table/fidelity/metric`. */
  readonly id: string;
  /** Built-in table id. */
  readonly table: string;
  /** sha256 of the table's runs.csv the model was trained on. */
  readonly tableSha256: string;
  /** Fidelity id of the training runs. */
  readonly fidelity: string;
  /** Metric predicted (without the `metric_` prefix). */
  readonly metric: string;
  /** The metric's direction. */
  readonly direction: Direction;
  /** The metric's bounds; predictions are clipped to them. */
  readonly bounds: { readonly lower: number; readonly upper: number };
  /** The ONNX file. */
  readonly model: {
    /** File name beside the card. */
    readonly file: string;
    /** Hex sha256 of the file. */
    readonly sha256: string;
    /** Size in bytes. */
    readonly bytes: number;
    /** ONNX opset. */
    readonly opset: number;
    /** Mixture length. */
    readonly inputs: number;
    /** Outputs per row (metrics). */
    readonly outputs: number;
    /** Ensemble members. */
    readonly members: number;
  };
  /** How the model was trained. */
  readonly training: {
    /** Seed of initialisation, batch order and splits. */
    readonly seed: number;
    /** Runs of the final model. */
    readonly runs: number;
    /** MLP options (every field resolved). */
    readonly options: Required<MlpOptions>;
  };
  /** ONNX output (onnxruntime-web, WASM) against the TypeScript forward pass on the table's mixtures. */
  readonly onnxCheck: {
    readonly rows: number;
    /** Largest |onnx − ts| / |ts| of the mean. */
    readonly maxRelativeError: number;
    /** Largest |onnx − ts| of the spread. */
    readonly maxSpreadError: number;
  };
  /** Validation results and gates. */
  readonly validation: {
    /** Random held-out split (20%). */
    readonly random: HeldOutScores;
    /** Extrapolation split: runs whose largest domain weight is in the top decile held out. */
    readonly extrapolation: HeldOutScores & { readonly dominantWeightCut: number };
    /** Run-to-run noise of the metric where the table repeats runs; null when it does not. */
    readonly seedNoise: number | null;
    /**
     * Evaluation noise and the reliability ceiling over the fidelity's runs, where the table's
     * card records item counts (`numerics/stats/noise.ts`), with the ceiling-relative gate at
     * each shared item correlation: the ceiling recomputed on each split's held-out runs (the
     * whole table's shared-correlation bound), random and extrapolation ρ ≥
     * {@linkcode CEILING_SHARE} × that split's ceiling ρ, random top-10% recall ≥
     * {@linkcode CEILING_SHARE} × the random split's ceiling recall. Reported beside `gates`;
     * runners/surrogates/README.md states the rule (at the bound).
     */
    readonly noise?: NoiseCeiling & {
      readonly ceilingGates: readonly {
        readonly sharedCorrelation: number;
        /** The ceiling on the random split's held-out runs. */
        readonly random: { readonly spearman: number; readonly recall10: number };
        /** The ceiling on the extrapolation split's held-out runs. */
        readonly extrapolation: { readonly spearman: number; readonly recall10: number };
        readonly checks: readonly Gate[];
        readonly pass: boolean;
      }[];
    };
    /** RegMix transfer check: trained on the 1M train runs, ranking the 60M runs. */
    readonly transfer?: {
      readonly train: number;
      readonly target: string;
      readonly heldOut: number;
      /** ρ of the model's predictions with the target-fidelity values. */
      readonly spearman: number;
      /** ρ of the table's own training-fidelity values with the target-fidelity values. */
      readonly tableSpearman: number;
    };
  };
  /** Gates and the verdict. */
  readonly gates: { readonly checks: readonly Gate[]; readonly pass: boolean };
  /** The trust region every answer is checked against (passing models only). */
  readonly region?: TrustRegion;
  /** Frozen reference values (passing models only). */
  readonly reference?: SurrogateReference;
  /** The adversarial gate (passing models only): whether the continuous task is offered. */
  readonly adversarial?: AdversarialGate;
}

/**
 * Where a surrogate model is trusted: a mixture `w` is in the region when every weight is within
 * its box (`w[j] ≤ upper[j]`, the table's largest weight of the domain at the fidelity plus
 * `margin`; the lower side is the table's smallest weight − 1, i.e. no constraint beyond the
 * simplex) and its L1 distance to the nearest table mixture at the fidelity is at most `radius`.
 * Inside, the answer is the model's mean worsened by `spreadPenalty` ensemble spreads (0 where
 * the spread is not informative); outside, the policy of `outside`.
 */
export interface TrustRegion {
  /** Per-domain upper bounds: min(1, table maximum + margin), in mixture order. */
  readonly upper: readonly number[];
  /** Absolute margin added to each domain's table maximum. */
  readonly margin: number;
  /**
   * L1 radius around the table's mixtures: the 95th percentile of the table mixtures' own
   * leave-one-out nearest-neighbour distances.
   */
  readonly radius: number;
  /** Ensemble spreads added to the mean in the worse direction inside the region. */
  readonly spreadPenalty: number;
  /**
   * Distance-calibrated pessimism inside the region (absent in cards from before it): the answer
   * is also worsened by `k · c · ood^p`, the model's held-out error scale at that L1 distance from
   * the nearest table run, at a one-sided level.
   */
  readonly error?: ErrorModel;
  /** Whether the ensemble spread tells the model's error apart, and how that was decided. */
  readonly spread: {
    /**
     * Spearman ρ between the spread and the absolute error on the held-out runs of the random and
     * extrapolation splits (each predicted by the ensemble fitted without them).
     */
    readonly errorSpearman: number;
    /** Held-out runs measured. */
    readonly heldOut: number;
    /** Median spread of the final model at the table's own (training) mixtures. */
    readonly atTable: number;
    /** Median spread at the held-out runs. */
    readonly atHeldOut: number;
    /** Smallest ρ for which the spread counts as informative. */
    readonly threshold: number;
    readonly informative: boolean;
    /** One sentence on the verdict. */
    readonly note: string;
  };
  /**
   * Out-of-region policy: a query outside is answered with `value` (the table's worst run at the
   * fidelity), its source marked out of region; a recommendation outside is scored `value`.
   */
  readonly outside: {
    readonly policy: "table-worst";
    readonly value: number;
    readonly row: number;
  };
}

/**
 * How a model's held-out error grows with the L1 distance to the nearest training run, measured
 * by K-fold cross-validation on the table (each run predicted by the ensemble fitted without its
 * fold; its distance taken to the nearest run of that ensemble's training set). The error scale
 * is `σ(d) = c · d^p`, fitted by maximum likelihood to the signed held-out errors (normal with
 * scale σ(d)); `k` is the `level` quantile of the held-out errors in the worse direction divided
 * by σ(d) (at least 0), so that `mean + k·σ(d)` (minimised metrics) is no better than the truth
 * for that share of held-out runs.
 */
export interface ErrorModel {
  /** The functional form of the error scale. */
  readonly form: "c*d^p";
  /** Scale c. */
  readonly c: number;
  /** Exponent p (searched on a 0.01 grid in [0, 2]). */
  readonly p: number;
  /** Multiple of σ(d) added in the worse direction. */
  readonly k: number;
  /** One-sided level of `k`. */
  readonly level: number;
  /** Folds of the cross-validation. */
  readonly folds: number;
  /** Held-out runs measured (every run once). */
  readonly heldOut: number;
  /** Spearman ρ between the held-out distance and the absolute error. */
  readonly distanceErrorSpearman: number;
  /** Spearman ρ between the held-out spread and the absolute error. */
  readonly spreadErrorSpearman: number;
  /** The held-out runs in equal-count distance bins: median distance, MAE, RMSE, σ(median). */
  readonly bins: readonly {
    readonly n: number;
    readonly d: number;
    readonly mae: number;
    readonly rmse: number;
    readonly sigma: number;
  }[];
}

/**
 * How much an in-region answer is worsened (added in the metric's worse direction): the region's
 * spread penalty times the ensemble spread plus, where the region has an error model,
 * `k · c · ood^p`.
 *
 * @example
 * ```ts
 * import { regionPenalty, type TrustRegion } from "./surrogate_card.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * const region = { spreadPenalty: 0, error: { c: 0.1, p: 1, k: 2 } } as unknown as TrustRegion;
 * assertEquals(regionPenalty(region, 0.5, 0.3), 0.1);
 * assertEquals(regionPenalty(region, 0, 0.3), 0);
 * ```
 * @param region The trust region.
 * @param ood L1 distance to the nearest table mixture.
 * @param spread Ensemble spread.
 * @returns The penalty (≥ 0).
 */
export function regionPenalty(
  region: Pick<TrustRegion, "spreadPenalty" | "error">,
  ood: number,
  spread: number,
): number {
  const e = region.error;
  return region.spreadPenalty * spread + (e ? e.k * e.c * Math.max(0, ood) ** e.p : 0);
}

/** One adversary's result on the gate. */
export interface AdversaryResult {
  /** Method id (bench/_adversaries.ts). */
  readonly method: string;
  /** Judged value of its final recommendation, per seed. */
  readonly values: readonly number[];
  /** Gap closed of its final recommendation, per seed. */
  readonly scores: readonly number[];
  /** Whether every final recommendation was in the region, per seed. */
  readonly inRegion: readonly boolean[];
  /** Mean judged value over the seeds (what the gate compares). */
  readonly mean: number;
  /** Its best value (over seeds). */
  readonly best: number;
  /** Its best recommendation's mixture. */
  readonly mixture: readonly number[];
  /** L1 distance of that mixture to the nearest table run, and that run's value. */
  readonly nearest: { readonly ood: number; readonly value: number; readonly row: number };
}

/**
 * The adversarial gate of a continuous task: adversarial methods run against the task's runner
 * (region and policy applied); the task is offered only when no adversary's final recommendation,
 * averaged over the seeds, beats the table's best run by more than `tolerance` (the model's
 * extrapolation-split MAE).
 */
export interface AdversarialGate {
  /** The table's best run at the fidelity. */
  readonly tableBest: number;
  /** How far past the table's best an adversary may get. */
  readonly tolerance: number;
  /** Seeds run per adversary. */
  readonly seeds: readonly number[];
  readonly results: readonly AdversaryResult[];
  /** No adversary's mean beat tableBest by more than tolerance. */
  readonly pass: boolean;
}

/** Where a mixture stands against a trust region. */
export interface RegionCheck {
  /** L1 distance to the nearest table mixture. */
  readonly ood: number;
  /** Largest excess of a weight over its box bound (0 when inside the box). */
  readonly boxExcess: number;
  /** Inside both the box and the radius (with tolerance `tol`). */
  readonly inRegion: boolean;
}

/**
 * Checks a mixture against a trust region.
 *
 * @example
 * ```ts
 * import { checkRegion, type TrustRegion } from "./surrogate_card.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * const region = { upper: [1, 0.5], radius: 0.4 } as unknown as TrustRegion;
 * const table = new Float64Array([0.8, 0.2, 0.6, 0.4]);
 * assertEquals(checkRegion(region, table, [0.7, 0.3]).inRegion, true);
 * assertEquals(checkRegion(region, table, [0.3, 0.7]).inRegion, false); // box: 0.7 > 0.5
 * assertEquals(checkRegion(region, table, [1, 0]).inRegion, true); // L1 0.4 from [0.8, 0.2]
 * ```
 * @param region The region (`upper`, `radius`).
 * @param table The table's mixtures at the fidelity, row-major.
 * @param w The mixture.
 * @param tol Slack on both bounds (validate uses it for mixtures rounded to 6 decimals). @default {1e-12}
 * @returns Distance, box excess and verdict.
 */
export function checkRegion(
  region: Pick<TrustRegion, "upper" | "radius">,
  table: Float64Array,
  w: ArrayLike<number>,
  tol = 1e-12,
): RegionCheck {
  let boxExcess = 0;
  for (let j = 0; j < w.length; j++) boxExcess = Math.max(boxExcess, w[j]! - region.upper[j]!);
  const ood = nearestDistance(table, w);
  return { ood, boxExcess, inRegion: boxExcess <= tol && ood <= region.radius + tol };
}

/**
 * The feasible set a trust region defines at its fidelity, as methods see it
 * (`MethodContext.feasible`): the region's box (`upper`; no lower bound beyond the simplex) and
 * radius around the table's mixtures. Its `contains` is {@linkcode checkRegion}'s verdict.
 *
 * @example
 * ```ts
 * import { regionFeasibleSet, type TrustRegion } from "./surrogate_card.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * const region = { upper: [1, 0.5], radius: 0.4 } as unknown as TrustRegion;
 * const set = regionFeasibleSet(region, "1M", new Float64Array([0.8, 0.2, 0.6, 0.4]));
 * assertEquals([set.contains([0.7, 0.3]), set.contains([0.3, 0.7])], [true, false]);
 * ```
 * @param region The region (`upper`, `radius`).
 * @param fidelity Its fidelity id.
 * @param table The table's mixtures at the fidelity, row-major.
 * @returns The feasible set.
 */
export function regionFeasibleSet(
  region: Pick<TrustRegion, "upper" | "radius">,
  fidelity: string,
  table: Float64Array,
): FeasibleSet {
  return new FeasibleSet({ fidelity, upper: region.upper, radius: region.radius, anchors: table });
}

/** Reference values computed on a passing surrogate, under its trust region. */
export interface SurrogateReference {
  /** f₀: the mean of the table's runs at the fidelity (not a model answer). */
  readonly zero: number;
  /** Best of the table's runs at the fidelity. */
  readonly tableBest: { readonly value: number; readonly row: number };
  /**
   * Best runner answer found by a Dirichlet search and local refinement inside the trust region
   * (the mean worsened by the region's spread penalty, clipped to the metric's bounds).
   */
  readonly searchBest: {
    /** The runner's answer there (what a method proposing it would see). */
    readonly value: number;
    /** The model's mean there. */
    readonly mean: number;
    readonly mixture: readonly number[];
    /** Ensemble spread of the model there. */
    readonly spread: number;
    /** L1 distance to the nearest table mixture. */
    readonly ood: number;
    readonly samples: number;
    readonly refinementSteps: number;
    /**
     * Present when the gate's direct maximiser (bench/_adversaries.ts) found a better in-region
     * answer than the scan: its recommendation replaced the scan's.
     */
    readonly foundBy?: "adv-direct";
  };
  /** f* = the better of the two. */
  readonly best: number;
  /** Table row of f*, or −1 when it came from the search. */
  readonly bestRow: number;
}

/** A card with its model bytes. */
export interface LoadedSurrogate {
  /** The card. */
  readonly card: SurrogateCard;
  /** The ONNX bytes (sha256 checked). */
  readonly model: Uint8Array;
  /** Path of the card. */
  readonly path: string;
}

/** Root folder of the suite (card paths in task cards are relative to it). */
export const SUITE_ROOT: URL = new URL("../", import.meta.url);

/**
 * Resolves a card path of a task card: absolute paths as they are, others against the suite root.
 *
 * @param path The path as written in the task card.
 * @returns An absolute file path.
 */
export function resolveCardPath(path: string): string {
  return path.startsWith("/") ? path : new URL(path, SUITE_ROOT).pathname;
}

/**
 * Reads a validation card and its .onnx file, and checks the file's sha256.
 *
 * @param path Card path (see {@linkcode resolveCardPath}).
 * @returns The card and the model bytes.
 * @throws {TypeError} When the card is not a surrogate card or the hash differs.
 */
export async function loadSurrogate(path: string): Promise<LoadedSurrogate> {
  const file = resolveCardPath(path);
  const card = JSON.parse(await Deno.readTextFile(file)) as SurrogateCard;
  if (card.schema !== SURROGATE_SCHEMA) {
    throw new TypeError(
      `Cannot read surrogate card "${file}": schema is not "${SURROGATE_SCHEMA}"`,
    );
  }
  const modelPath = new URL(card.model.file, `file://${file}`).pathname;
  const model = await Deno.readFile(modelPath);
  const hash = await sha256(model);
  if (hash !== card.model.sha256) {
    throw new TypeError(
      `Surrogate model "${modelPath}" has sha256 "${hash}", its card says "${card.model.sha256}"`,
    );
  }
  return { card, model, path: file };
}

/**
 * Hex sha256 of bytes.
 *
 * @param bytes The data.
 * @returns 64 hex digits.
 */
export async function sha256(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}
