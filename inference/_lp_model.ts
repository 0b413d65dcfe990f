/**
 * The HiGHS side shared by the mixture-LP solvers (`lp.ts`, `interval_lp.ts`, `cuts.ts`): loading
 * the WebAssembly solver once, the model over the proportions α with Σα = 1, rows and columns
 * appended in one batched call per round, the deletion of rows that stayed non-binding, and the
 * result record summed from the slacks.
 *
 * @module
 */

import highsLoader from "highs";
import type { Highs, InitOptions, Model } from "highs";

/** The LP's answer. */
export interface LpResult {
  /** Estimated proportions, in category order. */
  readonly alpha: readonly number[];
  /** Optimal objective Σ v^(t) + Σ v_p (unscaled: normalised-count units). */
  readonly objective: number;
  /** Σ_t v^(t) (unscaled). */
  readonly stepSlack: number;
  /** Σ_p v_p (unscaled). */
  readonly pairSlack: number;
  /** Steps with a positive slack. */
  readonly activeSteps: number;
  /** Pairs with a positive slack. */
  readonly activePairs: number;
  /** LP solves (rounds of constraint generation). */
  readonly rounds: number;
  /** Constraints added over all rounds (Σα = 1 excluded). */
  readonly constraints: number;
  /** Constraints in the final LP (fewer than `constraints` when `dropAfter` deleted some). */
  readonly finalRows: number;
  /** Pair-slack variables created. */
  readonly pairVars: number;
  /** Milliseconds spent in HiGHS. */
  readonly solveMs: number;
  /** Milliseconds spent walking the merge steps. */
  readonly walkMs: number;
}

let highs: Promise<Highs> | undefined;

/** Loads HiGHS once per process. */
export function loadHighs(): Promise<Highs> {
  // The package is CommonJS with ESM typings: its default export is the loader at run time.
  const load = highsLoader as unknown as (o: InitOptions) => Promise<Highs>;
  return highs ??= load({});
}

/** HiGHS's model status "optimal". */
export const OPTIMAL = 7;

/**
 * Runs HiGHS on the model (warm when it was solved before) and times the run; `report` gets the
 * milliseconds before the status is checked.
 *
 * @returns The milliseconds of the run.
 * @throws {Error} `${what}: HiGHS model status … (not optimal)` when HiGHS reports no optimum.
 */
export function runOptimal(model: Model, what: string, report?: (ms: number) => void): number {
  const s0 = performance.now();
  const res = model.run();
  const ms = performance.now() - s0;
  report?.(ms);
  if (res.modelStatus !== OPTIMAL) {
    throw new Error(`${what}: HiGHS model status ${res.modelStatus} (not optimal)`);
  }
  return ms;
}

/** Options of {@linkcode simplexModel}. */
export interface SimplexModelOptions {
  /** Turn HiGHS's presolve off (re-solves warm from the basis). @default {false} */
  readonly presolveOff?: boolean;
  /** Extra HiGHS options (name → value), set after the defaults. */
  readonly highsOptions?: Readonly<Record<string, string | number | boolean>>;
  /** Fix α at these values (bounds lower = upper) instead of [0, 1]. */
  readonly alphaFixed?: readonly number[] | undefined;
}

/**
 * A new HiGHS model with output off: columns α_0..α_{n−1} in [0, 1] (or fixed), then `extra`
 * columns of cost 1 in [0, ∞), and the row Σα = 1 (row 0). The caller disposes it (it is
 * disposed here when an option is refused).
 */
export function simplexModel(
  h: Highs,
  n: number,
  extra: number,
  opts: SimplexModelOptions = {},
): Model {
  const model = h.createModel();
  try {
    model.options.set("output_flag", false);
    if (opts.presolveOff) model.options.set("presolve", "off");
    for (const [k, v] of Object.entries(opts.highsOptions ?? {})) {
      (model.options.set as (k: string, v: string | number | boolean) => void)(k, v);
    }
    const none = { indices: [] as number[], values: [] as number[] };
    const a0 = opts.alphaFixed;
    for (let i = 0; i < n; i++) model.addCol(0, a0 ? a0[i]! : 0, a0 ? a0[i]! : 1, none);
    for (let j = 0; j < extra; j++) model.addCol(1, 0, Infinity, none);
    model.addRow(1, 1, { indices: [...Array(n).keys()], values: new Array(n).fill(1) });
  } catch (e) {
    model.dispose();
    throw e;
  }
  return model;
}

