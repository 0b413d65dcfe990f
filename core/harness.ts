/**
 * The harness loop for one cell (task × method × seed): ask → validate → evaluate → tell until
 * the budget is spent, recording the trajectory and the recommendation at every checkpoint.
 * A cell that fails keeps what it recorded, with the reason.
 *
 * @module
 */

import { BudgetExceededError, InvalidMixtureError, TimeLimitError } from "./errors.ts";
import type { MethodContext, MethodFactory } from "./method.ts";
import { validateMixture } from "./mixture.ts";
import { deriveSeed, Rng } from "./rng.ts";
import type { Runner } from "./runner.ts";
import { gapClosed, type Task, taskKey } from "./task.ts";
import type { Direction, MetricInfo, Observation, Proposal } from "./types.ts";

/** Schema id of results lines. */
export const RESULT_SCHEMA = "mixbench.result/1";

const EPS = 1e-9;

/**
 * Provenance of a trajectory step, written when the runner is not a plain replay: a table row,
 * or a surrogate answer with its OOD score (L1 distance to the nearest table mixture), the
 * ensemble spread before clipping, and the number of metrics clipped to their bounds.
 */
export type StepSource =
  | { readonly kind: "table"; readonly row: number }
  | {
    readonly kind: "surrogate";
    readonly ood: number;
    readonly spread?: number;
    readonly clipped?: number;
  };

/** One evaluated run of a cell's trajectory. */
export interface TrajectoryStep {
  /** Fidelity queried. */
  readonly fidelity: string;
  /** Table row (replay) or -1 (surrogate). */
  readonly row: number;
  /** Objective value of the answer. */
  readonly value: number;
  /** Cost charged. */
  readonly cost: number;
  /** Cumulative cost after this run. */
  readonly spent: number;
  /** Where the answer came from (runners other than replay). */
  readonly source?: StepSource;
}

/** The recommendation recorded at one budget checkpoint. */
export interface CheckpointRecord {
  /** The checkpoint's budget. */
  readonly budget: number;
  /** Cost spent when the recommendation was taken. */
  readonly spent: number;
  /** Runs evaluated by then. */
  readonly evaluations: number;
  /** Recommended mixture, rounded to 6 decimals. */
  readonly mixture: readonly number[];
  /** Table row of the recommendation at the target fidelity. */
  readonly row: number;
  /** Objective value at the target fidelity. */
  readonly value: number;
  /** Gap closed (0 = reference zero point, 1 = best known). */
  readonly score: number;
  /** The method's own prediction, when it gave one. */
  readonly predicted?: number;
}

/** One line of results.jsonl. */
export interface ResultLine {
  /** Always {@linkcode RESULT_SCHEMA}. */
  readonly schema: string;
  /** Suite version. */
  readonly suite: string;
  /** Task id and version. */
  readonly task: { readonly id: string; readonly version: number };
  /** Method id. */
  readonly method: string;
  /** Seed of the cell. */
  readonly seed: number;
  /** Runner kind. */
  readonly runner: string;
  /** Whether the cell finished. */
  readonly status: "ok" | "failed";
  /** Why the cell failed. */
  readonly error?: { readonly name: string; readonly message: string };
  /** The task's budget. */
  readonly budget: number;
  /** Cost spent. */
  readonly spent: number;
  /** Every evaluated run, in order. */
  readonly trajectory: readonly TrajectoryStep[];
  /** Recommendation at each checkpoint reached. */
  readonly checkpoints: readonly CheckpointRecord[];
  /** Wall-clock timings (ms); the only field that may differ between identical runs. */
  readonly timings: { readonly totalMs: number; readonly methodMs: number };
}

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

/** The parts of a method's context that pool and continuous mode share. */
function baseContext(task: Task, seed: number) {
  const c = task.card;
  return {
    task: taskKey(c),
    objective: objectiveInfo(
      task.objective.metrics,
      task.table.card.metrics,
      c.objective,
      c.direction,
    ),
    domains: task.table.card.domains,
    prior: task.table.card.domains.map((d) => d.prior),
    fidelities: [...task.costs].sort((a, b) => a[1] - b[1]).map(([f]) => f),
    costs: Object.fromEntries(task.costs),
    targetFidelity: c.target.fidelity,
    budget: c.budget,
    rng: new Rng(deriveSeed(taskKey(c), seed)),
  };
}

/** Builds the read-only context a method receives in pool mode. */
export function poolContext(task: Task, seed: number, oracle: boolean): MethodContext {
  const base = baseContext(task, seed);
  const pool: Proposal[] = base.fidelities.flatMap((f) =>
    task.queryPools.get(f)!.map((r) => ({ mixture: r.mixture, fidelity: f }))
  );
  const ctx: MethodContext = {
    ...base,
    mode: "pool",
    pool,
    targetPool: task.targetPool.map((r) => r.mixture),
  };
  return oracle
    ? { ...ctx, oracle: task.targetPool.map((r) => task.objective.evaluate(r.metrics)) }
    : ctx;
}

/**
 * Builds the read-only context a method receives in continuous mode (surrogate runner): any
 * mixture may be proposed, so there is no pool and no target pool, and oracle methods get no
 * oracle values (they refuse the task).
 */
export function continuousContext(task: Task, seed: number, _oracle: boolean): MethodContext {
  return { ...baseContext(task, seed), mode: "continuous", pool: undefined, targetPool: undefined };
}

/** The objective as a method sees it: bounds only when it is a single metric with finite bounds. */
export function objectiveInfo(
  used: readonly string[],
  metrics: readonly MetricInfo[],
  expression: string,
  direction: Direction,
): MethodContext["objective"] {
  const info = metrics.find((m) => m.name === used[0]);
  const bare = expression.replace(/^metric_/, "");
  return used.length === 1 && info && info.name === bare && Number.isFinite(info.lower) &&
      Number.isFinite(info.upper)
    ? { expression, direction, bounds: { lower: info.lower, upper: info.upper } }
    : { expression, direction };
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
    const context = c.runner === "surrogate" ? continuousContext : poolContext;
    const method = factory.create(context(task, seed, factory.oracle === true));
    const minCost = Math.min(...task.costs.values());
    let cp = 0;
    const record = async (budget: number) => {
      const rec = await timed(() => method.recommend());
      const mixture = validateMixture(rec?.mixture, m, factory.id);
      const judged = await runner.judge(mixture);
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
      checkpoints.push(
        typeof predicted === "number" && Number.isFinite(predicted)
          ? { ...entry, predicted }
          : entry,
      );
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
        spent += o.cost;
        const step = {
          fidelity: o.fidelity,
          row: o.source.kind === "table" ? o.source.row : -1,
          value: o.value,
          cost: o.cost,
          spent: round(spent),
        };
        trajectory.push(runner.kind === "replay" ? step : { ...step, source: stepSource(o) });
      }
      await timed(() => method.tell(observations));
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
    timings: { totalMs: Math.round(performance.now() - t0), methodMs: Math.round(methodMs) },
  };
  return line;
}

function round(x: number): number {
  return Math.round(x * 1e9) / 1e9;
}

function stepSource(o: Observation): StepSource {
  const s = o.source;
  return s.kind === "table" ? { kind: "table", row: s.row } : {
    kind: "surrogate",
    ood: Math.round(s.ood * 1e6) / 1e6,
    spread: Math.round(s.spread * 1e9) / 1e9,
    clipped: s.clipped ? 1 : 0,
  };
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
