/**
 * The bench: builds the (task, method, seed) cells, skips finished ones on `--resume`, runs the
 * rest in workers, appends each finished cell to results.jsonl, then writes the reports.
 *
 * @module
 */

import { failedLine } from "../harness/cell.ts";
import type { LineVersions, ResultLine } from "../core/results.ts";
import {
  cellKey,
  formatLine,
  lineKey,
  readResults,
  repairResults,
  withVersions,
} from "../core/results.ts";
import {
  type ProcessRequest,
  runCellsInProcesses,
  startHosts,
  type WarmHosts,
} from "../harness/processes.ts";
import { cellGroup, expectedCellCost } from "../harness/scheduler.ts";
import { getOnlineMethod, isOnlineMethod, ONLINE_METHODS } from "../methods/online/mod.ts";
import type { RunTable } from "../core/table.ts";
import type { PoolSpec, TaskCard } from "../core/task.ts";
import type { Direction } from "../core/types.ts";
import { SUITE_VERSION } from "../core/version.ts";
import { InputError } from "../core/errors.ts";
import { customPredictCard, customTask } from "../datasets/custom_task.ts";
import { sha256Hex } from "../datasets/loader.ts";
import {
  loadPredictTaskCard,
  loadTable,
  loadTaskCard,
  PREDICT_TASKS,
  TASKS,
  taskTable,
} from "../datasets/registry.ts";
import { getMethod, METHODS } from "../methods/mod.ts";
import {
  predictTaskMeta,
  readMeta,
  type RunMeta,
  type TaskMeta,
  taskMeta,
} from "../reports/meta.ts";
import { sourceDigest } from "./integrity.ts";
import type { CpuEngine, DeviceOption } from "../runners/session.ts";
import { type ReportFiles, writeReports } from "../reports/write.ts";
import {
  cellIdentity,
  type CellPayload,
  failedPredictLine,
  type MethodInfo,
  type PredictPayload,
  type TableMessage,
} from "./cells.ts";
import {
  PREDICT_SCHEMA,
  type PredictLine,
  type PredictTaskCard,
  readPredictLines,
} from "../core/predict.ts";
import { isCommandSpec, parseCommandSpec } from "./bridge/adapter.ts";
import { type Shard, shardCells } from "./shard.ts";

/** The fixed seed list; `--quick` takes the first 3, the default leaderboard 10, paper tables 25. */
export const SEEDS: readonly number[] = Array.from({ length: 25 }, (_, i) => i);

/** One event of a running bench, for the caller's progress display (library code never prints). */
export type BenchEvent =
  | {
    /** Something the bench decided that the user should know (a bring-your-own table's notes). */
    readonly kind: "note";
    readonly text: string;
  }
  | {
    /** The cells are planned: `total` to run, `skipped` already finished (`--resume`). */
    readonly kind: "start";
    readonly total: number;
    readonly skipped: number;
    /** The optimise-track tasks with their budgets and how each budget was chosen. */
    readonly budgets?: readonly {
      readonly task: string;
      readonly budget: number;
      readonly costUnit: string;
      readonly rule?: string | undefined;
    }[];
  }
  | {
    /** One cell finished (optimise or predict track). */
    readonly kind: "cell";
    readonly track: "optimise" | "predict";
    /** Cells finished so far, of `total`. */
    readonly done: number;
    readonly total: number;
    /** The cell's key, `task@version|method|seed`. */
    readonly key: string;
    readonly status: "ok" | "failed";
    /** Final gap closed (optimise cells that reached a checkpoint). */
    readonly score?: number;
    /** Spearman ρ per held-out set (predict cells). */
    readonly spearman?: readonly { readonly name: string; readonly rho: number }[];
    readonly error?: { readonly name: string; readonly message: string };
    /** Milliseconds since the bench started. */
    readonly elapsedMs: number;
  };

/**
 * One line for a finished cell: `[done/total] key status score|ρ (error)`, with the elapsed time
 * and an estimate of the time left (elapsed ÷ done × cells left).
 *
 * @example
 * ```ts
 * import { formatBenchEvent } from "./bench.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * const line = formatBenchEvent({
 *   kind: "cell", track: "optimise", done: 1, total: 4, key: "t@1|uniform|0", status: "ok",
 *   score: 0.5, elapsedMs: 2000,
 * });
 * assertEquals(line, "[1/4] t@1|uniform|0 ok score 0.500 · 2 s, ETA 6 s");
 * ```
 * @param e A cell event.
 * @returns The line.
 */
export function formatBenchEvent(e: Extract<BenchEvent, { kind: "cell" }>): string {
  const what = e.track === "predict"
    ? `predict ${e.status}` +
      (e.spearman?.length
        ? ` ρ ${e.spearman.map((s) => `${s.name} ${s.rho.toFixed(3)}`).join(", ")}`
        : "")
    : `${e.status}${e.score !== undefined ? ` score ${e.score.toFixed(3)}` : ""}`;
  const error = e.error ? ` (${e.error.name}: ${e.error.message.slice(0, 300)})` : "";
  const eta = e.done > 0 ? (e.elapsedMs / e.done) * (e.total - e.done) : 0;
  return `[${e.done}/${e.total}] ${e.key} ${what}${error} · ${seconds(e.elapsedMs)}, ETA ${
    seconds(eta)
  }`;
}

function seconds(ms: number): string {
  const s = Math.round(ms / 1000);
  return s < 120 ? `${s} s` : `${Math.floor(s / 60)} min ${s % 60} s`;
}

