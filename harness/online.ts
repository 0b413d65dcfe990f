/**
 * The harness loop for one **online** cell (task × online method × seed): start the method on a
 * fresh steered run, call its rounds until the run has taken all its steps, then judge
 * (methods.md §20, two modes never mixed):
 *
 * - **in-run**: the final model of the steered run itself (validation losses at the run's
 *   fidelity, the `train` runner's metrics), written under `online.inRun`;
 * - **in-run at equal cost**: the same, beside a `stratified` run given the method's whole cost as
 *   more training of the same run (`online.equalCost`, methods.md §20.3);
 * - **weights-transfer**: the static mixture the method extracts (its own, or the time average of
 *   its schedule, and `online.transfer.source` says which) judged by a fresh run at the task's
 *   target fidelity with the common recipe, written as the line's checkpoints — the same judgement
 *   an offline method's recommendation gets. At a checkpoint whose budget is below what the
 *   online method spent, it has not finished and its recommendation is its initial weights.
 *
 * Every signal is charged through the environment; the harness records the schedule (each weight
 * change with the step it took effect at) and the cost per signal (auxiliary runs, such as a
 * reference model or single-domain runs, under `aux:<signal>`), and converts the total to the
 * task's cost unit for the trajectory (one step: the steered run with everything it used). A cell
 * whose total exceeds the task's budget fails (`BudgetExceededError`), as an offline method would.
 *
 * @module
 */

import { BudgetExceededError, TimeLimitError } from "../core/errors.ts";
import type {
  OnlineBatches,
  OnlineEnv,
  OnlineMethodFactory,
  OnlineRecord,
  ScheduleEntry,
} from "../core/online.ts";
import { validateMixture } from "../core/mixture.ts";
import {
  type CheckpointRecord,
  RESULT_SCHEMA,
  type ResultLine,
  type TrajectoryStep,
} from "../core/results.ts";
import type { Runner } from "../core/runner.ts";
import { gapClosed, type Task } from "../core/task.ts";

/** The steered run as the harness holds it: the method's view plus the judge's. */
export interface JudgedEnv extends OnlineEnv {
  /** Metrics of the current model (uncharged: the judge). */
  metrics(): Record<string, number>;
}

/** Inputs of {@linkcode runOnlineCell}. */
export interface OnlineCellInput {
  /** The resolved `train` task. */
  readonly task: Task;
  /** The online method. */
  readonly factory: OnlineMethodFactory;
  /** Seed of the cell. */
  readonly seed: number;
  /** Suite version written in the line. */
  readonly suite: string;
  /** Cooperative time limit in ms (checked after every round). */
  readonly timeLimitMs: number;
  /** The fidelity of the steered run (written in the line). */
  readonly fidelity: string;
  /** Opens the steered run with the initial weights (uniform). */
  readonly open: (weights: readonly number[]) => JudgedEnv;
  /** Cost units of the environment (byte-passes) per unit of the task's budget. */
  readonly unitCost: number;
  /** Judges a static mixture by a fresh run at the target fidelity (weights-transfer). */
  readonly runner: Runner;
  /**
   * The in-run track's equal-cost baseline: a `stratified` run of the steered run's model and
   * seed given the method's total byte-passes as training (the judge's, not charged to the
   * method). Its result is written as `online.equalCost`; none when absent.
   */
  readonly equalCost?: (bytePasses: number) => Promise<EqualCostRun>;
}

/** What {@linkcode OnlineCellInput.equalCost} returns. */
export interface EqualCostRun {
  /** Fidelity id of the baseline run (`S@864`). */
  readonly fidelity: string;
  /** Steps it trained. */
  readonly steps: number;
  /** Byte-passes its training cost. */
  readonly bytePasses: number;
  /** Metrics of its final model (the `train` runner's: `loss_<domain>`, `avg`, `worst`). */
  readonly metrics: Readonly<Record<string, number>>;
}

const EPS = 1e-9;