/**
 * Appends empty columns (no entries in the `numRows` existing rows) in one call: costs and lower
 * bounds as given, upper bounds ∞.
 */
export function appendCols(
  model: Model,
  numRows: number,
  cost: Float64Array,
  lower: Float64Array,
): void {
  const nc = cost.length;
  model.addCols({
    cost,
    lower,
    upper: new Float64Array(nc).fill(Infinity),
    matrix: {
      format: "csc",
      numRows,
      numCols: nc,
      starts: new Int32Array(nc + 1),
      indices: new Int32Array(0),
      values: new Float64Array(0),
    },
  });
}

/**
 * Rows `Σ_i coef_i α_i + v_1 x_{c_1} + v_2 x_{c_2} ≥ 0` gathered in CSR form and appended in one
 * call (HiGHS updates its internal state per call, so row-by-row appends cost more than a solve).
 */
export class RowBatch {
  #starts: number[] = [0];
  #indices: number[] = [];
  #values: number[] = [];

  /** Rows gathered so far. */
  get size(): number {
    return this.#starts.length - 1;
  }

  /** Adds a row: the nonzero α coefficients, then the two other columns and their values. */
  add(coef: ArrayLike<number>, c1: number, v1: number, c2: number, v2: number): void {
    for (let i = 0; i < coef.length; i++) {
      if (coef[i] !== 0) {
        this.#indices.push(i);
        this.#values.push(coef[i]!);
      }
    }
    this.#indices.push(c1, c2);
    this.#values.push(v1, v2);
    this.#starts.push(this.#indices.length);
  }