/** Options of {@linkcode runBench}. */
export interface BenchOptions {
  quick: boolean;
  seeds?: number | undefined;
  tasks?: string[] | undefined;
  methods?: string[] | undefined;
  out: string;
  resume: boolean;
  workers: number;
  timeLimitMs: number;
  /** Where surrogate models run: cpu (WASM), gpu (WebGPU) or auto. @default {"cpu"} */
  device?: DeviceOption | undefined;
  /**
   * What scores surrogate models on CPU: the fused WebAssembly SIMD kernel or onnxruntime-web
   * (bit-identical predictions). @default {"simd"}
   */
  cpuEngine?: CpuEngine | undefined;
  dataset?: {
    path: string;
    card?: string | undefined;
    objective?: string | undefined;
    direction?: Direction | undefined;
    target?: string | undefined;
    budget?: number | undefined;
    /** Let methods query fidelities costlier than the target. @default {false} */
    queryCostlier?: boolean | undefined;
    /**
     * Run the Predict track on the table: fit on `train`, predict each of `sets` (pool specs:
     * a fidelity, optionally its splits).
     */
    predict?: { train: PoolSpec; sets: readonly PoolSpec[] } | undefined;
  } | undefined;
  command: string;
  /**
   * V8 heap limit of each cell process in MiB: a cell that needs more fails alone.
   * @default {4096}
   */
  memoryMiB?: number | undefined;
  /**
   * Replace the results of a folder that already holds some (without it, and without
   * `resume`, such a folder is refused). @default {false}
   */
  force?: boolean | undefined;
  /** Receives progress events (the CLI prints them); nothing is printed without it. */
  report?: ((event: BenchEvent) => void) | undefined;
  /** Run only this shard's cells (bench/shard.ts; `deno task merge` joins the shards). */
  shard?: Shard | undefined;
  /**
   * Write report.html, leaderboard.md and leaderboard.json at the end (`deno task report DIR`
   * writes them later). @default {true}
   */
  reports?: boolean | undefined;
}

/** What a bench did. */
export interface BenchSummary {
  ran: number;
  skipped: number;
  failed: number;
  wallMs: number;
  /** The reports written (absent with `reports: false`). */
  files?: ReportFiles | undefined;
}

/** A loaded optimise-track task of a bench. */
interface BenchTask {
  readonly card: TaskCard;
  readonly table: RunTable;
  /** Key of its table in the cell processes. */
  readonly tableKey: string;
}

/** A loaded Predict-track task of a bench. */
interface BenchPredictTask {
  readonly card: PredictTaskCard;
  readonly table: RunTable;
  readonly tableKey: string;
}

/** A method of a bench: the spec it was named by and its metadata. */
interface BenchMethod {
  /** A registered id or `module.ts#export`. */
  readonly spec: string;
  /** The id in results lines (`<module file>#<export>` for a method from outside the suite). */
  readonly id: string;
  readonly description: string;
  readonly ranked: boolean;
  /** Fits a predictor (Predict track). */
  readonly fit: boolean;
  /** Version written in its lines (see {@linkcode LineVersions.method}). */
  readonly version: string;
  /** From outside the suite: runs sandboxed, one process per cell. */
  readonly external: boolean;
  /** The entry of its cell processes (methods from outside the suite). */
  readonly main?: URL;
  /** Programs its cell processes may start (the program of a bridged `cmd:` method). */
  readonly run?: readonly string[];
  /** An online method (methods/online/): runs on train tasks only. */
  readonly online?: boolean;
  /** The task modes a registered method runs (`MethodFactory.modes`); absent: every mode. */
  readonly modes?: readonly ("pool" | "continuous")[];
}

/** The mode a task gives its methods: a pool on replay tasks, any mixture on the others. */
function taskMode(card: TaskCard): "pool" | "continuous" {
  return card.runner === "replay" ? "pool" : "continuous";
}

/** Whether the bench schedules a method on a task (see {@linkcode optimiseCells}). */
function runsOn(m: BenchMethod, card: TaskCard): boolean {
  // Online methods steer a training run: train tasks only, and not those whose queries a proxy
  // answers (a proxy answers static mixtures, nothing to steer).
  if (m.online) return card.runner === "train" && !card.train?.proxy;
  return !m.modes || m.modes.includes(taskMode(card));
}

