/**
 * Lines of the Inference track (infer.jsonl): one tokenizer whose training mixture is inferred
 * from its merge list (Hayase et al. 2024; methods.md §18). Known-mixture lines carry the truth;
 * real-tokenizer lines carry the published estimates they are compared with instead.
 *
 * @module
 */

import { readJsonLines } from "./results.ts";

/** Schema id of infer.jsonl lines. */
export const INFER_SCHEMA = "mixbench.infer/1";

/** One inferred tokenizer. */
export interface InferLine {
  readonly schema: typeof INFER_SCHEMA;
  /** Line id, e.g. `known-07` or `real-cl100k_base`. */
  readonly id: string;
  /** `known` (a tokenizer trained here on a known mixture) or `real` (a published tokenizer). */
  readonly kind: "known" | "real";
  /** Where the merge list came from (`trained`, or `package@version file`). */
  readonly tokenizer: string;
  /** Split pattern name. */
  readonly pattern: string;
  /** Seed of the mixture draw (known lines). */
  readonly seed?: number;
  /** Categories, in the order of every vector below. */
  readonly categories: readonly string[];
  /** True byte proportions of the tokenizer's training text (known lines). */
  readonly truth?: readonly number[];
  /** Merges the tokenizer has (trained or read). */
  readonly merges: number;
  /** Merges used by the inference (T). */
  readonly mergesUsed: number;
  /** Merges applied before the used ones (a tokenizer analysed on its extension of another list). */
  readonly mergesSkipped?: number;
  /** Bytes of tokenizer training text (known lines). */
  readonly trainBytes?: number;
  /** Bytes of each category sample. */
  readonly sampleBytes: readonly number[];
  /** Estimates by estimator: `lp` (byte shares), `lp-pairs` (the LP's own pair shares), baselines. */
  readonly estimates: Readonly<Record<string, readonly number[]>>;
  /**
   * The LP solver: `lp` (lazy constraint generation with HiGHS; also when absent), `interval` (the
   * same LP in its compact interval form, HiGHS; `constraints` counts the compact form's rows) or
   * `cuts` (the level bundle method over α; then `rounds` counts its iterations, `constraints` its
   * candidate edges and `solveMs` its matchings and master LPs). All reach the same optimum.
   */
  readonly solver?: "lp" | "interval" | "cuts";
  /** The LP's bookkeeping. */
  readonly lp: {
    readonly objective: number;
    readonly stepSlack: number;
    readonly pairSlack: number;
    readonly rounds: number;
    readonly constraints: number;
    readonly solveMs: number;
    readonly walkMs: number;
  };
  /** Milliseconds: tokenizer training (known lines), sample replay. */
  readonly trainMs?: number;
  readonly replayMs: number;
  /** The LP's byte shares summed over the category groups the paper reports (real lines). */
  readonly grouped?: Readonly<Record<string, number>>;
  /** Published estimates for the same tokenizer (real lines), with their source. */
  readonly published?: {
    readonly source: string;
    readonly values: Readonly<Record<string, number>>;
  };
}

/**
 * Reads infer.jsonl (a missing file reads as no lines).
 *
 * @param path The file.
 * @returns The lines in file order.
 */
export function readInferLines(path: string): Promise<InferLine[]> {
  return readJsonLines<InferLine>(path, INFER_SCHEMA);
}

/**
 * Mean absolute error and mean squared error of an estimate against the truth.
 *
 * @example
 * ```ts
 * import { estimateErrors } from "./infer.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * assertEquals(estimateErrors([0.5, 0.5], [0.25, 0.75]), { mae: 0.25, mse: 0.0625 });
 * ```
 * @param truth True proportions.
 * @param estimate Estimated proportions.
 * @returns MAE and MSE over the categories.
 */
export function estimateErrors(
  truth: readonly number[],
  estimate: readonly number[],
): { mae: number; mse: number } {
  let a = 0, s = 0;
  truth.forEach((t, i) => {
    const d = (estimate[i] ?? 0) - t;
    a += Math.abs(d);
    s += d * d;
  });
  return { mae: a / truth.length, mse: s / truth.length };
}
