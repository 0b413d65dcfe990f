/**
 * What a cell process runs: one optimise cell or one Predict cell from a payload that carries
 * everything the cell needs — the task card, and the table by key (sent once per process) — so
 * that the process never reads a table. Never throws for a method's fault: the line says
 * `failed` and why.
 *
 * @module
 */

import { failedLine, runCell } from "../harness/cell.ts";
import { runOnlineCell } from "../harness/online.ts";
import { getOnlineMethod, isOnlineMethod } from "../methods/online/mod.ts";
import type { ResultLine } from "../core/results.ts";
import { PREDICT_SCHEMA, type PredictLine, type PredictTaskCard } from "../core/predict.ts";
import { runPredict, runPredictAsync } from "../harness/predict.ts";
import { resolveTask, type Task, type TaskCard } from "../core/task.ts";
import type { RunTable } from "../core/table.ts";
import { loadMethod } from "../methods/mod.ts";
import { ReplayRunner } from "../runners/replay.ts";
import type { Runner } from "../core/runner.ts";
import type { CpuEngine, DeviceOption } from "../runners/session.ts";
import type { SurrogateModels } from "../runners/surrogate.ts";
import type { RunCache } from "../runners/train.ts";
import type { MethodFactory } from "../core/method.ts";
import {
  bridgeFactory,
  bridgeFitter,
  helloBridge,
  isCommandSpec,
  parseCommandSpec,
} from "./bridge/adapter.ts";

/** A table sent to a cell process once, before the first cell that needs it. */
export interface TableMessage {
  readonly kind: "table";
  readonly key: string;
  readonly table: RunTable;
}

/** One Predict-track cell: fit a method's predictor and score it on held-out sets. */
export interface PredictPayload {
  readonly kind: "predict";
  readonly card: PredictTaskCard;
  readonly table: string;
  /** Method spec: a registered id or `module.ts#export`. */
  readonly method: string;
  /** The id written in the line. */
  readonly methodId: string;
  readonly seed: number;
  readonly suite: string;
  /** Time limit of a bridged method's calls (ms). @default {300000} */
  readonly timeLimitMs?: number;
}

/** One optimise-track cell. */
export interface CellPayload {
  readonly kind: "cell";
  readonly card: TaskCard;
  /** Key of the task's table (a {@linkcode TableMessage} sent before). */
  readonly table: string;
  /** Method spec: a registered id or `module.ts#export`. */
  readonly method: string;
  /** The id written in the line (namespaced for methods from outside the suite). */
  readonly methodId: string;
  readonly seed: number;
  readonly suite: string;
  readonly timeLimitMs: number;
  /** Where surrogate models run (surrogate tasks only). @default {"cpu"} */
  readonly device?: DeviceOption;
  /** What scores them on CPU (same predictions either way). @default {"simd"} */
  readonly cpuEngine?: CpuEngine;
  /**
   * The folder of finished fresh runs (train tasks): content-addressed, read by every cell;
   * written only by built-in methods (a method from outside the suite could poison it).
   */
  readonly trainCache?: { readonly dir: string; readonly write: boolean };
  /**
   * Online methods (methods/online/): the fidelity of the steered run (train tasks only). The
   * bench leaves it to its default, which keeps every online method within the task's budget.
   * @default {the task's cheapest query fidelity}
   */
  readonly onlineFidelity?: string;
}

/** A request for a method's metadata (loading an outside module in a sandbox first). */
export interface DescribePayload {
  readonly kind: "describe";
  readonly method: string;
}

/** What {@linkcode DescribePayload} returns. */
export interface MethodInfo {
  readonly id: string;
  readonly description: string;
  readonly ranked: boolean;
  readonly oracle: boolean;
  readonly fit: boolean;
  /** The declared version, when the method declares one. */
  readonly version?: string;
}

/** Every message a cell process understands. */
export type HostMessage = TableMessage | CellPayload | PredictPayload | DescribePayload;

const tables = new Map<string, RunTable>();
const tasks = new Map<string, Task>();
const surrogates = new Map<Task, Promise<SurrogateModels>>();

/** Keeps a table for the cells that follow. */
export function keepTable(m: TableMessage): void {
  tables.set(m.key, m.table);
}

function tableFor(key: string): RunTable {
  const t = tables.get(key);
  if (!t) throw new Error(`Cell process: table "${key}" was not sent`);
  return t;
}

function taskFor(card: TaskCard, tableKey: string): Task {
  const key = `${tableKey}|${card.id}@${card.version}`;
  let t = tasks.get(key);
  if (!t) {
    t = resolveTask(card, tableFor(tableKey));
    tasks.set(key, t);
  }
  return t;
}

const replayRunners = new WeakMap<Task, ReplayRunner>();

/**
 * The replay runner of a task, built once per process: it only looks runs up in the task's
 * pools (its indexes are built from them and never change), so cells share it.
 */
function replayRunner(task: Task): ReplayRunner {
  let r = replayRunners.get(task);
  if (!r) replayRunners.set(task, r = new ReplayRunner(task));
  return r;
}