/** Runs a bench end to end: plan the cells, write run.json, run the cells, write the reports. */
export async function runBench(o: BenchOptions): Promise<BenchSummary> {
  const t0 = performance.now();
  // The lanes' first processes load their modules while the bench loads its tables.
  const warm = warmable(o)
    ? startHosts(
      { hostUrl: HOST_URL, config: `${ROOT}/deno.json`, heapMiB: o.memoryMiB ?? 4096 },
      o.workers,
    )
    : undefined;
  const plan = await planBench(o).catch(async (e: unknown) => {
    await warm?.close();
    throw e instanceof InputError
      ? e
      : new InputError(e instanceof Error ? e.message : String(e), { cause: e });
  });
  const { results, predictions, done, predictDone, execution } = plan;
  try {
    await Deno.mkdir(o.out, { recursive: true });
    await clearUnlessResumed(results, o.resume);
    await clearUnlessResumed(predictions, o.resume);
    const meta: RunMeta = {
      ...await runMeta(
        o,
        plan.seeds,
        plan.tasks,
        plan.methods,
        execution,
        plan.predictRun ? plan.predictTasks : [],
      ),
      integrity: await sourceDigest(ROOT),
      ...(o.shard ? { shard: { index: o.shard.index, count: o.shard.count } } : {}),
    };
    if (o.resume) await refuseMismatchedResume(o.out, meta);
    await writeAtomic(`${o.out}/run.json`, JSON.stringify(meta, null, 2) + "\n");
    if (plan.tasks.some((t) => t.card.runner === "train")) await clearRunLocks(trainCacheDir());
    for (const t of plan.tasks) {
      const off = plan.methods.filter((m) => !m.online && !runsOn(m, t.card)).map((m) => m.id);
      if (off.length > 0) {
        o.report?.({
          kind: "note",
          text: `${t.card.id}: not run by ${off.join(", ")} (${
            taskMode(t.card) === "pool" ? "continuous" : "pool"
          } tasks only)`,
        });
      }
    }
    const mine = o.shard ? shardKeys(plan, o.shard) : undefined;
    const requests = [
      ...optimiseCells(
        plan.tasks,
        plan.methods,
        plan.seeds,
        done,
        o.timeLimitMs,
        execution.device,
        o.cpuEngine,
      ),
      ...(plan.predictRun
        ? predictCells(plan.predictTasks, plan.methods, plan.seeds, predictDone, o.timeLimitMs)
        : []),
    ].filter((r) => !mine || mine.has(r.key));
    o.report?.({
      kind: "start",
      total: requests.length,
      skipped: done.size + predictDone.size,
      budgets: plan.tasks.map(({ card }) => ({
        task: `${card.id}@${card.version}`,
        budget: card.budget,
        costUnit: card.costUnit,
        rule: card.budgetRule,
      })),
    });
    const { finished, failed } = await executeCells(requests, {
      warm,
      versions: cellVersions(plan, meta.commit, execution),
      out: o.out,
      results,
      predictions,
      workers: o.workers,
      timeLimitMs: o.timeLimitMs,
      memoryMiB: o.memoryMiB ?? 4096,
      t0,
      report: o.report,
    });
    const after = await sourceDigest(ROOT);
    if (after.source !== meta.integrity!.source) {
      const changed = { ...meta, integrity: { ...meta.integrity!, after: after.source } };
      await writeAtomic(`${o.out}/run.json`, JSON.stringify(changed, null, 2) + "\n");
    }
    const order = [
      ...optimiseCells(plan.tasks, plan.methods, plan.seeds, new Set(), o.timeLimitMs, undefined),
      ...(plan.predictRun
        ? predictCells(plan.predictTasks, plan.methods, plan.seeds, new Set())
        : []),
    ].map((r) => r.key);
    await canonicalise(results, order, lineKey, readResults);
    await canonicalise(
      predictions,
      order,
      (l) => cellKey(l.task.id, l.task.version, l.method, l.seed),
      readPredictLines,
    );
    const files = o.reports === false ? undefined : await writeReports(o.out);
    return {
      ran: finished,
      skipped: done.size + predictDone.size,
      failed,
      wallMs: performance.now() - t0,
      files,
    };
  } finally {
    await warm?.close();
    if (plan.entryDir) await Deno.remove(plan.entryDir, { recursive: true });
  }
}

/** The module of the bench's cell processes. */
const HOST_URL = new URL("./cell_host.ts", import.meta.url);

/**
 * Whether a bench's cells will start where warm processes can serve them ({@linkcode
 * startHosts}): only replay tasks (the built-in default set) and only registered methods.
 */
function warmable(o: BenchOptions): boolean {
  return o.tasks === undefined && o.workers > 0 &&
    (o.methods ?? []).every((s) => !isCommandSpec(s) && !isModuleSpec(s));
}

/**
 * The keys of a shard's cells (bench/shard.ts): every cell of the bench, split by expected cost.
 */
function shardKeys(
  plan: Awaited<ReturnType<typeof planBench>>,
  shard: Shard,
): Set<string> {
  const all = [
    ...optimiseCells(plan.tasks, plan.methods, plan.seeds, new Set(), 1, undefined),
    ...(plan.predictRun
      ? predictCells(plan.predictTasks, plan.methods, plan.seeds, new Set())
      : []),
  ];
  return shardCells(
    all.map((r) => ({ key: r.key, cost: r.cost ?? 1, ...(r.group ? { group: r.group.key } : {}) })),
    shard,
  );
}

/** Everything a bench checks and loads before it writes anything. */
async function planBench(o: BenchOptions) {
  if (
    !Number.isSafeInteger(o.timeLimitMs) || o.timeLimitMs <= 0 || o.timeLimitMs > MAX_TIME_LIMIT_MS
  ) {
    throw new InputError(
      `--time-limit is ${o.timeLimitMs / 1000} s, expected 1 to ${MAX_TIME_LIMIT_MS / 1000} s`,
    );
  }
  const seeds = benchSeeds(o);
  const tasks = await loadBenchTasks(o);
  const predictTasks = await loadPredictTasks(o, tasks);
  // By default the online methods join only a bench that has a train task (they run nowhere else).
  const online = tasks.some((t) => t.card.runner === "train") ? ONLINE_METHODS : [];
  const specs = o.methods ?? [...METHODS, ...online].map((m) => m.id);
  if (specs.length === 0) throw new InputError("--methods names no method");
  let entryDir: string | undefined;
  const entries = async () => (entryDir ??= await Deno.makeTempDir({ prefix: "mixbench-" }));
  const methods = await loadBenchMethods(specs, entries);
  const ids = methods.map((m) => m.id);
  const twice = ids.find((id, i) => ids.indexOf(id) !== i);
  if (twice) throw new InputError(`--methods names method "${twice}" twice`);
  if (tasks.length === 0 && predictTasks.length === 0) {
    throw new InputError("--tasks names no task");
  }
  const predictRun = predictTasks.length > 0 && methods.some((m) => m.fit);
  const results = `${o.out}/results.jsonl`;
  const predictions = `${o.out}/predict.jsonl`;
  if (!o.resume && !o.force) await refuseOverwrite(o.out, results);
  const done = o.resume ? await finishedCells(results, readResults, lineKey) : new Set<string>();
  const predictDone = o.resume
    ? await finishedCells(
      predictions,
      readPredictLines,
      (l) => cellKey(l.task.id, l.task.version, l.method, l.seed),
    )
    : new Set<string>();
  const execution = await surrogateExecution(
    tasks.map((t) => t.card),
    o.device ?? "cpu",
    o.cpuEngine ?? "simd",
  );
  return {
    entryDir,
    seeds,
    methods,
    tasks,
    predictTasks,
    predictRun,
    results,
    predictions,
    done,
    predictDone,
    execution,
  };
}

