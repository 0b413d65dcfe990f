/**
 * RegMix's swarm sampler and simulation search (Liu et al., 2024, arXiv:2407.01492; methods.md
 * §1, `mixture_config/synthesize_mixture.py` and notebook cells 16–18), for runners that accept
 * any mixture (continuous mode) and for the batched scoring of candidate mixtures.
 *
 * Departure: numpy's random streams cannot be reproduced in TypeScript; draws follow the same
 * distributions from this suite's seeded generator.
 *
 * Which swarm: this is the sampler script's swarm with its default constants — what the
 * continuous tasks draw from (pool tasks draw from the table's own published runs instead). The
 * published RegMix 1M swarm is denser than these defaults produce (9.33 against 5.98 non-zero
 * weights per row at 3 decimals; mean largest weight 0.536 against 0.660: issue 22's audit), so
 * a swarm drawn here is sparser than the runs the surrogates were fitted on.
 *
 * @module
 */

import { dirichlet } from "../numerics/stats/gamma.ts";
import type { Rng } from "../numerics/rng.ts";
import { dirichletSampler, scoreTopKSync } from "../numerics/topk.ts";
import { normalize } from "../core/mixture.ts";
import type { Mixture } from "../core/types.ts";

/** Options of {@linkcode regmixSwarm}; defaults are the reference script's constants. */
export interface SwarmSamplerOptions {
  /** Exponent applied to the prior for the Dirichlet base. @default {0.5} */
  temperature?: number;
  /** Smallest Dirichlet strength. @default {0.1} */
  minStrength?: number;
  /** Largest Dirichlet strength. @default {5} */
  maxStrength?: number;
  /** Number of log-spaced strengths. @default {15} */
  strengths?: number;
  /** Candidates drawn per kept configuration. @default {100} */
  sampleMultiplier?: number;
  /** Epoch cap: weight j may not exceed min(maxUsage · prior_j, 1). @default {15} */
  maxUsage?: number;
  /** Weights below this become 0; weights are rounded to multiples of it. @default {2e-4} */
  minimum?: number;
  /**
   * A further rejection rule on the rounded, renormalised candidate (e.g. the task's feasible
   * set): candidates it refuses are dropped like those above the epoch cap. @default {none}
   */
  accept?: (row: readonly number[]) => boolean;
}

/**
 * Draws a RegMix swarm: for each of N·multiplier candidates a strength is picked uniformly from
 * 15 log-spaced values in [0.1, 5] and x ~ Dirichlet(p^0.5 · strength) (tempered, renormalised
 * prior); candidates with a weight above min(15·p_j, 1) (untempered prior) are rejected; weights
 * below 2e-4 are zeroed, the rest renormalised and rounded to multiples of 2e-4; near-duplicates
 * (L1 ≤ 1e-5 to the previous row in lexicographic order, last column the primary key) are
 * dropped; N rows are returned, drawn without replacement. With `accept`, candidates it refuses
 * (after rounding and renormalising) are rejected too: the swarm is drawn from the sampler's
 * distribution restricted to what `accept` allows.
 *
 * @param prior Natural mixture (renormalised here).
 * @param n Swarm size N.
 * @param rng Random stream.
 * @param options The reference constants.
 * @returns N mixtures (fewer if fewer distinct candidates survive).
 */
export function regmixSwarm(
  prior: Mixture,
  n: number,
  rng: Rng,
  options: SwarmSamplerOptions = {},
): number[][] {
  const temp = options.temperature ?? 0.5;
  const lo = options.minStrength ?? 0.1;
  const hi = options.maxStrength ?? 5;
  const k = options.strengths ?? 15;
  const mult = options.sampleMultiplier ?? 100;
  const usage = options.maxUsage ?? 15;
  const minimum = options.minimum ?? 2e-4;
  const m = prior.length;
  const ps = prior.reduce((a, b) => a + b, 0);
  const p = prior.map((x) => x / ps);
  const bound = p.map((x) => Math.min(usage * x, 1));
  const tp = temp < 1 ? p.map((x) => x ** temp) : p;
  const ts = tp.reduce((a, b) => a + b, 0);
  const base = tp.map((x) => x / ts);
  const strengths = Array.from(
    { length: k },
    (_, i) => lo * (hi / lo) ** (k === 1 ? 0 : i / (k - 1)),
  );
  const alpha = new Float64Array(m);
  const x = new Float64Array(m);
  const kept: number[][] = [];
  for (let c = 0; c < n * mult; c++) {
    const s = strengths[rng.int(k)]!;
    for (let j = 0; j < m; j++) alpha[j] = base[j]! * s;
    dirichlet(rng, alpha, x);
    let ok = true;
    for (let j = 0; j < m; j++) if (x[j]! > bound[j]!) ok = false;
    if (!ok) continue;
    let sum = 0;
    for (let j = 0; j < m; j++) {
      if (x[j]! < minimum) x[j] = 0;
      sum += x[j]!;
    }
    const row = Array.from(x, (v) => Math.round(v / sum / minimum) * minimum);
    if (options.accept && !options.accept(normalize(row))) continue;
    kept.push(row);
  }
  kept.sort((a, b) => {
    for (let j = m - 1; j >= 0; j--) if (a[j] !== b[j]) return a[j]! - b[j]!;
    return 0;
  });
  const unique: number[][] = [];
  for (const row of kept) {
    const last = unique[unique.length - 1];
    if (!last || row.reduce((d, v, j) => d + Math.abs(v - last[j]!), 0) > 1e-5) unique.push(row);
  }
  return rng.shuffle(unique).slice(0, n);
}

/** Options of {@linkcode regmixSearch}. */
export interface SearchOptions {
  /** Dirichlet(prior) samples scored. @default {100000} */
  samples?: number;
  /** Best samples averaged. @default {128} */
  topK?: number;
  /** Rows scored per batch. @default {65536} */
  chunk?: number;
}

/**
 * RegMix's simulation step: score `samples` mixtures x ~ Dirichlet(prior · 1) in chunks, keep a
 * streaming top-k of the lowest predictions (`numerics/topk.ts`; memory O(chunk·m + k·m)), and
 * return the mean of the k best mixtures.
 *
 * @param score Scores a row-major chunk (`rows` × m) into `out` (lower is better).
 * @param prior Dirichlet base (concentration = prior, strength 1).
 * @param rng Random stream.
 * @param options Sample count, k and chunk size.
 * @returns The averaged mixture and the k best predictions, best first.
 */
export function regmixSearch(
  score: (rows: Float64Array, m: number, out: Float64Array) => void,
  prior: Mixture,
  rng: Rng,
  options: SearchOptions = {},
): { mixture: number[]; best: number[] } {
  const m = prior.length;
  const top = scoreTopKSync(
    {
      inputs: m,
      score: (rows, count, out) => score(rows.subarray(0, count * m), m, out.subarray(0, count)),
    },
    dirichletSampler(prior, rng),
    { total: options.samples ?? 100_000, k: options.topK ?? 128, chunk: options.chunk ?? 65_536 },
  );
  const mixture = new Array<number>(m).fill(0);
  for (const x of top.mixtures) {
    for (let j = 0; j < m; j++) mixture[j]! += x[j]! / top.mixtures.length;
  }
  return { mixture, best: top.values };
}