/**
 * Runs one online cell and returns its results line. Never throws for a method's fault: the line
 * says `failed` and why.
 *
 * @param input Task, method, seed, environment and judge.
 * @returns The results line, with its `online` record when the run finished.
 */
export async function runOnlineCell(input: OnlineCellInput): Promise<ResultLine> {
  const { task, factory, seed } = input;
  const c = task.card;
  const t0 = performance.now();
  let methodMs = 0;
  let error: { name: string; message: string } | undefined;
  const trajectory: TrajectoryStep[] = [];
  const checkpoints: CheckpointRecord[] = [];
  let online: OnlineRecord | undefined;
  let spent = 0;
  const timed = <T>(f: () => T): T => {
    const s = performance.now();
    try {
      return f();
    } finally {
      methodMs += performance.now() - s;
      if (performance.now() - t0 > input.timeLimitMs) {
        // deno-lint-ignore no-unsafe-finally
        throw new TimeLimitError(input.timeLimitMs);
      }
    }
  };
  try {
    const k = c.train?.domains.length ?? task.table.card.domains.length;
    const initial = new Array(k).fill(1 / k);
    const root = input.open(initial);
    const rec = recordEnv(root, initial);
    const method = timed(() => factory.start(rec.env, seed));
    while (root.step < root.steps) {
      const before = root.step;
      timed(() => method.round(rec.env));
      if (root.step === before) {
        throw new RangeError(`Online method "${factory.id}": a round trained no step`);
      }
    }
    const outcome = timed(() => method.finish());
    const metrics = root.metrics();
    const value = task.objective.evaluate(metrics);
    const averaged = timeAverage(rec.schedule, root.steps);
    const own = outcome?.mixture === undefined
      ? undefined
      : validateMixture(outcome.mixture, k, factory.id);
    const costs = rec.costs();
    const bytePasses = Object.values(costs).reduce((s, x) => s + x, 0);
    spent = round(bytePasses / input.unitCost);
    // Everything the method used counts against the task's budget, as for an offline method.
    if (spent > c.budget + EPS) throw new BudgetExceededError(factory.id, spent, c.budget);
    trajectory.push({
      fidelity: input.fidelity,
      row: -1,
      value,
      cost: spent,
      spent,
    });
    const mixture = own ?? averaged;
    for (const budget of c.checkpoints) {
      const done = spent <= budget + EPS;
      const m = done ? mixture : initial;
      const judged = await input.runner.judge(m);
      checkpoints.push({
        budget,
        spent: done ? spent : 0,
        evaluations: done ? 1 : 0,
        mixture: m.map((x) => Math.round(x * 1e6) / 1e6),
        row: judged.row,
        value: judged.value,
        score: gapClosed(judged.value, c.reference),
      });
    }
    const last = checkpoints[checkpoints.length - 1];
    const equal = input.equalCost ? await input.equalCost(bytePasses) : undefined;
    online = {
      fidelity: input.fidelity,
      steps: root.steps,
      inRun: { value, metrics: roundRecord(metrics) },
      schedule: rec.schedule,
      averaged: averaged.map((x) => Math.round(x * 1e6) / 1e6),
      ...(own ? { mixture: own.map((x) => Math.round(x * 1e6) / 1e6) } : {}),
      cost: costs,
      bytePasses,
      ...(equal
        ? {
          equalCost: {
            fidelity: equal.fidelity,
            steps: equal.steps,
            bytePasses: equal.bytePasses,
            value: task.objective.evaluate(equal.metrics),
          },
        }
        : {}),
      ...(last && last.evaluations === 1
        ? {
          transfer: {
            source: own ? "mixture" as const : "averaged" as const,
            fidelity: c.target.fidelity,
            value: last.value,
          },
        }
        : {}),
    };
  } catch (e) {
    error = e instanceof Error
      ? { name: e.name, message: e.message }
      : { name: "Error", message: String(e) };
  }
  return {
    schema: RESULT_SCHEMA,
    suite: input.suite,
    task: { id: c.id, version: c.version },
    method: factory.id,
    seed,
    runner: "train",
    status: error ? "failed" : "ok",
    ...(error ? { error } : {}),
    budget: c.budget,
    spent: error ? 0 : spent,
    trajectory: error ? [] : trajectory,
    checkpoints: error ? [] : checkpoints,
    ...(online && !error ? { online } : {}),
    timings: { totalMs: Math.round(performance.now() - t0), methodMs: Math.round(methodMs) },
  };
}