/**
 * The longest per-cell time limit (one day): the scheduler's hard limit (1.5 × the limit + 2 s)
 * must fit a timer (2³¹ − 1 ms).
 */
export const MAX_TIME_LIMIT_MS = 86_400_000;

/** Refuses a results folder that already holds results (neither `--resume` nor `--force`). */
async function refuseOverwrite(out: string, results: string): Promise<void> {
  let text = "";
  try {
    text = await Deno.readTextFile(results);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return;
    throw e;
  }
  const cells = text.split("\n").filter((l) => l.trim() !== "").length;
  if (cells > 0) {
    throw new InputError(
      `--out "${out}" already holds results (${cells} cells in results.jsonl): pass --resume to ` +
        `run only the missing cells, or --force to replace them`,
    );
  }
}

/**
 * Rewrites a results file in canonical cell order (the bench's task × method × seed order;
 * lines of cells outside it after, by key), so that its bytes do not depend on the worker count
 * or on which cell finished first. Written to a temporary name and renamed.
 */
async function canonicalise<T>(
  path: string,
  order: readonly string[],
  key: (line: T) => string,
  read: (path: string) => Promise<T[]>,
): Promise<void> {
  const rank = new Map(order.map((k, i) => [k, i]));
  const text = await Deno.readTextFile(path);
  const lines = text.split("\n").filter((l) => l.trim() !== "");
  const parsed = await read(path);
  const keyed = parsed.map((l, i) => ({ k: key(l), text: lines[i]! }));
  keyed.sort((a, b) =>
    (rank.get(a.k) ?? Infinity) - (rank.get(b.k) ?? Infinity) ||
    (a.k < b.k ? -1 : a.k > b.k ? 1 : 0)
  );
  await writeAtomic(path, keyed.map((l) => l.text + "\n").join(""));
}

/** Writes a file under a temporary name, flushes it, and renames it into place. */
export async function writeAtomic(path: string, text: string): Promise<void> {
  const tmp = `${path}.tmp-${Deno.pid}`;
  const f = await Deno.open(tmp, { write: true, create: true, truncate: true });
  try {
    const bytes = new TextEncoder().encode(text);
    for (let off = 0; off < bytes.length;) off += await f.write(bytes.subarray(off));
    await f.sync();
  } finally {
    f.close();
  }
  await Deno.rename(tmp, path);
}

/**
 * Refuses to resume into a folder whose run.json was written by another suite version or for
 * other task versions, tables or surrogate models, saying what differs.
 */
async function refuseMismatchedResume(out: string, now: RunMeta): Promise<void> {
  let before: RunMeta;
  try {
    before = await readMeta(out);
  } catch {
    return;
  }
  const diffs: string[] = [];
  if (before.suite !== now.suite) diffs.push(`suite ${before.suite} → ${now.suite}`);
  for (const t of now.tasks) {
    const b = before.tasks.find((x) => x.id === t.id);
    if (!b) continue;
    if (b.version !== t.version) diffs.push(`${t.id} version ${b.version} → ${t.version}`);
    if (b.tableSha256 !== t.tableSha256) diffs.push(`${t.id} table sha256 differs`);
    if (b.surrogate?.sha256 !== t.surrogate?.sha256) diffs.push(`${t.id} surrogate differs`);
  }
  for (const m of now.methods) {
    const b = before.methods.find((x) => x.id === m.id);
    if (b && b.version !== m.version) {
      diffs.push(`method ${m.id} version ${b.version ?? "(none)"} → ${m.version}`);
    }
  }
  if (diffs.length > 0) {
    throw new InputError(
      `--resume: "${out}" was written by another configuration (${diffs.join("; ")}); ` +
        `use a new --out or --force`,
    );
  }
}

/**
 * The Predict-track tasks of a bench: the named built-in ones (by default all), or, for a
 * bring-your-own table with `dataset.predict`, one task that fits on its training runs and
 * predicts its held-out sets.
 */
async function loadPredictTasks(
  o: BenchOptions,
  tasks: readonly BenchTask[],
): Promise<BenchPredictTask[]> {
  if (o.dataset) {
    const p = o.dataset.predict;
    if (!p) return [];
    const t = tasks[0]!;
    const card = customPredictCard(t.card, t.table, p.train, p.sets);
    return [{ card, table: t.table, tableKey: t.tableKey }];
  }
  const ids = (o.tasks ?? PREDICT_TASKS).filter((t) => PREDICT_TASKS.includes(t));
  return await Promise.all(ids.map(async (id) => {
    const card = await loadPredictTaskCard(id);
    return { card, table: await loadTable(card.table), tableKey: card.table };
  }));
}

/** The seeds of a bench: the first `--seeds` (3 with `--quick`, else 10) of {@linkcode SEEDS}. */
function benchSeeds(o: BenchOptions): readonly number[] {
  const n = o.seeds ?? (o.quick ? 3 : 10);
  if (n > SEEDS.length) {
    throw new RangeError(`--seeds is ${n}, at most ${SEEDS.length} are published`);
  }
  return SEEDS.slice(0, n);
}

/**
 * Loads the named methods. Registered ids resolve here; a module spec (`path.ts#export`) is
 * loaded only inside a sandboxed process that reports its metadata, is namespaced by its module
 * (`file.ts#export`, never equal to a built-in id), and is refused when it declares itself an
 * oracle (only built-in methods may see true values).
 */