/** A surrogate runner for one cell over the task's models, opened once per process. */
async function surrogateRunner(
  task: Task,
  device: DeviceOption,
  cpuEngine: CpuEngine,
  seed: number,
): Promise<Runner> {
  // Imported on first use, so that replay-only processes never load onnxruntime.
  const { openSurrogateModels, SurrogateRunner } = await import("../runners/surrogate.ts");
  let models = surrogates.get(task);
  if (!models) {
    models = openSurrogateModels(task, { device, threads: 1, cpuEngine });
    surrogates.set(task, models);
    models.catch(() => surrogates.delete(task));
  }
  return new SurrogateRunner(task, await models, { seed });
}

const modules = new Map<string, Record<string, unknown>>();

/** Method modules from outside the suite, imported statically by the process's entry. */
export function provideModules(m: Readonly<Record<string, Record<string, unknown>>>): void {
  for (const [path, ns] of Object.entries(m)) modules.set(path, ns);
}

/** A method by spec: a module provided by the entry, else a registered (or module) spec. */
async function factoryFor(spec: string): Promise<MethodFactory> {
  const hash = spec.lastIndexOf("#");
  const ns = hash > 0 ? modules.get(spec.slice(0, hash)) : undefined;
  if (!ns) return await loadMethod(spec);
  const f = ns[spec.slice(hash + 1)] as MethodFactory | undefined;
  if (!f || typeof f.create !== "function" || typeof f.id !== "string") {
    throw new RangeError(
      `Method module "${spec.slice(0, hash)}" has no method factory export "${
        spec.slice(hash + 1)
      }"`,
    );
  }
  return f;
}

const trainCaches = new Map<string, RunCache>();

/**
 * A `train` runner for one cell (fresh training runs), over the bench's cache of finished runs:
 * read and written by built-in methods; read only (new runs kept in memory) for methods from
 * outside the suite.
 */
async function trainRunner(
  task: Task,
  cache: { readonly dir: string; readonly write: boolean } | undefined,
): Promise<Runner> {
  const { TrainRunner } = await import("../runners/train.ts");
  return new TrainRunner(task, { cache: await trainCache(cache) });
}

/** The bench's cache of finished fresh runs, as {@linkcode trainRunner} reads and writes it. */
async function trainCache(
  cache: { readonly dir: string; readonly write: boolean } | undefined,
): Promise<RunCache> {
  const { DirRunCache, MemoryRunCache } = await import("../runners/train.ts");
  const key = cache ? `${cache.dir}|${cache.write}` : "";
  let c = trainCaches.get(key);
  if (!c) {
    if (!cache) c = new MemoryRunCache();
    else if (cache.write) c = new DirRunCache(cache.dir);
    else {
      const disk = new DirRunCache(cache.dir);
      const memory = new MemoryRunCache();
      c = { get: (k) => memory.get(k) ?? disk.get(k), set: (k, run) => memory.set(k, run) };
    }
    trainCaches.set(key, c);
  }
  return c;
}

/** Loads a method and gives it the id the bench planned (namespaced for outside modules). */
async function method(spec: string, id: string): Promise<MethodFactory> {
  const f = await factoryFor(spec);
  return f.id === id ? f : { ...f, id };
}

/**
 * Runs one online cell (harness/online.ts) on a `train` task: the steered run at the payload's
 * fidelity, judged in-run and by weights-transfer through the task's `train` runner.
 */
async function handleOnline(p: CellPayload): Promise<ResultLine> {
  const task = taskFor(p.card, p.table);
  const t = task.card.train;
  if (task.card.runner !== "train" || !t) {
    throw new RangeError(
      `Online method "${p.methodId}" runs only on train tasks; "${task.card.id}" is a ${task.card.runner} task`,
    );
  }
  const { DOMAINS, loadCorpus } = await import("../runners/train/corpus.ts");
  const { equalCostFidelity, openOnlineEnv, TRAIN_COST } = await import(
    "../runners/train/online.ts"
  );
  const { cachedRun } = await import("../runners/train.ts");
  const { STEP_BYTES, trainFidelity } = await import("../runners/train/fidelities.ts");
  const names = DOMAINS.map((d) => d.name);
  const trainDomains = t.domains.map((n) => names.indexOf(n));
  // A held-out domain named by the objective is the target set of gradient signals.
  const held = names.findIndex((n, i) =>
    task.card.objective === `loss_${n}` && !trainDomains.includes(i)
  );
  const [cheapest, unit] = [...task.costs.entries()].sort((a, b) => a[1] - b[1])[0]!;
  const fidelity = p.onlineFidelity ?? cheapest;
  trainFidelity(fidelity);
  const corpus = loadCorpus();
  // The cell's seed sets the data order of the steered run (and of its auxiliary runs), so that
  // seeds differ; stratified and a method share it at equal seeds (paired gaps).
  const seed = t.seed * 1000 + p.seed;
  const runs = await trainCache(p.trainCache);
  return await runOnlineCell({
    task,
    factory: getOnlineMethod(p.method),
    seed: p.seed,
    suite: p.suite,
    timeLimitMs: p.timeLimitMs,
    fidelity,
    open: (weights) =>
      openOnlineEnv(corpus, {
        trainDomains,
        fidelity,
        seed,
        weights,
        ...(held >= 0 ? { target: held } : {}),
      }),
    unitCost: TRAIN_COST * trainFidelity(cheapest).tokens / unit,
    runner: await trainRunner(task, p.trainCache),
    // Stratified given the method's whole cost as training: a fresh uniform run of the steered
    // run's model and seed, lengthened to the steps the cost pays for (cached like any run).
    equalCost: async (bytePasses) => {
      const id = equalCostFidelity(fidelity, bytePasses);
      const f = trainFidelity(id);
      const { run } = await cachedRun(runs, () => corpus, {
        fidelity: id,
        domains: t.domains,
        trainDomains,
        mixture: trainDomains.map(() => 1 / trainDomains.length),
        seed,
      });
      return {
        fidelity: id,
        steps: f.tokens / STEP_BYTES,
        bytePasses: TRAIN_COST * f.tokens,
        metrics: run.metrics,
      };
    },
  });
}

