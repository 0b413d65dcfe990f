/**
 * `deno task bench`: the main job. Parses and checks the flags, runs the bench and prints its
 * progress and summary.
 *
 * @module
 */

import { parseShard } from "../bench/shard.ts";
import { type BenchEvent, formatBenchEvent, MAX_TIME_LIMIT_MS, runBench } from "../bench/bench.ts";
import { InputError } from "../core/errors.ts";
import { defaultConcurrency } from "../harness/scheduler.ts";
import type { PoolSpec } from "../core/task.ts";
import { commandLine, type CommandSpec, EXIT, list, positiveInt } from "./args.ts";

/** The bench command's flags. */
export const BENCH: CommandSpec = {
  name: "bench",
  usage: "bench [options]",
  summary:
    "Runs every (task, method, seed) cell and writes results.jsonl, predict.jsonl, run.json, " +
    "report.html, leaderboard.md and leaderboard.json to --out.",
  options: {
    quick: { type: "boolean", help: "3 seeds (0-2) instead of 10 (0-9)" },
    seeds: { type: "string", value: "N", help: "the first N seeds of the fixed list 0-24" },
    tasks: {
      type: "string",
      value: "a,b",
      help: "task ids (default: every built-in replay and predict task; see `deno task list`)",
    },
    methods: {
      type: "string",
      value: "x,y",
      help: "method ids, module.ts#export, or cmd:<program> [args] for a method in any " +
        "language over the bridge protocol (default: every registered method)",
    },
    shard: {
      type: "string",
      value: "I/N",
      help: "run only shard I of N (1-based), balanced by expected cost; join the shards' " +
        "folders with deno task merge",
    },
    out: { type: "string", value: "DIR", help: "results folder (default: out/bench, out/quick)" },
    resume: { type: "boolean", help: "keep the finished cells of DIR and run only the others" },
    force: { type: "boolean", help: "replace the results already in DIR" },
    "no-report": {
      type: "boolean",
      help: "write only the results lines and run.json (deno task report DIR writes the reports)",
    },
    workers: {
      type: "string",
      value: "N",
      help: `parallel cell processes (default: the number of cores, ${defaultConcurrency()})`,
    },
    "time-limit": {
      type: "string",
      value: "S",
      help: `per-cell time limit in seconds, 1-${MAX_TIME_LIMIT_MS / 1000} (default: 300)`,
    },
    memory: {
      type: "string",
      value: "MIB",
      help:
        "V8 heap limit of each cell process; a cell that needs more fails alone (default: 4096)",
    },
    device: {
      type: "string",
      value: "D",
      help: "where surrogate models run on continuous tasks: cpu (WebAssembly), gpu " +
        "(WebGPU) or auto (a hardware GPU if there is one) (default: cpu)",
    },
    "cpu-engine": {
      type: "string",
      value: "E",
      help: "what scores surrogate models on cpu: simd (this suite's fused WebAssembly SIMD " +
        "kernel) or ort (onnxruntime-web WASM); bit-identical predictions (default: simd)",
    },
    dataset: {
      type: "string",
      value: "PATH",
      help: "bring-your-own runs.csv in the canonical schema (replaces --tasks)",
    },
    card: { type: "string", value: "PATH", help: "its card.json (default: card.json beside it)" },
    objective: {
      type: "string",
      value: "EXPR",
      help: "metric name or expression to optimise, e.g. metric_loss or 'mean(metric_*)'",
    },
    direction: { type: "string", value: "D", help: "minimize | maximize" },
    target: {
      type: "string",
      value: "FIDELITY",
      help: "fidelity on which recommendations are judged (default: the costliest)",
    },
    budget: {
      type: "string",
      value: "N",
      help: "budget in target-fidelity runs, below the target pool (default: the budget rule, " +
        "a fraction of the pool; README, Leaderboard)",
    },
    "predict-train": {
      type: "string",
      value: "FID[:SPLIT]",
      help: "run the Predict track on the table: fit on the runs of this fidelity (and splits, " +
        "joined by +), e.g. 20M or 1M:train",
    },
    "predict-sets": {
      type: "string",
      value: "FID[:SPLIT],…",
      help: "the held-out sets the fit predicts, e.g. 150M or 1M:test,60M",
    },
    "query-costlier": {
      type: "boolean",
      help: "let methods query fidelities costlier than the target (default: only those at or " +
        "below the target's cost)",
    },
  },
  epilog: `Examples:
  deno task bench --quick
  deno task bench --tasks regmix-pile/pile-cc --methods regmix,random-search --seeds 3
  deno task bench --dataset my/runs.csv --objective metric_acc --direction maximize`,
};

/**
 * Runs the bench command.
 *
 * @param values Parsed flags.
 * @param args The raw arguments (for the regenerate command recorded in run.json).
 * @returns The exit code.
 */
