/**
 * `run.json`: what a bench run was (suite, commit, runtime, tasks with versions, hashes and
 * references, methods, seeds, command), written beside results.jsonl for the reports.
 *
 * Fields marked optional were added after the first format; reports treat their absence as
 * "not recorded", so older run.json files still load.
 *
 * @module
 */

import { mixtureKey } from "../core/mixture.ts";
import type { PredictTaskCard } from "../core/predict.ts";
import type { RunTable } from "../core/table.ts";
import { resolveTask, type TaskCard } from "../core/task.ts";
import type { Direction } from "../core/types.ts";
import type { Reference } from "../core/task.ts";
import { poolLevel } from "./cost_to_target.ts";

/** Pool quantile levels recorded in run.json (1 = the pool's best). */
export const POOL_LEVELS: readonly number[] = [0.5, 0.75, 0.9, 0.95, 0.99, 1];

/** One task of a bench run as the reports need it. */
export interface TaskMeta {
  readonly id: string;
  readonly version: number;
  readonly title: string;
  readonly track: "optimize" | "transfer";
  readonly table: string;
  readonly tableSha256: string;
  readonly objective: string;
  readonly direction: Direction;
  readonly costUnit: string;
  readonly budget: number;
  readonly checkpoints: readonly number[];
  readonly reference: Reference;
  readonly targetFidelity: string;
  /** Domain names, in mixture order. */
  readonly domains?: readonly string[];
  /** The natural mixture (domain priors). */
  readonly prior?: readonly number[];
  /** Mixture of the best known run (`reference.bestRow`). */
  readonly bestMixture?: readonly number[];
  /** Target pool: its size and the objective value at each pool quantile level. */
  readonly targetPool?: {
    readonly size: number;
    readonly levels: readonly { readonly q: number; readonly value: number }[];
  };
  /** Run-to-run noise of the objective at the target fidelity, when the table has repeats. */
  readonly noise?: { readonly sd: number; readonly groups: number };
  /** The surrogate model behind a surrogate runner: its file hash and card. */
  readonly surrogate?: {
    readonly sha256: string;
    readonly card: Readonly<Record<string, unknown>>;
  };
}

/** One method of a bench run. */
export interface MethodMeta {
  readonly id: string;
  readonly description: string;
  readonly ranked: boolean;
  /** The version in its lines (`versions.method`); absent in folders of older suites. */
  readonly version?: string;
}

/** One Predict-track task of a bench run. */
export interface PredictTaskMeta {
  readonly id: string;
  readonly version: number;
  readonly title: string;
  readonly table: string;
  readonly tableSha256: string;
  readonly objective: string;
  readonly direction: Direction;
  /** Fidelity of the training runs. */
  readonly trainFidelity: string;
  /** Held-out sets; those at another fidelity than the training runs measure transfer. */
  readonly sets: readonly { readonly name: string; readonly fidelity: string }[];
}

/** Contents of run.json. */
export interface RunMeta {
  readonly schema: "mixbench.run/1";
  readonly suite: string;
  readonly commit: string;
  readonly runtime: {
    readonly deno: string;
    readonly v8: string;
    readonly os: string;
    /** onnxruntime-web version, when a surrogate runner ran. */
    readonly onnxruntime?: string;
  };
  readonly machine: {
    readonly cpu: string;
    readonly cores: number;
    /** What executed the runners, e.g. "cpu (replay runner)". */
    readonly device: string;
    /** GPU adapter, when one was used. */
    readonly gpu?: string;
    /** What scored surrogate answers ("simd", "wasm", "webgpu" or "wgsl"), when a surrogate runner ran. */
    readonly provider?: string;
  };
  readonly command: string;
  readonly seeds: readonly number[];
  readonly tasks: readonly TaskMeta[];
  readonly methods: readonly MethodMeta[];
  /** Predict-track tasks, when the Predict track ran. */
  readonly predictTasks?: readonly PredictTaskMeta[];
  /**
   * The suite's own integrity: the sha256 of its source files when the bench started and, when
   * it ended, again (`after`). A bench whose source changed while it ran is invalid.
   */
  readonly integrity?: { readonly files: number; readonly source: string; readonly after?: string };
  /** The shard this folder holds (`--shard i/n`); absent for a whole bench or a merge. */
  readonly shard?: { readonly index: number; readonly count: number };
}

