/**
 * `skill-it` — Skill-It (Chen, Roberts, Bhatia, Wang, Zhang, Sala, Ré, NeurIPS 2023, §3 and
 * Algorithm 1; the SlimPajama port in `HazyResearch/aioli`, `trainer/skillit_trainer.py` and
 * `mixing_law_fitting.py skills_graph`; methods.md §7). **Skills graph**: one auxiliary run per
 * training domain j trained on j alone (charged: `aux:train`, `aux:valid`);
 * `S[j][i] = (L_i(start) − L_i(end)) / L_i(start)` for every evaluation domain i (the training
 * domains). **Online**: `p⁰_j ∝ exp(η Σ_i S[j][i])` (a loss vector of ones); every U steps the
 * per-domain validation losses are read (charged) and `p_j ∝ exp(η Σ_i S[j][i] Σ_{last w} L_i)`,
 * recomputed from scratch (not multiplied onto p). η = 0.2 and w = 3 (the port's scripts).
 *
 * Departures: the single-domain runs are cut to a quarter of the run's steps (the port trains
 * them for the whole run; a quarter keeps their cost — k quarter-runs — within the task's budget
 * at M); U = steps / 16 (the port: 400 of 40 000 steps, i.e. 100 rounds, which at 64 steps would
 * be a validation pass every step); losses in nats per byte on the fidelity's validation subset.
 *
 * @module
 */

import type { OnlineEnv, OnlineMethodFactory } from "../../core/online.ts";

/**
 * The skills graph from per-run validation losses at the start and end of each single-domain
 * run: `S[j][i] = (start_j[i] − end_j[i]) / start_j[i]`.
 *
 * @example
 * ```ts
 * import { skillsGraph } from "./skill_it.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * assertEquals(skillsGraph([[4, 4], [4, 4]], [[2, 3], [4, 1]]), [[0.5, 0.25], [0, 0.75]]);
 * ```
 */
export function skillsGraph(
  start: readonly (readonly number[])[],
  end: readonly (readonly number[])[],
): number[][] {
  return start.map((s, j) => s.map((x, i) => (x - end[j]![i]!) / x));
}

/**
 * Skill-It's weights: `p_j ∝ exp(η Σ_i S[j][i] L_i)`.
 *
 * @example
 * ```ts
 * import { skillItWeights } from "./skill_it.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * // S·L = [0.5·2 + 0.25·4, 0·2 + 0.75·4] = [2, 3]; η = 1: p ∝ [e², e³]
 * const p = skillItWeights([[0.5, 0.25], [0, 0.75]], [2, 4], 1);
 * assertEquals(p.map((x) => x.toFixed(12)), [1 / (1 + Math.E), Math.E / (1 + Math.E)].map((x) => x.toFixed(12)));
 * ```
 */
export function skillItWeights(
  S: readonly (readonly number[])[],
  loss: readonly number[],
  eta: number,
): number[] {
  const z = S.map((row) => eta * row.reduce((s, x, i) => s + x * loss[i]!, 0));
  const m = Math.max(...z);
  const e = z.map((x) => Math.exp(x - m));
  const sum = e.reduce((s, x) => s + x, 0);
  return e.map((x) => x / sum);
}

const nats = (xs: readonly number[]) => xs.map((x) => x * Math.LN2);

/** Skill-It with step size η, window w and graph runs of `graphShare` of the run's steps. */
export function skillItWith(
  o: { eta: number; window: number; graphShare: number; rounds: number },
): OnlineMethodFactory {
  return {
    id: "skill-it",
    version: "1",
    description:
      "Skill-It: skills graph from single-domain runs, then p ∝ exp(η S·(sum of last 3 losses))",
    start(env0) {
      const k = env0.domains;
      const start: number[][] = [];
      const end: number[][] = [];
      for (let j = 0; j < k; j++) {
        const run: OnlineEnv = env0.open(Array.from({ length: k }, (_, i) => (i === j ? 1 : 0)));
        start.push(nats(run.validLoss()));
        run.train(Math.max(1, Math.round(run.steps * o.graphShare)));
        end.push(nats(run.validLoss()));
      }
      const S = skillsGraph(start, end);
      let p = skillItWeights(S, new Array(k).fill(1), o.eta);
      const history: number[][] = [];
      const every = Math.max(1, Math.round(env0.steps / o.rounds));
      return {
        round(env) {
          env.setWeights(p);
          env.train(Math.min(every, env.steps - env.step));
          if (env.step >= env.steps) return;
          history.push(nats(env.validLoss()));
          const recent = history.slice(-o.window);
          const sum = Array.from({ length: k }, (_, i) => recent.reduce((s, l) => s + l[i]!, 0));
          p = skillItWeights(S, sum, o.eta);
        },
        finish: () => ({}),
      };
    },
  };
}

/** Skill-It: η = 0.2, window 3, quarter-length graph runs, 16 rounds. */
export const skillIt: OnlineMethodFactory = skillItWith({
  eta: 0.2,
  window: 3,
  graphShare: 0.25,
  rounds: 16,
});
