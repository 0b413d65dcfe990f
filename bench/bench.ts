/**
 * The bench: builds the (task, method, seed) cells, skips finished ones on `--resume`, runs the
 * rest in workers, appends each finished cell to results.jsonl, then writes the reports.
 *
 * @module
 */

import { failedLine } from "../harness/cell.ts";
import type { ResultLine } from "../core/results.ts";
import { cellKey, formatLine, lineKey, readResults, repairResults } from "../core/results.ts";
import { type CellRequest, expectedCellCost, runCells } from "../harness/scheduler.ts";
import type { RunTable } from "../core/table.ts";
import type { TaskCard } from "../core/task.ts";
import type { Direction } from "../core/types.ts";
import { SUITE_VERSION } from "../core/version.ts";
import { customTaskCard } from "../datasets/custom_task.ts";
import {
  loadPredictTaskCard,
  loadTable,
  loadTaskCard,
  PREDICT_TASKS,
  TASKS,
} from "../datasets/registry.ts";
import { loadMethod, METHODS } from "../methods/mod.ts";
import { predictTaskMeta, type RunMeta, type TaskMeta, taskMeta } from "../reports/meta.ts";
import type { DeviceOption } from "../runners/session.ts";
import { type ReportFiles, writeReports } from "../reports/write.ts";
import {
  type CellPayload,
  failedPredictLine,
  type PredictPayload,
  type TaskSpec,
} from "./worker.ts";
import { PREDICT_SCHEMA, type PredictLine, readPredictLines } from "../core/predict.ts";

/** The fixed seed list; `--quick` takes the first 3, the default leaderboard 10, paper tables 25. */
export const SEEDS: readonly number[] = Array.from({ length: 25 }, (_, i) => i);

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
  dataset?: {
    path: string;
    card?: string | undefined;
    objective?: string | undefined;
    direction?: Direction | undefined;
    target?: string | undefined;
    budget?: number | undefined;
  } | undefined;
  command: string;
  progress: boolean;
  log: (line: string) => void;
}

/** What a bench did. */
export interface BenchSummary {
  ran: number;
  skipped: number;
  failed: number;
  wallMs: number;
  files: ReportFiles;
}