/**
 * Why a run is invalid by its run.json (its suite's source changed while it ran), or undefined.
 *
 * @param meta The run's metadata.
 * @returns The reason, or undefined for a valid run.
 */
export function integrityProblem(meta: RunMeta): string | undefined {
  const i = meta.integrity;
  if (!i || i.after === undefined || i.after === i.source) return undefined;
  return `the suite's source changed while the bench ran (sha256 ${i.source.slice(0, 12)} at ` +
    `the start, ${i.after.slice(0, 12)} at the end): its results are invalid`;
}

/** Reads run.json from a results folder. */
export async function readMeta(dir: string): Promise<RunMeta> {
  const path = `${dir}/run.json`;
  const v = JSON.parse(await Deno.readTextFile(path)) as RunMeta;
  if (v.schema !== "mixbench.run/1") {
    throw new TypeError(`${path}: schema is "${String(v.schema)}", expected "mixbench.run/1"`);
  }
  return v;
}

/**
 * Describes a task for run.json: card fields, the table hash, domains and prior, the best known
 * mixture, the target pool's quantile levels and, when the target pool repeats a mixture, the
 * pooled run-to-run standard deviation of the objective (the noise floor).
 *
 * @param card The task card.
 * @param table Its table.
 * @returns The task's run.json entry.
 */
export function taskMeta(card: TaskCard, table: RunTable): TaskMeta {
  const task = resolveTask(card, table);
  const values = task.targetPool.map((r) => task.objective.evaluate(r.metrics));
  const best = table.runs.find((r) => r.row === card.reference.bestRow);
  const groups = new Map<string, number[]>();
  task.targetPool.forEach((r, i) => {
    const k = mixtureKey(r.mixture);
    groups.set(k, [...(groups.get(k) ?? []), values[i]!]);
  });
  let ss = 0, dof = 0, repeated = 0;
  for (const g of groups.values()) {
    if (g.length < 2) continue;
    const m = g.reduce((a, b) => a + b, 0) / g.length;
    ss += g.reduce((a, x) => a + (x - m) ** 2, 0);
    dof += g.length - 1;
    repeated++;
  }
  return {
    id: card.id,
    version: card.version,
    title: card.title,
    track: card.track,
    table: card.table,
    tableSha256: table.sha256,
    objective: card.objective,
    direction: card.direction,
    costUnit: card.costUnit,
    budget: card.budget,
    checkpoints: card.checkpoints,
    reference: card.reference,
    targetFidelity: card.target.fidelity,
    domains: table.card.domains.map((d) => d.name),
    prior: table.card.domains.map((d) => d.prior),
    ...(best ? { bestMixture: best.mixture } : {}),
    // A training environment (runner "train") has no finished runs, so no target pool.
    ...(values.length > 0
      ? {
        targetPool: {
          size: values.length,
          levels: POOL_LEVELS.map((q) => ({ q, value: poolLevel(values, q, card.direction) })),
        },
      }
      : {}),
    ...(dof > 0 ? { noise: { sd: Math.sqrt(ss / dof), groups: repeated } } : {}),
  };
}

/**
 * Describes a Predict-track task for run.json.
 *
 * @param card The Predict-track task card.
 * @param table Its table.
 * @returns The task's run.json entry.
 */
export function predictTaskMeta(card: PredictTaskCard, table: RunTable): PredictTaskMeta {
  return {
    id: card.id,
    version: card.version,
    title: card.title,
    table: card.table,
    tableSha256: table.sha256,
    objective: card.objective,
    direction: card.direction,
    trainFidelity: card.train.fidelity,
    sets: card.sets.map((s) => ({ name: s.name, fidelity: s.fidelity })),
  };
}