async function loadBenchMethods(
  specs: readonly string[],
  entries: () => Promise<string>,
): Promise<BenchMethod[]> {
  const external = specs.filter((s) => isModuleSpec(s) && !isCommandSpec(s));
  const mains = new Map<string, URL>();
  for (const spec of external) {
    const path = spec.slice(0, spec.lastIndexOf("#"));
    if (!mains.has(path)) mains.set(path, await writeEntry(path, await entries()));
  }
  const commands = specs.filter(isCommandSpec);
  for (const spec of commands) {
    try {
      parseCommandSpec(spec);
    } catch (e) {
      throw new InputError((e as Error).message);
    }
  }
  const infos = await describeInSandbox([...external, ...commands], mains);
  const versions = new Map<string, string>();
  for (const spec of [...external, ...commands]) {
    const declared = infos.get(spec)!.version;
    versions.set(spec, declared ?? await sourceVersion(spec));
  }
  return specs.map((spec) => {
    if (isCommandSpec(spec)) {
      return commandMethod(spec, infos.get(spec)!, versions.get(spec)!);
    }
    if (isOnlineMethod(spec)) {
      const f = getOnlineMethod(spec);
      return {
        spec,
        id: f.id,
        description: f.description,
        ranked: true,
        fit: false,
        version: f.version,
        external: false,
        online: true,
      };
    }
    if (!isModuleSpec(spec)) {
      const f = getMethod(spec);
      return {
        spec,
        id: f.id,
        description: f.description,
        ranked: f.ranked,
        fit: f.fit !== undefined,
        version: f.version,
        external: false,
        ...(f.modes ? { modes: f.modes } : {}),
      };
    }
    const info = infos.get(spec)!;
    const hash = spec.lastIndexOf("#");
    if (info.oracle) {
      throw new InputError(
        `Method module "${spec}" declares oracle: true; only built-in methods may be oracles`,
      );
    }
    return {
      spec,
      id: `${spec.slice(0, hash).split("/").pop()}#${spec.slice(hash + 1)}`,
      description: info.description,
      ranked: info.ranked,
      fit: info.fit,
      version: versions.get(spec)!,
      external: true,
      main: mains.get(spec.slice(0, hash))!,
    };
  });
}

/**
 * The version of a method from outside the suite that declares none: `sha256:` and 16 hex
 * digits of the file(s) its spec names (a module's file; a bridged command's program and
 * arguments that are files), so that an edited file never shares a version with the old one.
 * Only the named files are hashed, not what they import: declare a version to cover those.
 * `unversioned` when the spec names no readable file (a module URL, a program on the PATH only).
 */
async function sourceVersion(spec: string): Promise<string> {
  const names = isCommandSpec(spec)
    ? (({ program, args }) => [program, ...args])(parseCommandSpec(spec))
    : [spec.slice(0, spec.lastIndexOf("#"))];
  const parts: Uint8Array[] = [];
  const enc = new TextEncoder();
  for (const name of names) {
    const path = name.startsWith("file://") ? new URL(name).pathname : name;
    if (/^[a-z]+:\/\//.test(path)) continue;
    try {
      if (!(await Deno.stat(path)).isFile) continue;
      parts.push(enc.encode(`${name}\0`), await Deno.readFile(path), enc.encode("\0"));
    } catch {
      continue;
    }
  }
  if (parts.length === 0) return "unversioned";
  const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) all.set(p, (off += p.length) - p.length);
  return `sha256:${(await sha256Hex(all)).slice(0, 16)}`;
}

/**
 * A bridged method (`cmd:<program> [args…]`, bench/bridge/): id `cmd:<script basename>`, run in
 * a fresh cell process per cell that may start that one program; its `hello` answer says
 * whether it serves the Predict track.
 */
function commandMethod(spec: string, info: MethodInfo, version: string): BenchMethod {
  const cmd = parseCommandSpec(spec);
  return {
    spec,
    id: cmd.id,
    description: info.description,
    ranked: true,
    version,
    fit: info.fit,
    external: true,
    run: [cmd.program],
  };
}

/**
 * Writes the entry module of a method module's cell processes: it imports the module
 * statically (so loading it needs no permission: Deno checks only computed imports) and serves
 * cells with it.
 *
 * @param path The module's path or URL, as in its specs.
 * @param dir Where to write the entry.
 * @returns The entry's URL.
 */
async function writeEntry(path: string, dir: string): Promise<URL> {
  const module = /^[a-z]+:\/\//.test(path) ? path : new URL(path, `file://${Deno.cwd()}/`).href;
  const host = new URL("./cell_host.ts", import.meta.url).href;
  const text = `import * as method from ${JSON.stringify(module)};\n` +
    `import { serve } from ${JSON.stringify(host)};\n` +
    `await serve({ ${JSON.stringify(path)}: method });\n`;
  const file = `${dir}/entry-${await sha256Hex(new TextEncoder().encode(path))}.ts`;
  await Deno.writeTextFile(file, text);
  return new URL(`file://${file}`);
}

/**
 * Loads method modules in a process of their own (one per module) with no permission and
 * returns each spec's metadata: the bench never imports code from outside the suite into its
 * own process.
 */
async function describeInSandbox(
  specs: readonly string[],
  mains: ReadonlyMap<string, URL>,
): Promise<Map<string, MethodInfo>> {
  const out = new Map<string, MethodInfo>();
  const requests: ProcessRequest[] = specs.map((spec) => ({
    key: spec,
    payload: { kind: "describe", method: spec },
    // A bridged program is asked (`hello`) by a cell process that may start only it.
    ...(isCommandSpec(spec)
      ? { run: [parseCommandSpec(spec).program] }
      : { main: mains.get(spec.slice(0, spec.lastIndexOf("#")))! }),
  }));
  const failures: string[] = [];
  await runCellsInProcesses(requests, {
    hostUrl: new URL("./cell_host.ts", import.meta.url),
    config: `${ROOT}/deno.json`,
    concurrency: 1,
    hardLimitMs: 60_000,
    heapMiB: 1024,
    onFailure: (req, error) => void failures.push(`Method module "${req.key}": ${error.message}`),
    onResult: (req, reply) => {
      const r = reply as MethodInfo | { error: string } | undefined;
      if (r && !("error" in r)) out.set(req.key, r);
      else if (r) failures.push(`Method module "${req.key}": ${r.error}`);
    },
  });
  if (failures.length > 0) throw new InputError(failures[0]!);
  return out;
}