  /** Appends the rows (lower 0, upper ∞) to a model of `numCols` columns; none: no call. */
  appendTo(model: Model, numCols: number): void {
    const m = this.size;
    if (m === 0) return;
    model.addRows({
      lower: new Float64Array(m),
      upper: new Float64Array(m).fill(Infinity),
      matrix: {
        format: "csr",
        numRows: m,
        numCols,
        starts: Int32Array.from(this.#starts),
        indices: Int32Array.from(this.#indices),
        values: Float64Array.from(this.#values),
      },
    });
  }
}

/**
 * The generated rows of a model after its row 0 (Σα = 1), each with a key (negative: never
 * deleted) and the rounds it has been non-binding.
 */
export class RowPool {
  #key: number[] = [];
  #idle: number[] = [];

  /** Rows in the pool (the model has one more). */
  get size(): number {
    return this.#key.length;
  }

  /** Records a row appended to the model. */
  push(key: number): void {
    this.#key.push(key);
    this.#idle.push(0);
  }

  /**
   * Counts a round: a row with a key ≥ 0 whose activity exceeds `tol` (a surplus) is idle one
   * round more, else its count restarts; rows idle `dropAfter` rounds are deleted from the model
   * and their keys from `have`.
   *
   * @returns The rows deleted.
   */
  dropIdle(model: Model, act: ArrayLike<number>, opts: DropOptions): number {
    const { tol, dropAfter, have } = opts;
    const drop: number[] = [];
    const keepKey: number[] = [], keepIdle: number[] = [];
    for (let k = 0; k < this.#key.length; k++) {
      const key = this.#key[k]!;
      const idle = key >= 0 && act[k + 1]! > tol ? this.#idle[k]! + 1 : 0;
      if (idle >= dropAfter) {
        drop.push(k + 1);
        have.delete(key);
      } else {
        keepKey.push(key);
        keepIdle.push(idle);
      }
    }
    if (drop.length > 0) model.deleteRows({ kind: "set", indices: drop });
    this.#key = keepKey;
    this.#idle = keepIdle;
    return drop.length;
  }
}

/** Options of {@linkcode RowPool.dropIdle}. */
export interface DropOptions {
  /** Activity above which a row is non-binding (scaled units). */
  readonly tol: number;
  /** Idle rounds after which a row is deleted (> 0). */
  readonly dropAfter: number;
  /** The keys of the rows present; deleted rows' keys are removed. */
  readonly have: Set<number>;
}

/** Sums of the slacks (scaled units) and the counts of positive ones. */
export interface SlackTotals {
  /** Σ_t v^(t). */
  readonly stepSlack: number;
  /** Σ_p v_p. */
  readonly pairSlack: number;
  /** Steps with v^(t) > 1e-9. */
  readonly activeSteps: number;
  /** Pairs with v_p > 1e-9. */
  readonly activePairs: number;
  /** Pairs with a slack column (all pairs without `vpCol`). */
  readonly pairVars: number;
}

/** Totals of step slacks `vt` and pair slacks `vp` (only pairs with a column when `vpCol` is given). */
export function slackTotals(vt: Float64Array, vp: Float64Array, vpCol?: Int32Array): SlackTotals {
  let stepSlack = 0, pairSlack = 0, activeSteps = 0, activePairs = 0, pairVars = 0;
  for (let t = 0; t < vt.length; t++) {
    stepSlack += vt[t]!;
    if (vt[t]! > 1e-9) activeSteps++;
  }
  for (let p = 0; p < vp.length; p++) {
    if (vpCol && vpCol[p]! < 0) continue;
    pairVars++;
    pairSlack += vp[p]!;
    if (vp[p]! > 1e-9) activePairs++;
  }
  return { stepSlack, pairSlack, activeSteps, activePairs, pairVars };
}

/** The bookkeeping of a constraint-generation solve. */
export interface LpBook {
  /** LP solves. */
  readonly rounds: number;
  /** Rows added over all rounds. */
  readonly constraints: number;
  /** Rows in the final LP (Σα = 1 excluded). */
  readonly finalRows: number;
  /** Milliseconds in HiGHS. */
  readonly solveMs: number;
  /** Milliseconds walking the merge steps. */
  readonly walkMs: number;
}

/**
 * The result record of a constraint-generation solve: α normalised, slacks and objective divided
 * by the coefficient scale `s`.
 */
export function lpResult(
  alpha: Float64Array,
  slack: { vt: Float64Array; vp: Float64Array; vpCol: Int32Array; s: number },
  book: LpBook,
): LpResult {
  const { s } = slack;
  const tot = slackTotals(slack.vt, slack.vp, slack.vpCol);
  const sum = alpha.reduce((a, b) => a + b, 0);
  return {
    alpha: Array.from(alpha, (a) => a / sum),
    objective: (tot.stepSlack + tot.pairSlack) / s,
    stepSlack: tot.stepSlack / s,
    pairSlack: tot.pairSlack / s,
    activeSteps: tot.activeSteps,
    activePairs: tot.activePairs,
    rounds: book.rounds,
    constraints: book.constraints,
    finalRows: book.finalRows,
    pairVars: tot.pairVars,
    solveMs: book.solveMs,
    walkMs: book.walkMs,
  };
}

/** Reads α (clipped at 0), the step slacks and the pair slacks that have a column from `x`. */
export function readSlacks(
  x: ArrayLike<number>,
  alpha: Float64Array,
  slack: { vt: Float64Array; vp: Float64Array; vpCol: Int32Array },
): void {
  const n = alpha.length, { vt, vp, vpCol } = slack;
  for (let i = 0; i < n; i++) alpha[i] = Math.max(0, x[i]!);
  for (let t = 0; t < vt.length; t++) vt[t] = x[n + t]!;
  for (let p = 0; p < vp.length; p++) if (vpCol[p]! >= 0) vp[p] = x[vpCol[p]!]!;
}