/** Runs a bench end to end. */
export async function runBench(o: BenchOptions): Promise<BenchSummary> {
  const t0 = performance.now();
  const n = o.seeds ?? (o.quick ? 3 : 10);
  if (n > SEEDS.length) {
    throw new RangeError(`--seeds is ${n}, at most ${SEEDS.length} are published`);
  }
  const seeds = SEEDS.slice(0, n);
  const specs = o.methods ?? METHODS.map((m) => m.id);
  const methods = await Promise.all(specs.map(loadMethod));
  const tasks: { spec: TaskSpec; card: TaskCard; table: RunTable }[] = [];
  if (o.dataset) {
    const table = await loadTable(o.dataset.path, o.dataset.card);
    const card = customTaskCard(table, o.dataset);
    tasks.push({
      spec: {
        kind: "custom",
        card,
        table: o.dataset.path,
        ...(o.dataset.card ? { cardPath: o.dataset.card } : {}),
      },
      card,
      table,
    });
  } else {
    for (const id of (o.tasks ?? TASKS).filter((t) => !PREDICT_TASKS.includes(t))) {
      const card = await loadTaskCard(id);
      // Continuous (surrogate) tasks run when named with --tasks; the default bench replays.
      if (!o.tasks && card.runner !== "replay") continue;
      tasks.push({
        spec: { kind: "builtin", id },
        card,
        table: await loadTable(card.table),
      });
    }
  }
  await Deno.mkdir(o.out, { recursive: true });
  const resultsPath = `${o.out}/results.jsonl`;
  const done = new Set<string>();
  if (o.resume) {
    await repairResults(resultsPath);
    for (const l of await readResults(resultsPath)) done.add(lineKey(l));
  } else {
    await Deno.writeTextFile(resultsPath, "");
  }
  const execution = await surrogateExecution(tasks.map((t) => t.card), o.device ?? "cpu");
  const meta: RunMeta = {
    schema: "mixbench.run/1",
    suite: SUITE_VERSION,
    commit: await gitCommit(),
    runtime: {
      deno: Deno.version.deno,
      v8: Deno.version.v8,
      os: `${Deno.build.os} ${Deno.build.arch}`,
      ...execution.runtime,
    },
    machine: {
      cpu: await cpuModel(),
      cores: navigator.hardwareConcurrency,
      device: "cpu (replay runner)",
      ...execution.machine,
    },
    command: o.command,
    seeds,
    tasks: tasks.map(({ card, table }) => {
      const s = execution.surrogates.get(card.id);
      return s ? { ...taskMeta(card, table), surrogate: s } : taskMeta(card, table);
    }),
    methods: methods.map((m) => ({ id: m.id, description: m.description, ranked: m.ranked })),
  };
  await Deno.writeTextFile(`${o.out}/run.json`, JSON.stringify(meta, null, 2) + "\n");
  const requests: CellRequest[] = [];
  for (const t of tasks) {
    for (const [k, m] of methods.entries()) {
      for (const seed of seeds) {
        const key = cellKey(t.card.id, t.card.version, m.id, seed);
        if (done.has(key)) continue;
        const payload: CellPayload = {
          task: t.spec,
          taskVersion: t.card.version,
          budget: t.card.budget,
          runner: t.card.runner,
          method: specs[k]!,
          methodId: m.id,
          seed,
          suite: SUITE_VERSION,
          timeLimitMs: o.timeLimitMs,
          ...(execution.device ? { device: execution.device } : {}),
        };
        requests.push({ key, payload, cost: expectedCellCost(m.id, t.card.id) });
      }
    }
  }
  const predictPath = `${o.out}/predict.jsonl`;
  const predictDone = new Set<string>();
  if (o.resume) {
    await repairResults(predictPath);
    for (const l of await readPredictLines(predictPath)) {
      predictDone.add(cellKey(l.task.id, l.task.version, l.method, l.seed));
    }
  } else {
    await Deno.writeTextFile(predictPath, "");
  }
  const predictIds = o.dataset
    ? []
    : (o.tasks ?? PREDICT_TASKS).filter((t) => PREDICT_TASKS.includes(t));
  if (predictIds.length > 0 && methods.some((m) => m.fit)) {
    const predictTasks = await Promise.all(predictIds.map(async (id) => {
      const card = await loadPredictTaskCard(id);
      return predictTaskMeta(card, await loadTable(card.table));
    }));
    await Deno.writeTextFile(
      `${o.out}/run.json`,
      JSON.stringify({ ...meta, predictTasks }, null, 2) + "\n",
    );
  }
  for (const id of predictIds) {
    const card = await loadPredictTaskCard(id);
    for (const [k, m] of methods.entries()) {
      if (!m.fit) continue;
      for (const seed of seeds) {
        const key = cellKey(card.id, card.version, m.id, seed);
        if (predictDone.has(key)) continue;
        const payload: PredictPayload = {
          kind: "predict",
          task: id,
          version: card.version,
          method: specs[k]!,
          methodId: m.id,
          seed,
          suite: SUITE_VERSION,
        };
        requests.push({ key, payload });
      }
    }
  }
  let finished = 0;
  let failed = 0;
  const file = await Deno.open(resultsPath, { append: true, create: true });
  const predictFile = await Deno.open(predictPath, { append: true, create: true });
  try {
    await runCells(requests, {
      workerUrl: new URL("./worker.ts", import.meta.url),
      concurrency: o.workers,
      hardLimitMs: Math.round(o.timeLimitMs * 1.5) + 2000,
      onFailure: (req, error) => {
        if ((req.payload as PredictPayload).kind === "predict") {
          return failedPredictLine(req.payload as PredictPayload, error);
        }
        const p = req.payload as CellPayload;
        const id = p.task.kind === "builtin" ? p.task.id : p.task.card.id;
        return failedLine(
          {
            task: { id, version: p.taskVersion },
            method: p.methodId,
            seed: p.seed,
            suite: p.suite,
            runner: p.runner,
          },
          error,
          p.budget,
        );
      },
      onResult: async (req, reply) => {
        if ((reply as PredictLine).schema === PREDICT_SCHEMA) {
          const p = reply as PredictLine;
          await predictFile.write(new TextEncoder().encode(JSON.stringify(p) + "\n"));
          finished++;
          if (p.status === "failed") failed++;
          const msg = `[${finished}/${requests.length}] ${req.key} predict ${p.status}` +
            (p.sets.length
              ? ` ρ ${p.sets.map((s) => `${s.name} ${s.spearman.toFixed(3)}`).join(", ")}`
              : "") +
            (p.error ? ` (${p.error.name}: ${p.error.message})` : "");
          if (o.progress) {
            Deno.stdout.writeSync(new TextEncoder().encode(`\r\x1b[2K${msg.slice(0, 150)}`));
          } else o.log(msg);
          return;
        }
        const line = reply as ResultLine;
        await file.write(new TextEncoder().encode(formatLine(line)));
        finished++;
        if (line.status === "failed") failed++;
        const last = line.checkpoints[line.checkpoints.length - 1];
        const msg = `[${finished}/${requests.length}] ${req.key} ${line.status}` +
          (last ? ` score ${last.score.toFixed(3)}` : "") +
          (line.error ? ` (${line.error.name}: ${line.error.message})` : "");
        if (o.progress) {
          Deno.stdout.writeSync(new TextEncoder().encode(`\r\x1b[2K${msg.slice(0, 150)}`));
          if (line.status === "failed") Deno.stdout.writeSync(new TextEncoder().encode("\n"));
        } else o.log(msg);
      },
    });
  } finally {
    file.close();
    predictFile.close();
  }
  if (o.progress && requests.length > 0) Deno.stdout.writeSync(new TextEncoder().encode("\n"));
  const files = await writeReports(o.out);
  return {
    ran: finished,
    skipped: done.size + predictDone.size,
    failed,
    wallMs: performance.now() - t0,
    files,
  };
}

/**
 * Where the surrogate tasks of a bench run (if any): the resolved device, the run.json fields
 * that say so, and each surrogate task's model card (target fidelity) for the report.
 */
async function surrogateExecution(cards: readonly TaskCard[], option: DeviceOption): Promise<{
  device?: "cpu" | "gpu";
  runtime: { onnxruntime?: string };
  machine: { device?: string; provider?: string; gpu?: string };
  surrogates: Map<string, NonNullable<TaskMeta["surrogate"]>>;
}> {
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
