/**
 * `stratified` — uniform sampling over the training domains for the whole run, no signal read:
 * the mandatory do-nothing baseline of the online track (Chen et al., 2025, Aioli,
 * arXiv:2411.05735, §5 "stratified sampling"; methods.md §4, §20.6). Its cost is the run itself.
 *
 * @module
 */

import type { OnlineMethodFactory } from "../../core/online.ts";

/** Equal weights on every training domain throughout; static mixture = uniform. */
export const stratified: OnlineMethodFactory = {
  id: "stratified",
  version: "1",
  description: "Online baseline: uniform sampling over the training domains throughout",
  start(env) {
    const w = new Array(env.domains).fill(1 / env.domains);
    return {
      round(env) {
        env.setWeights(w);
        env.train(env.steps - env.step);
      },
      finish: () => ({ mixture: w }),
    };
  },
};
