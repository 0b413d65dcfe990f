/**
 * The harness loop for one cell (task × method × seed): ask → validate → evaluate → tell until
 * the budget is spent, recording the trajectory and the recommendation at every checkpoint (and
 * after every round when the task card sets `recordEvery: "query"`).
 * A cell that fails keeps what it recorded, with the reason. Runners other than replay also record
 * where each answer and each checkpoint's judged value came from (`source`: table row, or the
 * surrogate's OOD distance, spread, clipping and trust-region verdict).
 *
 * @module
 */

import { BudgetExceededError, InvalidMixtureError, TimeLimitError } from "../core/errors.ts";
import type { MethodFactory } from "../core/method.ts";
import { validateMixture } from "../core/mixture.ts";
import type { Runner } from "../core/runner.ts";
import { gapClosed, type Task } from "../core/task.ts";
import type { Proposal, Source } from "../core/types.ts";
import {
  type CheckpointRecord,
  type RecommendationRecord,
  RESULT_SCHEMA,
  type ResultLine,
  type StepSource,
  type TrajectoryStep,
} from "../core/results.ts";
import { continuousContext, poolContext } from "./context.ts";

const EPS = 1e-9;

/** Inputs of {@linkcode runCell}. */
export interface CellInput {
  /** The resolved task. */
  readonly task: Task;
  /** The runner answering proposals. */
  readonly runner: Runner;
  /** The method to run. */
  readonly factory: MethodFactory;
  /** Seed of the cell. */
  readonly seed: number;
  /** Suite version written in the line. */
  readonly suite: string;
  /** Cooperative time limit in ms (checked after every method call). */
  readonly timeLimitMs: number;
}

/**
 * Runs one cell to the end of its budget (or until the method stops asking) and returns its
 * results line. Never throws for a method's fault: the line says `failed` and why.
 *
 * @param input Task, runner, method, seed and limits.
 * @returns The results line.
 */