/** Whether a method spec names a module export (`path.ts#export`) rather than a registered id. */
function isModuleSpec(spec: string): boolean {
  const hash = spec.lastIndexOf("#");
  return hash > 0 && /\.(ts|js|mjs)$/.test(spec.slice(0, hash));
}

/**
 * The optimise-track tasks of a bench: a bring-your-own table, or the named built-in tasks
 * (by default every built-in replay task: continuous tasks run when named).
 */
async function loadBenchTasks(o: BenchOptions): Promise<BenchTask[]> {
  if (o.dataset) {
    const table = await loadTable(o.dataset.path, o.dataset.card);
    const { card, notes } = customTask(table, o.dataset);
    for (const note of notes) o.report?.({ kind: "note", text: note });
    return [{ card, table, tableKey: `${o.dataset.path}|${o.dataset.card ?? ""}` }];
  }
  const tasks: BenchTask[] = [];
  for (const id of (o.tasks ?? TASKS).filter((t) => !PREDICT_TASKS.includes(t))) {
    const card = await loadTaskCard(id);
    if (!o.tasks && card.runner !== "replay") continue;
    // A train task's table is built from its card (its domains), so it is keyed by the task.
    const tableKey = card.runner === "train" ? `${card.table}:${card.id}` : card.table;
    tasks.push({ card, table: await taskTable(card), tableKey });
  }
  return tasks;
}

/** The keys of the cells already in a results file (`--resume`; a cut last line is dropped). */
async function finishedCells<T>(
  path: string,
  read: (path: string) => Promise<T[]>,
  key: (line: T) => string,
): Promise<Set<string>> {
  await repairResults(path);
  return new Set((await read(path)).map(key));
}

/** Empties a results file for a fresh bench (a resumed bench appends to it). */
async function clearUnlessResumed(path: string, resume: boolean): Promise<void> {
  if (!resume) await Deno.writeTextFile(path, "");
}

/** run.json: suite, commit, runtime, machine, command, seeds, tasks and methods of the bench. */
async function runMeta(
  o: BenchOptions,
  seeds: readonly number[],
  tasks: readonly BenchTask[],
  methods: readonly BenchMethod[],
  execution: SurrogateExecution,
  predict: readonly BenchPredictTask[],
): Promise<RunMeta> {
  const predictTasks = predict.map(({ card, table }) => predictTaskMeta(card, table));
  const head = await runMetaHead("cpu (replay runner)");
  return {
    ...head,
    runtime: { ...head.runtime, ...execution.runtime },
    machine: { ...head.machine, ...execution.machine },
    command: o.command,
    seeds: [...seeds],
    tasks: tasks.map(({ card, table }) => {
      const s = execution.surrogates.get(card.id);
      return s ? { ...taskMeta(card, table), surrogate: s } : taskMeta(card, table);
    }),
    methods: methods.map((m) => ({
      id: m.id,
      description: m.description,
      ranked: m.ranked,
      version: m.version,
    })),
    ...(predictTasks.length > 0 ? { predictTasks } : {}),
  };
}

/**
 * The fields every run.json starts with: schema, suite, commit, runtime and machine.
 *
 * @param device What the machine's `device` field says ran the cells.
 * @returns The fields.
 */
export async function runMetaHead(
  device: string,
): Promise<Pick<RunMeta, "schema" | "suite" | "commit" | "runtime" | "machine">> {
  return {
    schema: "mixbench.run/1",
    suite: SUITE_VERSION,
    commit: await gitCommit(),
    runtime: {
      deno: Deno.version.deno,
      v8: Deno.version.v8,
      os: `${Deno.build.os} ${Deno.build.arch}`,
    },
    machine: { cpu: await cpuModel(), cores: navigator.hardwareConcurrency, device },
  };
}

/** The suite's root folder. */
const ROOT = new URL("..", import.meta.url).pathname.replace(/\/$/, "");

/**
 * What a cell process may read: nothing on replay tasks (the table arrives on stdin); the
 * surrogate models and onnxruntime-web's files on surrogate tasks.
 */
function readsFor(card: TaskCard): string[] {
  if (card.runner === "surrogate") return [`${ROOT}/runners/surrogates`, `${ROOT}/node_modules`];
  if (card.runner === "train") return [`${ROOT}/node_modules`, trainCacheDir()];
  return [];
}

/**
 * The folder of finished fresh runs of train tasks (content-addressed, shared by every bench):
 * `out/cache/minimix/`, or the folder `MIXBENCH_TRAIN_CACHE` names.
 */
function trainCacheDir(): string {
  return Deno.env.get("MIXBENCH_TRAIN_CACHE") ?? `${ROOT}/out/cache/minimix`;
}

/**
 * Removes the claim locks (`*.lock`, runners/train.ts `DirRunCache.claim`) that cells of an
 * earlier, interrupted bench left in the run cache, so that no cell waits for a run nobody trains.
 */