/** Runs one cell; never throws. A bridged method's program is ended with the cell. */
export async function handle(p: CellPayload) {
  if (isOnlineMethod(p.method)) {
    try {
      return await handleOnline(p);
    } catch (e) {
      return failedLine(
        cellIdentity(p),
        e instanceof Error ? e : new Error(String(e)),
        p.card.budget,
      );
    }
  }
  const bridge = isCommandSpec(p.method)
    ? bridgeFactory(parseCommandSpec(p.method), {
      id: p.methodId,
      seed: p.seed,
      timeLimitMs: p.timeLimitMs,
    })
    : undefined;
  try {
    const task = taskFor(p.card, p.table);
    return await runCell({
      task,
      runner: task.card.runner === "surrogate"
        ? await surrogateRunner(task, p.device ?? "cpu", p.cpuEngine ?? "simd", p.seed)
        : task.card.runner === "train"
        ? await trainRunner(task, p.trainCache)
        : replayRunner(task),
      factory: bridge?.factory ?? await method(p.method, p.methodId),
      seed: p.seed,
      suite: p.suite,
      timeLimitMs: p.timeLimitMs,
    });
  } catch (e) {
    return failedLine(
      cellIdentity(p),
      e instanceof Error ? e : new Error(String(e)),
      p.card.budget,
    );
  } finally {
    await bridge?.close();
  }
}

/** The identity fields of a cell's line. */
export function cellIdentity(p: CellPayload) {
  return {
    task: { id: p.card.id, version: p.card.version },
    method: p.methodId,
    seed: p.seed,
    suite: p.suite,
    runner: p.card.runner,
  };
}

/** Runs one Predict-track cell; never throws. A bridged method's program ends with the cell. */
export async function handlePredict(p: PredictPayload): Promise<PredictLine> {
  if (isCommandSpec(p.method)) {
    const bridge = bridgeFitter(parseCommandSpec(p.method), {
      id: p.methodId,
      seed: p.seed,
      timeLimitMs: p.timeLimitMs ?? 300_000,
    });
    try {
      return await runPredictAsync(p.card, tableFor(p.table), p.methodId, bridge.fitter, p.seed, {
        suite: p.suite,
      });
    } catch (e) {
      return failedPredictLine(p, e instanceof Error ? e : new Error(String(e)));
    } finally {
      await bridge.close();
    }
  }
  try {
    return runPredict(p.card, tableFor(p.table), await method(p.method, p.methodId), p.seed, {
      suite: p.suite,
    });
  } catch (e) {
    return failedPredictLine(p, e instanceof Error ? e : new Error(String(e)));
  }
}

/** Describes a method (its factory's metadata; a bridged program answers `hello`). */
export async function describe(p: DescribePayload): Promise<MethodInfo> {
  if (isCommandSpec(p.method)) {
    const cmd = parseCommandSpec(p.method);
    const h = await helloBridge(cmd, 30_000);
    return {
      id: cmd.id,
      description: h.description,
      ranked: true,
      oracle: false,
      fit: h.fit,
      ...(h.version ? { version: h.version } : {}),
    };
  }
  const f = await factoryFor(p.method);
  return {
    id: f.id,
    description: String(f.description ?? ""),
    ranked: f.ranked === true,
    oracle: f.oracle === true,
    fit: typeof f.fit === "function",
    ...(typeof f.version === "string" && f.version.trim() !== ""
      ? { version: f.version.trim().slice(0, 100) }
      : {}),
  };
}

/** A failed predict line for a cell that could not run at all. */
export function failedPredictLine(
  p: PredictPayload,
  error: { name: string; message: string },
): PredictLine {
  return {
    schema: PREDICT_SCHEMA,
    suite: p.suite,
    task: { id: p.card.id, version: p.card.version },
    method: p.methodId,
    seed: p.seed,
    status: "failed",
    error: { name: error.name, message: error.message },
    train: 0,
    sets: [],
    timings: { fitMs: 0, predictMs: 0 },
  };
}