export async function runCell(input: CellInput): Promise<ResultLine> {
  const { task, runner, factory, seed } = input;
  const c = task.card;
  const m = task.table.card.domains.length;
  const t0 = performance.now();
  let methodMs = 0;
  let spent = 0;
  const trajectory: TrajectoryStep[] = [];
  const checkpoints: CheckpointRecord[] = [];
  const perQuery = c.recordEvery === "query";
  const recommendations: RecommendationRecord[] = [];
  const timed = async <T>(f: () => T | Promise<T>): Promise<T> => {
    const s = performance.now();
    let out: T;
    try {
      out = await f();
    } finally {
      methodMs += performance.now() - s;
    }
    if (performance.now() - t0 > input.timeLimitMs) throw new TimeLimitError(input.timeLimitMs);
    return out;
  };
  let error: { name: string; message: string } | undefined;
  try {
    const oracle = factory.oracle === true;
    const method = factory.create(
      c.runner === "replay"
        ? poolContext(task, seed, oracle)
        : continuousContext(task, seed, oracle, runner.feasible),
    );
    const minCost = Math.min(...task.costs.values());
    let cp = 0;
    const judge = async () => {
      const rec = await timed(() => method.recommend());
      const mixture = validateMixture(rec?.mixture, m, factory.id);
      const judged = await runner.judge(mixture);
      finite(task, judged.value, "the recommendation");
      return { rec, mixture, judged };
    };
    const record = async (budget: number) => {
      const { rec, mixture, judged } = await judge();
      const entry: CheckpointRecord = {
        budget,
        spent: round(spent),
        evaluations: trajectory.length,
        mixture: mixture.map((x) => Math.round(x * 1e6) / 1e6),
        row: judged.row,
        value: judged.value,
        score: gapClosed(judged.value, c.reference),
      };
      const predicted = rec.predicted;
      const fit = rec.fit;
      checkpoints.push({
        ...entry,
        ...(typeof predicted === "number" && Number.isFinite(predicted) ? { predicted } : {}),
        ...(fit && (fit.degenerate === "constant" || fit.degenerate === "rank-deficient")
          ? { fit: { degenerate: fit.degenerate, detail: String(fit.detail).slice(0, 300) } }
          : {}),
        // Non-replay runners: where the judged value came from (OOD, spread, region, clipping).
        ...(runner.kind !== "replay" && judged.source
          ? { source: toStepSource(judged.source) }
          : {}),
      });
    };
    while (c.budget - spent >= minCost - EPS) {
      const remaining = c.budget - spent;
      const asked = await timed(() =>
        method.ask({ spent: round(spent), remaining: round(remaining) })
      );
      if (!Array.isArray(asked)) {
        throw new TypeError(
          `Method "${factory.id}" ask() returned "${typeof asked}", expected an array`,
        );
      }
      if (asked.length === 0) break;
      let cost = 0;
      const proposals: Proposal[] = asked.map((p: Proposal) => {
        const f = task.costs.get(p?.fidelity);
        if (f === undefined) {
          throw new InvalidMixtureError(
            factory.id,
            `fidelity "${String(p?.fidelity)}" is not queryable in task "${c.id}"`,
          );
        }
        cost += f;
        return { mixture: validateMixture(p.mixture, m, factory.id), fidelity: p.fidelity };
      });
      if (cost > remaining + EPS) throw new BudgetExceededError(factory.id, cost, remaining);
      while (cp < c.checkpoints.length && spent + cost > c.checkpoints[cp]! + EPS) {
        await record(c.checkpoints[cp++]!);
      }
      const observations = await runner.evaluate(proposals);
      for (const o of observations) {
        finite(task, o.value, `a run at fidelity "${o.fidelity}"`);
        spent += o.cost;
        const step = {
          fidelity: o.fidelity,
          row: o.source.kind === "table" ? o.source.row : -1,
          value: o.value,
          cost: o.cost,
          spent: round(spent),
        };
        trajectory.push(
          runner.kind === "replay" ? step : { ...step, source: toStepSource(o.source) },
        );
      }
      await timed(() => method.tell(observations));
      if (perQuery) {
        const { judged } = await judge();
        recommendations.push({
          spent: round(spent),
          evaluations: trajectory.length,
          row: judged.row,
          value: judged.value,
          score: gapClosed(judged.value, c.reference),
        });
      }
    }
    while (cp < c.checkpoints.length) await record(c.checkpoints[cp++]!);
  } catch (e) {
    error = e instanceof Error
      ? { name: e.name, message: e.message }
      : { name: "Error", message: String(e) };
  }
  const line: ResultLine = {
    schema: RESULT_SCHEMA,
    suite: input.suite,
    task: { id: c.id, version: c.version },
    method: factory.id,
    seed,
    runner: runner.kind,
    status: error ? "failed" : "ok",
    ...(error ? { error } : {}),
    budget: c.budget,
    spent: round(spent),
    trajectory,
    checkpoints,
    ...(perQuery ? { recommendations } : {}),
    timings: { totalMs: Math.round(performance.now() - t0), methodMs: Math.round(methodMs) },
  };
  return line;
}

function round(x: number): number {
  return Math.round(x * 1e9) / 1e9;
}

/** Fails the cell when the objective is not a finite number (`loss/0`, `loss^1000`). */
function finite(task: Task, value: number, what: string): void {
  if (Number.isFinite(value)) return;
  throw new RangeError(
    `The objective "${task.card.objective}" of task "${task.card.id}" is "${value}" on ${what}, ` +
      `expected a finite number`,
  );
}

function toStepSource(s: Source): StepSource {
  if (s.kind === "table") return { kind: "table", row: s.row };
  if (s.kind === "train") {
    return { kind: "train", key: s.key, epochs: s.epochs.map((e) => Math.round(e * 1e6) / 1e6) };
  }
  const out = {
    kind: "surrogate" as const,
    ood: Math.round(s.ood * 1e6) / 1e6,
    spread: Math.round(s.spread * 1e9) / 1e9,
    clipped: s.clipped ? 1 : 0,
  };
  return s.inRegion === undefined ? out : { ...out, inRegion: s.inRegion };
}

/**
 * A failed results line for a cell that could not run at all (task failed to load, worker
 * terminated at its hard time limit, worker crashed).
 */
export function failedLine(
  cell: {
    task: { id: string; version: number };
    method: string;
    seed: number;
    suite: string;
    runner: Runner["kind"];
  },
  error: { name: string; message: string },
  budget: number,
): ResultLine {
  return {
    schema: RESULT_SCHEMA,
    suite: cell.suite,
    task: cell.task,
    method: cell.method,
    seed: cell.seed,
    runner: cell.runner,
    status: "failed",
    error: { name: error.name, message: error.message },
    budget,
    spent: 0,
    trajectory: [],
    checkpoints: [],
    timings: { totalMs: 0, methodMs: 0 },
  };
}
