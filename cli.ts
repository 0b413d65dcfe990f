/**
 * mixbench command line.
 *
 * ```
 * deno task bench [--quick] [--tasks a,b] [--methods x,y] [--seeds N] [--out DIR] [--resume]
 *                 [--workers N] [--time-limit SECONDS] [--device cpu|gpu|auto]
 *                 [--dataset runs.csv [--card card.json] --objective EXPR [--direction minimize|maximize]
 *                  [--target FIDELITY] [--budget N]]
 * deno task report DIR
 * deno run -A cli.ts list
 * ```
 *
 * @module
 */

import { parseArgs } from "node:util";
import { runBench } from "./bench/bench.ts";
import { TASKS } from "./datasets/registry.ts";
import { METHODS } from "./methods/mod.ts";
import { writeReports } from "./reports/write.ts";

const HELP = `mixbench — data-mixture optimisation benchmark

Commands:
  bench    run (task, method, seed) cells; writes results.jsonl, run.json, report.html,
           leaderboard.md and leaderboard.json to --out
  report   rebuild the reports of a results folder: report DIR
  list     list built-in tasks and methods

bench options:
  --quick               3 seeds (0-2) instead of 10 (0-9)
  --seeds N             the first N seeds of the fixed list (25 for paper tables)
  --tasks a,b           task ids (default: every built-in task)
  --methods x,y         method ids (default: every registered method)
  --out DIR             results folder (default: out/bench, or out/quick with --quick)
  --resume              keep finished cells of DIR/results.jsonl and run only the others
  --workers N           parallel workers (default: the number of cores)
  --time-limit S        per-cell time limit in seconds (default: 300)
  --dataset PATH        bring-your-own runs.csv in the canonical schema (replaces --tasks)
  --card PATH           its card.json (default: card.json beside it, else inferred)
  --objective EXPR      metric name or expression to optimise (bring-your-own)
  --direction D         minimize | maximize (default: the metric's direction in the card)
  --target FIDELITY     fidelity on which recommendations are judged (default: the costliest)
  --budget N            budget in target-fidelity runs (default: min(64, target pool size))
  --device D            where surrogate models run (continuous tasks): cpu (onnxruntime-web
                        WASM), gpu (WebGPU, any adapter) or auto (a hardware GPU if there is
                        one, else cpu) (default: cpu)
`;

async function main(args: string[]): Promise<number> {
  const [command, ...rest] = args;
  if (!command || command === "help" || command === "--help" || command === "-h") {
    console.log(HELP);
    return command ? 0 : 2;
  }
  if (command === "list") {
    console.log("Tasks:");
    for (const t of TASKS) console.log(`  ${t}`);
    console.log("Methods:");
    for (const m of METHODS) console.log(`  ${m.id.padEnd(16)} ${m.description}`);
    return 0;
  }
  if (command === "report") {
    const dir = rest[0];
    if (!dir) {
      console.error("report: expected a results folder, e.g. deno task report out/bench");
      return 2;
    }
    const files = await writeReports(dir);
    console.log(`wrote ${files.html}, ${files.markdown}, ${files.json}`);
    return 0;
  }
  if (command === "bench") {
    const { values } = parseArgs({
      args: rest,
      options: {
        quick: { type: "boolean", default: false },
        seeds: { type: "string" },
        tasks: { type: "string" },
        methods: { type: "string" },
        out: { type: "string" },
        resume: { type: "boolean", default: false },
        workers: { type: "string", default: String(navigator.hardwareConcurrency || 1) },
        "time-limit": { type: "string", default: "300" },
        dataset: { type: "string" },
        card: { type: "string" },
        objective: { type: "string" },
        direction: { type: "string" },
        target: { type: "string" },
        budget: { type: "string" },
        device: { type: "string", default: "cpu" },
      },
      strict: true,
    });
    const int = (name: string, s: string | undefined): number | undefined => {
      if (s === undefined) return undefined;
      const n = Number(s);
      if (!Number.isInteger(n) || n <= 0) {
        throw new RangeError(`--${name} is "${s}", expected a positive integer`);
      }
      return n;
    };
    const list = (s: string | undefined) => s?.split(",").map((x) => x.trim()).filter(Boolean);
    const direction = values.direction;
    if (direction !== undefined && direction !== "minimize" && direction !== "maximize") {
      throw new RangeError(`--direction is "${direction}", expected minimize or maximize`);
    }
    const device = values.device;
    if (device !== "cpu" && device !== "gpu" && device !== "auto") {
      throw new RangeError(`--device is "${device}", expected cpu, gpu or auto`);
    }
    const summary = await runBench({
      quick: values.quick!,
      seeds: int("seeds", values.seeds),
      tasks: list(values.tasks),
      methods: list(values.methods),
      out: values.out ?? (values.quick ? "out/quick" : "out/bench"),
      resume: values.resume!,
      workers: int("workers", values.workers)!,
      timeLimitMs: int("time-limit", values["time-limit"])! * 1000,
      device,
      dataset: values.dataset === undefined ? undefined : {
        path: values.dataset,
        card: values.card,
        objective: values.objective,
        direction,
        target: values.target,
        budget: int("budget", values.budget),
      },
      command: ["deno task bench", ...rest].join(" "),
      progress: Deno.stdout.isTerminal(),
      log: (s) => console.log(s),
    });
    console.log(
      `${summary.ran} cells run, ${summary.skipped} skipped (resume), ${summary.failed} failed in ` +
        `${(summary.wallMs / 1000).toFixed(1)} s`,
    );
    console.log(
      `wrote ${summary.files.html}\n      ${summary.files.markdown}\n      ${summary.files.json}`,
    );
    return 0;
  }
  console.error(`Unknown command "${command}"\n\n${HELP}`);
  return 2;
}

if (import.meta.main) {
  try {
    Deno.exit(await main(Deno.args));
  } catch (e) {
    console.error(`mixbench: ${e instanceof Error ? e.message : String(e)}`);
    Deno.exit(1);
  }
}
