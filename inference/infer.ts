/**
 * Data mixture inference end to end (Hayase et al. 2024, arXiv 2407.16607; methods.md §18):
 * pre-tokenise each category sample like the tokenizer, replay its first T merges, solve the LP,
 * and compute two simple baselines.
 *
 * The LP's α weighs categories by their pair counts normalised by d_i (the reference's default
 * "pairs" denominator), i.e. α estimates each category's share of the tokenizer's training pairs.
 * {@linkcode Inference.alphaBytes} converts it to byte shares with each sample's bytes per pair
 * (α_i · b_i/d_i, renormalised), which is what a mixture defined by bytes should be compared to.
 *
 * Baselines (not from the paper's code; simple stand-ins of the kinds its §5 compares against):
 * - `efficiency`: α_i ∝ 1 − tokens_i(T)/bytes_i, the fraction of tokens the T merges save on
 *   category i (a tokenizer encodes its training data more efficiently);
 * - `mergeVotes`: α_i ∝ the number of merges whose pair has its largest normalised count
 *   c_i^(t)(m^(t))/d_i in category i (vocabulary analysis by merge-token frequency).
 *
 * @module
 */

import { mergeIds, type MergeList, type PairStats, replayMerges } from "./bpe.ts";
import { type LpOptions, type LpResult, solveMixtureLp } from "./lp.ts";
import { type CutOptions, solveMixtureCuts } from "./cuts.ts";
import { solveMixtureIntervalLp } from "./interval_lp.ts";
import { compilePattern, countWords } from "./pretokenize.ts";

/** Thrown for unusable category samples. */
export class SampleError extends Error {
  override name = "SampleError";
}

/** A category's sample text. */
export interface CategorySample {
  /** Category name. */
  readonly name: string;
  /** The text. */
  readonly text: string;
}

/** Options of {@linkcode inferMixture}. */
export interface InferOptions extends LpOptions {
  /** Merges used (T). @default {min(30000, all)} */
  readonly mergesUsed?: number;
  /**
   * Merges applied to the samples before the T used ones (the LP sees merges skip+1..skip+T):
   * for a tokenizer that extends another's merge list, as the paper analyses Llama 3's extension
   * of GPT-3.5's list (Hayase et al. 2024, §5). @default {0}
   */
  readonly mergesSkipped?: number;
  /**
   * LP solver: `lp` (lazy constraint generation on the full LP, HiGHS; {@linkcode solveMixtureLp}),
   * `interval` (the same LP in a compact form whose rows cover runs of steps, lazy rows, HiGHS;
   * `solveMixtureIntervalLp` in `interval_lp.ts`) or `cuts` (level bundle method over α with an
   * exact matching oracle; `solveMixtureCuts` in `cuts.ts`). All solve the same LP to its optimum.
   * `auto` picks by T: `interval` from {@linkcode AUTO_INTERVAL_T} merges on (with `maxAdd`
   * 5000 unless given: measured 2–10× faster there, same optimum; README "Inference track"),
   * `lp` below it (as fast at T = 1000).
   * @default {"auto"}
   */
  readonly solver?: "auto" | "lp" | "interval" | "cuts";
  /** Continuation of the `interval` solver (its `prefixes`; default there). */
  readonly prefixes?: readonly number[];
  /** Solver of the `interval` solver's fixed-α phase (its `fixedPhase`; default there). */
  readonly fixedPhase?: "highs" | "network";
  /** Options of the `cuts` solver. */
  readonly cuts?: CutOptions;
}

/** The result of {@linkcode inferMixture}. */
export interface Inference {
  /** Category names. */
  readonly names: readonly string[];
  /** Merges used. */
  readonly T: number;
  /** LP estimate (pair shares). */
  readonly alpha: readonly number[];
  /** LP estimate converted to byte shares. */
  readonly alphaBytes: readonly number[];
  /** Baseline estimates (byte-share scale is not defined for them; they are plain shares). */
  readonly baselines: {
    readonly efficiency: readonly number[];
    readonly mergeVotes: readonly number[];
  };
  /** The solver that ran (`auto` resolved). */
  readonly solver: "lp" | "interval" | "cuts";
  /** The LP's bookkeeping. */
  readonly lp: LpResult;
  /** Milliseconds spent pre-tokenising and replaying merges. */
  readonly replayMs: number;
}

/** From this many merges on, `solver: "auto"` runs the interval form. */
export const AUTO_INTERVAL_T = 3000;

/** New rows per round of the interval form when `auto` picks it and `maxAdd` is not given. */
const AUTO_INTERVAL_MAX_ADD = 5000;