async function clearRunLocks(dir: string): Promise<void> {
  try {
    for await (const e of Deno.readDir(dir)) {
      if (e.isFile && e.name.endsWith(".lock")) {
        await Deno.remove(`${dir}/${e.name}`).catch(() => {});
      }
    }
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
}

/** The message that sends a table to a cell process (once per process). */
function tablePreamble(key: string, table: RunTable) {
  const message: TableMessage = { kind: "table", key, table };
  return { key: `table:${key}`, message };
}

/** The optimise-track cells still to run, in task × method × seed order. */
function optimiseCells(
  tasks: readonly BenchTask[],
  methods: readonly BenchMethod[],
  seeds: readonly number[],
  done: ReadonlySet<string>,
  timeLimitMs: number,
  device: "cpu" | "gpu" | undefined,
  cpuEngine?: CpuEngine,
): ProcessRequest[] {
  const out: ProcessRequest[] = [];
  for (const t of tasks) {
    const preamble = [tablePreamble(t.tableKey, t.table)];
    for (const m of methods) {
      if (!runsOn(m, t.card)) continue;
      for (const seed of seeds) {
        const key = cellKey(t.card.id, t.card.version, m.id, seed);
        if (done.has(key)) continue;
        const payload: CellPayload = {
          kind: "cell",
          card: t.card,
          table: t.tableKey,
          method: m.spec,
          methodId: m.id,
          seed,
          suite: SUITE_VERSION,
          timeLimitMs,
          ...(device ? { device } : {}),
          ...(cpuEngine ? { cpuEngine } : {}),
          ...(t.card.runner === "train"
            ? { trainCache: { dir: trainCacheDir(), write: !m.external } }
            : {}),
        };
        out.push({
          key,
          payload,
          preamble,
          fresh: m.external,
          read: readsFor(t.card),
          write: t.card.runner === "train" && !m.external ? [trainCacheDir()] : [],
          cost: expectedCellCost(m.id, t.card.id),
          ...sharedWork("optimise", m, t.card, seed),
          ...(m.main ? { main: m.main } : {}),
          ...(m.run ? { run: m.run } : {}),
        });
      }
    }
  }
  return out;
}

/** The Predict-track cells still to run (fit-based methods only). */
function predictCells(
  tasks: readonly BenchPredictTask[],
  methods: readonly BenchMethod[],
  seeds: readonly number[],
  done: ReadonlySet<string>,
  timeLimitMs = 300_000,
): ProcessRequest[] {
  const out: ProcessRequest[] = [];
  for (const { card, table, tableKey } of tasks) {
    const preamble = [tablePreamble(tableKey, table)];
    for (const m of methods) {
      if (!m.fit) continue;
      for (const seed of seeds) {
        const key = cellKey(card.id, card.version, m.id, seed);
        if (done.has(key)) continue;
        const payload: PredictPayload = {
          kind: "predict",
          card,
          table: tableKey,
          method: m.spec,
          methodId: m.id,
          seed,
          suite: SUITE_VERSION,
          ...(m.run ? { timeLimitMs } : {}),
        };
        out.push({
          key,
          payload,
          preamble,
          fresh: m.external,
          read: [],
          cost: expectedCellCost(m.id, card.id),
          ...sharedWork("predict", m, card, seed),
          ...(m.main ? { main: m.main } : {}),
          ...(m.run ? { run: m.run } : {}),
        });
      }
    }
  }
  return out;
}

/**
 * The process group of a built-in method's cell (`cellGroup`, harness/scheduler.ts): cells
 * that share work their process keeps run back to back in one process. Methods from outside
 * the suite share nothing (each cell has a process of its own).
 */
function sharedWork(
  track: "optimise" | "predict",
  m: BenchMethod,
  card: { readonly id: string; readonly version: number },
  seed: number,
): { group?: { key: string; order: number } } {
  if (m.external) return {};
  const group = cellGroup(track, m.id, `${card.id}@${card.version}`, seed);
  return group ? { group } : {};
}

/** The line of a cell whose process was killed or died (crash, exit, memory, hard time limit). */
function schedulerFailure(req: ProcessRequest, error: Error): ResultLine | PredictLine {
  const p = req.payload as CellPayload | PredictPayload;
  if (p.kind === "predict") return failedPredictLine(p, error);
  return failedLine(cellIdentity(p), error, p.card.budget);
}

/** The versions of every cell's line (optimise and Predict cells), by cell key. */
function cellVersions(
  plan: {
    tasks: readonly BenchTask[];
    predictTasks: readonly BenchPredictTask[];
    methods: readonly BenchMethod[];
    seeds: readonly number[];
  },
  commit: string,
  execution: SurrogateExecution,
): Map<string, LineVersions> {
  const out = new Map<string, LineVersions>();
  const tasks = [
    ...plan.tasks.map(({ card, table }) => ({ card, table })),
    ...plan.predictTasks.map(({ card, table }) => ({ card, table })),
  ];
  for (const { card, table } of tasks) {
    const surrogate = execution.surrogates.get(card.id)?.sha256;
    for (const m of plan.methods) {
      const v: LineVersions = {
        method: m.version,
        commit,
        table: table.sha256,
        ...(surrogate ? { surrogate } : {}),
      };
      for (const seed of plan.seeds) out.set(cellKey(card.id, card.version, m.id, seed), v);
    }
  }
  return out;
}

/** Longest error message kept in a results line; the whole message goes to a side file. */
export const MAX_ERROR_CHARS = 4096;

/**
 * Caps a line's error message at {@linkcode MAX_ERROR_CHARS}, writing the whole message to
 * `errors/<cell>.txt` beside the results.
 */
async function capError<T extends ResultLine | PredictLine>(
  line: T,
  out: string,
  key: string,
): Promise<T> {
  const message = line.error?.message;
  if (message === undefined || message.length <= MAX_ERROR_CHARS) return line;
  const file = `errors/${key.replace(/[^\w.@-]+/g, "_")}.txt`;
  await Deno.mkdir(`${out}/errors`, { recursive: true });
  await Deno.writeTextFile(`${out}/${file}`, message);
  const note = ` … (${message.length} characters; whole message in ${file})`;
  return {
    ...line,
    error: { name: line.error!.name, message: message.slice(0, MAX_ERROR_CHARS) + note },
  };
}

/** Appends one line to a file as one write, flushed to disk before the next. */
async function appendLine(file: Deno.FsFile, text: string): Promise<void> {
  const bytes = new TextEncoder().encode(text);
  for (let off = 0; off < bytes.length;) off += await file.write(bytes.subarray(off));
  await file.sync();
}

/**
 * Runs the cells in sandboxed processes and appends each finished line to its file as it
 * arrives (one write, flushed), reporting every cell.
 */
async function executeCells(
  requests: readonly ProcessRequest[],
  o: {
    /** Processes started while the bench was planned. */
    warm: WarmHosts | undefined;
    out: string;
    /** Versions stamped on each cell's line, by cell key. */
    versions: ReadonlyMap<string, LineVersions>;
    results: string;
    predictions: string;
    workers: number;
    timeLimitMs: number;
    memoryMiB: number;
    t0: number;
    report: ((event: BenchEvent) => void) | undefined;
  },
): Promise<{ finished: number; failed: number }> {
  let finished = 0;
  let failed = 0;
  const file = await Deno.open(o.results, { append: true, create: true });
  const predictFile = await Deno.open(o.predictions, { append: true, create: true });
  const base = (key: string, done: number) => ({
    kind: "cell" as const,
    done,
    total: requests.length,
    key,
    elapsedMs: performance.now() - o.t0,
  });
  try {
    await runCellsInProcesses(requests, {
      hostUrl: HOST_URL,
      config: `${ROOT}/deno.json`,
      ...(o.warm ? { warm: o.warm } : {}),
      concurrency: o.workers,
      heapMiB: o.memoryMiB,
      hardLimitMs: Math.round(o.timeLimitMs * 1.5) + 2000,
      onFailure: schedulerFailure,
      onResult: async (req, reply) => {
        const done = ++finished;
        const versions = o.versions.get(req.key)!;
        if ((reply as PredictLine).schema === PREDICT_SCHEMA) {
          const p = withVersions(await capError(reply as PredictLine, o.out, req.key), versions);
          await appendLine(predictFile, JSON.stringify(p) + "\n");
          if (p.status === "failed") failed++;
          o.report?.({
            ...base(req.key, done),
            track: "predict",
            status: p.status,
            spearman: p.sets.map((s) => ({ name: s.name, rho: s.spearman })),
            ...(p.error ? { error: p.error } : {}),
          });
          return;
        }
        const line = withVersions(await capError(reply as ResultLine, o.out, req.key), versions);
        await appendLine(file, formatLine(line));
        if (line.status === "failed") failed++;
        const last = line.checkpoints[line.checkpoints.length - 1];
        o.report?.({
          ...base(req.key, done),
          track: "optimise",
          status: line.status,
          ...(last ? { score: last.score } : {}),
          ...(line.error ? { error: line.error } : {}),
        });
      },
    });
  } finally {
    file.close();
    predictFile.close();
  }
  return { finished, failed };
}

/** Where the surrogate tasks of a bench run: see {@linkcode surrogateExecution}. */
interface SurrogateExecution {
  device?: "cpu" | "gpu";
  runtime: { onnxruntime?: string };
  machine: { device?: string; provider?: string; gpu?: string };
  surrogates: Map<string, NonNullable<TaskMeta["surrogate"]>>;
}

/**
 * Where the surrogate tasks of a bench run (if any): the resolved device, the run.json fields
 * that say so, and each surrogate task's model card (target fidelity) for the report.
 */
async function surrogateExecution(
  cards: readonly TaskCard[],
  option: DeviceOption,
  cpuEngine: CpuEngine,
): Promise<SurrogateExecution> {
  const surrogates = new Map<string, NonNullable<TaskMeta["surrogate"]>>();
  const used = cards.filter((c) => c.runner === "surrogate" && c.surrogate);
  if (used.length === 0) return { runtime: {}, machine: {}, surrogates };
  // Loaded only when a surrogate task runs, so that replay benches never load onnxruntime.
  const ort = await import("../runners/ort_session.ts");
  const { loadSurrogate } = await import("../runners/surrogate_card.ts");
  const device = await ort.resolveDevice(option);
  const adapter = device === "gpu" ? await ort.gpuAdapter() : null;
  if (device === "gpu" && !adapter) {
    throw new Error("--device gpu: Failed to get GPU adapter (navigator.gpu gives none)");
  }
  for (const c of used) {
    const { card } = await loadSurrogate(c.surrogate!.models[c.target.fidelity]!);
    surrogates.set(c.id, {
      sha256: card.model.sha256,
      card: card as unknown as Readonly<Record<string, unknown>>,
    });
  }
  const version = ort.ORT_WEB_VERSION;
  return {
    device,
    runtime: { onnxruntime: version },
    machine: adapter
      ? {
        device: `gpu (fused WGSL forward pass on ${adapter.name})`,
        provider: "wgsl",
        gpu: adapter.name,
      }
      : cpuEngine === "simd"
      ? {
        device: "cpu (fused WebAssembly SIMD kernel, bit-identical to onnxruntime-web " +
          `${version} WASM; 1 thread per worker)`,
        provider: "simd",
      }
      : { device: `cpu (onnxruntime-web ${version} WASM, 1 thread per worker)`, provider: "wasm" },
    surrogates,
  };
}

/** The commit of the checkout (12 hex digits, "-dirty" when tracked files changed), or "unknown". */
export async function gitCommit(): Promise<string> {
  try {
    const run = (args: string[]) =>
      new Deno.Command("git", {
        args,
        stdout: "piped",
        stderr: "null",
        cwd: new URL("..", import.meta.url),
      })
        .output();
    const head = await run(["rev-parse", "--short=12", "HEAD"]);
    if (!head.success) return "unknown";
    const status = await run(["status", "--porcelain", "--untracked-files=no"]);
    const dirty = new TextDecoder().decode(status.stdout).trim() !== "";
    return new TextDecoder().decode(head.stdout).trim() + (dirty ? "-dirty" : "");
  } catch {
    return "unknown";
  }
}

/** The CPU model name (from /proc/cpuinfo), or the architecture when unknown. */
export async function cpuModel(): Promise<string> {
  try {
    const text = await Deno.readTextFile("/proc/cpuinfo");
    return /model name\s*:\s*(.+)/.exec(text)?.[1]?.trim() ?? Deno.build.arch;
  } catch {
    return Deno.build.arch;
  }
}
