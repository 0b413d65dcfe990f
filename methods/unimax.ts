/**
 * `unimax` — UniMax (Chung, Constant, Garcia, Roberts, Tay, Narang, Firat; ICLR 2023;
 * arXiv:2304.09151, Algorithm 1 as summarised in methods.md §9): spread the training budget as
 * uniformly as possible over domains, but never repeat a domain more than N epochs; the budget a
 * small domain cannot use goes to the larger ones. Zero-shot: runs nothing.
 *
 * Choices and departures (methods.md marks the algorithm [mem], not verified against the PDF):
 * - Domain sizes are the card's counts when every domain has one, otherwise the prior shares
 *   (only the ratio budget / total size matters).
 * - The budget defaults to one pass over all data (B = Σc) and the epoch cap to N = 4; the
 *   paper's experiments use other budgets (mC4 pre-training) and N values not checked here.
 * - When B exceeds N·Σc every domain is capped; the mixture is the capped allocation
 *   renormalised and the unused remainder is reported by {@linkcode unimaxAllocation}.
 * - In pool mode the mixture is mapped to the nearest target-pool member in L1 distance.
 *
 * @module
 */

import { fixedMixture } from "./_fixed.ts";
import type { MethodFactory } from "../core/method.ts";

/** Result of {@linkcode unimaxAllocation}. */
export interface UniMaxAllocation {
  /** Mixture weights (allocation ÷ allocated total). */
  readonly weights: number[];
  /** Budget given to each domain, in the units of the counts. */
  readonly allocation: number[];
  /** Budget that no domain could take without exceeding N epochs. */
  readonly unused: number;
}

/**
 * UniMax allocation: domains in ascending size order each take min(remaining / domains left,
 * N · size).
 *
 * @example
 * ```ts
 * import { unimaxAllocation } from "./unimax.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * // 300 units over sizes 10, 100, 1000 with at most 2 epochs: 20, then 140, then 140.
 * assertEquals(unimaxAllocation([1000, 10, 100], 300, 2).allocation, [140, 20, 140]);
 * ```
 * @param counts Size of each domain (tokens, characters or samples).
 * @param budget Total training budget in the same unit.
 * @param epochs Maximum epochs per domain (N).
 * @returns Weights, allocation and unused budget.
 */
export function unimaxAllocation(
  counts: readonly number[],
  budget: number,
  epochs: number,
): UniMaxAllocation {
  if (!(budget > 0) || !(epochs > 0)) {
    throw new RangeError(
      `UniMax needs a positive budget and epoch cap, got "${budget}" and "${epochs}"`,
    );
  }
  const m = counts.length;
  const order = counts.map((_, i) => i).sort((a, b) => counts[a]! - counts[b]! || a - b);
  const allocation = new Array<number>(m).fill(0);
  let remaining = budget;
  order.forEach((i, r) => {
    const b = Math.min(remaining / (m - r), epochs * counts[i]!);
    allocation[i] = b;
    remaining -= b;
  });
  const total = budget - remaining;
  return { weights: allocation.map((b) => b / total), allocation, unused: remaining };
}

/** Options of {@linkcode unimax}. */
export interface UniMaxOptions {
  /** Maximum epochs per domain (N). @default {4} */
  epochs?: number;
  /** Training budget as a multiple of the total data size. @default {1} */
  budgetPasses?: number;
}

/**
 * Creates the UniMax baseline.
 *
 * @param options Epoch cap and budget.
 * @returns The method factory.
 */
export function unimax(options: UniMaxOptions = {}): MethodFactory {
  const epochs = options.epochs ?? 4;
  const passes = options.budgetPasses ?? 1;
  return fixedMixture(
    "unimax",
    "1",
    `UniMax: near-uniform budget with at most ${epochs} epochs per domain (budget ${passes}× the data)`,
    (ctx) => {
      const counts = ctx.domains.every((d) => d.count !== undefined)
        ? ctx.domains.map((d) => d.count!)
        : ctx.domains.map((d) => d.prior);
      const total = counts.reduce((a, b) => a + b, 0);
      return unimaxAllocation(counts, passes * total, epochs).weights;
    },
  );
}