/** The solver `auto` stands for at T merges; other choices unchanged. */
export function resolveSolver(
  solver: "auto" | "lp" | "interval" | "cuts",
  T: number,
): "lp" | "interval" | "cuts" {
  if (solver !== "auto") return solver;
  return T >= AUTO_INTERVAL_T ? "interval" : "lp";
}

/**
 * Infers the mixture proportions of a merge list's training data over the given categories.
 *
 * @param list The merge list (and its pre-tokenisation).
 * @param samples One sample per category (at least two, distinct names, non-empty).
 * @param opts Options.
 * @returns The estimate, the LP's bookkeeping and the baselines.
 * @throws {SampleError} On fewer than two categories, a duplicate name or an empty sample.
 */
export async function inferMixture(
  list: MergeList,
  samples: readonly CategorySample[],
  opts: InferOptions = {},
): Promise<Inference> {
  if (samples.length < 2) {
    throw new SampleError(`need samples of at least two categories, got ${samples.length}`);
  }
  const seen = new Set<string>();
  for (const s of samples) {
    if (seen.has(s.name)) throw new SampleError(`category "${s.name}" is given twice`);
    seen.add(s.name);
  }
  const re = compilePattern(list.pattern);
  const t0 = performance.now();
  const words = samples.map((s) => {
    const w = countWords(list.normalize ? s.text.normalize(list.normalize) : s.text, re);
    let pairs = 0;
    for (const [k, c] of w) pairs += (k.length - 1) * c;
    if (pairs === 0) throw new SampleError(`the sample of category "${s.name}" is empty`);
    return { name: s.name, words: w };
  });
  const skip = Math.min(opts.mergesSkipped ?? 0, list.merges.length);
  const T = Math.min(opts.mergesUsed ?? 30000, list.merges.length - skip);
  const stats = replayMerges(words, mergeIds(list, skip + T), skip);
  const replayMs = performance.now() - t0;
  const solver = resolveSolver(opts.solver ?? "auto", T);
  if (solver === "interval" && opts.solver !== "interval" && opts.maxAdd === undefined) {
    opts = { ...opts, maxAdd: AUTO_INTERVAL_MAX_ADD };
  }
  const lp = solver === "cuts"
    ? await solveMixtureCuts(stats, {
      ...(opts.tol !== undefined ? { tol: opts.tol } : {}),
      ...(opts.scale !== undefined ? { scale: opts.scale } : {}),
      ...opts.cuts,
    })
    : solver === "interval"
    ? await solveMixtureIntervalLp(stats, opts)
    : await solveMixtureLp(stats, opts);
  return {
    names: stats.names,
    T,
    alpha: lp.alpha,
    alphaBytes: toByteShares(stats, lp.alpha),
    baselines: { efficiency: efficiencyBaseline(stats), mergeVotes: mergeVoteBaseline(stats) },
    solver,
    lp,
    replayMs,
  };
}

const normalise = (x: readonly number[]): number[] => {
  const s = x.reduce((a, b) => a + b, 0);
  return s > 0 ? x.map((v) => v / s) : x.map(() => 1 / x.length);
};

/**
 * Converts pair shares to byte shares with each sample's bytes per initial pair.
 *
 * @param stats Pair statistics.
 * @param alpha Pair shares.
 * @returns Byte shares.
 */
export function toByteShares(stats: PairStats, alpha: readonly number[]): number[] {
  return normalise(alpha.map((a, i) => a * stats.tokens0[i]! / stats.pairs0[i]!));
}

/**
 * Encoding-efficiency baseline: α_i ∝ 1 − tokens after T merges / bytes.
 *
 * @param stats Pair statistics.
 * @returns Shares.
 */
export function efficiencyBaseline(stats: PairStats): number[] {
  return normalise(
    stats.names.map((_, i) => Math.max(0, 1 - stats.tokensT[i]! / stats.tokens0[i]!)),
  );
}

/**
 * Merge-frequency baseline: α_i ∝ merges whose normalised count is largest in category i.
 *
 * @param stats Pair statistics.
 * @returns Shares.
 */
export function mergeVoteBaseline(stats: PairStats): number[] {
  const n = stats.names.length, votes = new Array<number>(n).fill(0);
  for (let t = 0; t < stats.T; t++) {
    let best = -1, bv = 0;
    for (let i = 0; i < n; i++) {
      const v = stats.mergedCount[t * n + i]! / stats.pairs0[i]!;
      if (v > bv) {
        bv = v;
        best = i;
      }
    }
    if (best >= 0) votes[best]!++;
  }
  return normalise(votes);
}