/**
 * Wraps the steered run: records each weight change at the step it takes effect, and adds up
 * the cost per signal of the run and of every auxiliary run (`aux:<signal>`).
 */
function recordEnv(root: OnlineEnv, initial: readonly number[]) {
  const schedule: ScheduleEntry[] = [];
  const aux: OnlineEnv[] = [];
  const inner = new WeakMap<OnlineEnv, OnlineEnv>();
  let pending: readonly number[] = initial;
  const wrap = (env: OnlineEnv, steered: boolean): OnlineEnv => {
    const w: OnlineEnv = {
      domains: env.domains,
      get steps() {
        return env.steps;
      },
      get step() {
        return env.step;
      },
      get learningRate() {
        return env.learningRate;
      },
      hasTarget: env.hasTarget,
      get cost() {
        return env.cost;
      },
      get costs() {
        return env.costs;
      },
      setWeights(weights) {
        env.setWeights(weights);
        if (steered) pending = [...weights];
      },
      train(n, o): OnlineBatches {
        if (steered && env.step < env.steps) {
          const lastW = schedule[schedule.length - 1]?.weights;
          const now = pending.map((x) => Math.round(x * 1e6) / 1e6);
          if (!lastW || now.some((x, i) => x !== lastW[i])) {
            if (schedule[schedule.length - 1]?.step === env.step) schedule.pop();
            schedule.push({ step: env.step, weights: now });
          }
        }
        const ref = o?.reference ? inner.get(o.reference) ?? o.reference : undefined;
        return env.train(n, ref ? { reference: ref } : undefined);
      },
      validLoss: () => env.validLoss(),
      gradients: (o) => env.gradients(o),
      open(weights) {
        const a = env.open(weights);
        aux.push(a);
        return wrap(a, false);
      },
    };
    inner.set(w, env);
    return w;
  };
  return {
    env: wrap(root, true),
    schedule,
    costs(): Record<string, number> {
      const out: Record<string, number> = { ...root.costs };
      for (const a of aux) {
        for (const [s, x] of Object.entries(a.costs)) {
          out[`aux:${s}`] = (out[`aux:${s}`] ?? 0) + x;
        }
      }
      return out;
    },
  };
}

/**
 * The time average of a schedule over a run's steps (each entry weighs the steps it was in
 * force).
 *
 * @example
 * ```ts
 * import { timeAverage } from "./online.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * const s = [{ step: 0, weights: [1, 0] }, { step: 1, weights: [0, 1] }];
 * assertEquals(timeAverage(s, 4), [0.25, 0.75]);
 * ```
 * @param schedule Weight changes, by first step.
 * @param steps Total steps.
 * @returns The averaged weights.
 */
export function timeAverage(schedule: readonly ScheduleEntry[], steps: number): number[] {
  const k = schedule[0]?.weights.length ?? 0;
  const out = new Array(k).fill(0);
  schedule.forEach((e, i) => {
    const end = schedule[i + 1]?.step ?? steps;
    for (let j = 0; j < k; j++) out[j] += e.weights[j]! * (end - e.step) / steps;
  });
  const sum = out.reduce((s, x) => s + x, 0);
  return out.map((x) => x / sum);
}

function round(x: number): number {
  return Math.round(x * 1e9) / 1e9;
}

function roundRecord(r: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(r).map(([k, v]) => [k, Math.round(v * 1e9) / 1e9]));
}