export async function benchCommand(
  values: Readonly<Record<string, string | boolean | undefined>>,
  args: readonly string[],
): Promise<number> {
  const direction = values.direction;
  if (direction !== undefined && direction !== "minimize" && direction !== "maximize") {
    throw new InputError(`--direction is "${direction}", expected minimize or maximize`);
  }
  const device = values.device ?? "cpu";
  if (device !== "cpu" && device !== "gpu" && device !== "auto") {
    throw new InputError(`--device is "${device}", expected cpu, gpu or auto`);
  }
  const cpuEngine = values["cpu-engine"] ?? "simd";
  if (cpuEngine !== "simd" && cpuEngine !== "ort") {
    throw new InputError(`--cpu-engine is "${cpuEngine}", expected simd or ort`);
  }
  if (values.resume && values.force) {
    throw new InputError("--resume and --force exclude each other");
  }
  const datasetOnly = [
    "card",
    "objective",
    "direction",
    "target",
    "budget",
    "query-costlier",
    "predict-train",
    "predict-sets",
  ]
    .filter((f) => values[f] !== undefined);
  if (values.dataset === undefined && datasetOnly.length > 0) {
    throw new InputError(`--${datasetOnly[0]} needs --dataset (a bring-your-own table)`);
  }
  if (values.dataset !== undefined && values.tasks !== undefined) {
    throw new InputError("--dataset and --tasks exclude each other");
  }
  const quick = values.quick === true;
  const summary = await runBench({
    quick,
    seeds: positiveInt("seeds", values.seeds),
    tasks: list("tasks", values.tasks),
    methods: list("methods", values.methods),
    out: (values.out as string | undefined) ?? (quick ? "out/quick" : "out/bench"),
    resume: values.resume === true,
    force: values.force === true,
    workers: positiveInt("workers", values.workers, 256) ?? defaultConcurrency(),
    timeLimitMs: (positiveInt("time-limit", values["time-limit"], MAX_TIME_LIMIT_MS / 1000) ??
      300) * 1000,
    memoryMiB: positiveInt("memory", values.memory, 65536),
    device,
    cpuEngine,
    dataset: values.dataset === undefined ? undefined : {
      path: values.dataset as string,
      card: values.card as string | undefined,
      objective: values.objective as string | undefined,
      direction,
      target: values.target as string | undefined,
      budget: positiveInt("budget", values.budget),
      queryCostlier: values["query-costlier"] === true,
      predict: predictFlags(values["predict-train"], values["predict-sets"]),
    },
    command: commandLine("bench", args),
    shard: values.shard === undefined ? undefined : parseShard(values.shard as string),
    report: progressPrinter(Deno.stdout.isTerminal()),
    reports: values["no-report"] !== true,
  });
  console.log(
    `${summary.ran} cells run, ${summary.skipped} skipped (resume), ${summary.failed} failed in ` +
      `${(summary.wallMs / 1000).toFixed(1)} s`,
  );
  if (summary.files) {
    console.log(
      `wrote ${summary.files.html}\n      ${summary.files.markdown}\n      ${summary.files.json}`,
    );
  }
  return EXIT.ok;
}

/**
 * Prints bench events: on a terminal one progress line rewritten in place (failures kept on
 * their own line), otherwise one line per cell.
 */
function progressPrinter(terminal: boolean): (e: BenchEvent) => void {
  const encoder = new TextEncoder();
  return (e) => {
    if (e.kind === "note") return console.log(e.text);
    if (e.kind === "start") {
      if (e.skipped > 0) console.log(`${e.skipped} cells already finished (resume)`);
      for (const b of e.budgets ?? []) {
        if (b.task.startsWith("custom/")) {
          console.log(`${b.task}: budget ${b.budget} ${b.costUnit} (${b.rule ?? "from the card"})`);
        }
      }
      console.log(`${e.total} cells to run`);
      return;
    }
    const line = formatBenchEvent(e);
    if (!terminal) return console.log(line);
    Deno.stdout.writeSync(encoder.encode(`\r\x1b[2K${line.slice(0, 150)}`));
    if (e.status === "failed" || e.done === e.total) Deno.stdout.writeSync(encoder.encode("\n"));
  };
}

/** One pool spec flag value: `FIDELITY` or `FIDELITY:split+split`. */
function poolSpec(flag: string, s: string): PoolSpec {
  const [fidelity, splits, extra] = s.split(":");
  if (!fidelity || extra !== undefined || splits === "") {
    throw new InputError(`--${flag} "${s}", expected FIDELITY or FIDELITY:SPLIT[+SPLIT]`);
  }
  return splits === undefined ? { fidelity } : { fidelity, splits: splits.split("+") };
}

/** The Predict-track flags of a bring-your-own table (both or neither). */
function predictFlags(
  train: unknown,
  sets: unknown,
): { train: PoolSpec; sets: PoolSpec[] } | undefined {
  if (train === undefined && sets === undefined) return undefined;
  if (train === undefined || sets === undefined) {
    throw new InputError("--predict-train and --predict-sets go together");
  }
  return {
    train: poolSpec("predict-train", String(train)),
    sets: (list("predict-sets", sets) ?? []).map((s) => poolSpec("predict-sets", s)),
  };
}
