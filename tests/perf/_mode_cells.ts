/**
 * Paired-by-seed comparisons of a method's modes against its exact mode (`bo_modes.ts`,
 * `exp_law_modes.ts`): runs the missing cells on the replay runner, caching each finished cell
 * as one JSON line so that an interrupted comparison resumes, and summarises the final scores
 * per (task, method, mode).
 *
 * @module
 */

import process from "node:process";
import { runCell } from "../../harness/cell.ts";
import { loadTask } from "../../datasets/registry.ts";
import { ReplayRunner } from "../../runners/replay.ts";
import type { MethodFactory } from "../../core/method.ts";

/** One finished cell. */
export interface ModeCell {
  task: string;
  method: string;
  seed: number;
  /** "exact" or the mode's label. */
  mode: string;
  /** Final gap closed. */
  score: number;
  /** Wall milliseconds. */
  ms: number;
  /** CPU seconds of this process while the cell ran (absent in older caches). */
  cpu?: number;
}

/** Finds a cached cell. */
export type FindCell = (
  task: string,
  method: string,
  seed: number,
  mode: string,
) => ModeCell | undefined;

/**
 * Runs every (task, method, seed, mode) cell missing from the cache file `out` (none with
 * `--summary` among the arguments), printing each new cell as a JSON line.
 *
 * @param o Tasks, methods, seed count, modes (each run with "exact" too), the cache file and the
 * factory of a (method, mode).
 * @returns Lookup of the cached cells.
 */
export async function runModeCells(o: {
  tasks: readonly string[];
  methods: readonly string[];
  seeds: number;
  modes: readonly string[];
  out: string;
  factory: (method: string, mode: string) => MethodFactory;
}): Promise<FindCell> {
  const done: ModeCell[] = [];
  try {
    for (const l of (await Deno.readTextFile(o.out)).split("\n")) if (l) done.push(JSON.parse(l));
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  await Deno.mkdir(o.out.replace(/\/[^/]*$/, ""), { recursive: true });
  const find: FindCell = (task, method, seed, mode) =>
    done.find((c) => c.task === task && c.method === method && c.seed === seed && c.mode === mode);
  const cpu = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1e6;
  };
  for (const taskId of Deno.args.includes("--summary") ? [] : o.tasks) {
    const task = await loadTask(taskId);
    for (const method of o.methods) {
      for (let seed = 0; seed < o.seeds; seed++) {
        for (const mode of [...o.modes, "exact"]) {
          if (find(taskId, method, seed, mode)) continue;
          const factory = o.factory(method, mode);
          const t = performance.now(), c = cpu();
          const line = await runCell({
            task,
            runner: new ReplayRunner(task),
            factory,
            seed,
            suite: "perf",
            timeLimitMs: 3_600_000,
          });
          if (line.status !== "ok") throw new Error(`Cell failed: ${line.error?.message}`);
          const cell: ModeCell = {
            task: taskId,
            method,
            seed,
            mode,
            score: line.checkpoints.at(-1)!.score,
            ms: Math.round(performance.now() - t),
            cpu: Math.round((cpu() - c) * 1000) / 1000,
          };
          done.push(cell);
          await Deno.writeTextFile(o.out, JSON.stringify(cell) + "\n", { append: true });
          console.log(JSON.stringify(cell));
        }
      }
    }
  }
  return find;
}

/** A mode against the exact mode on the seeds where both finished. */
export interface PairedSummary {
  /** Seeds with both cells. */
  n: number;
  exactMean: number;
  modeMean: number;
  /** Mean of (mode − exact) over the seeds. */
  diff: number;
  /** Standard error of `diff`. */
  se: number;
  /** Seed standard deviation of the exact mode's scores. */
  exactSd: number;
  exact: ModeCell[];
  mode: ModeCell[];
}

/** Mean of the values. */
export const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

const sd = (xs: readonly number[]) => {
  const m = mean(xs);
  return Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / Math.max(xs.length - 1, 1));
};

/**
 * Pairs a mode's cells with the exact mode's by seed.
 *
 * @returns The summary, or undefined when no seed has both.
 */
export function paired(
  find: FindCell,
  task: string,
  method: string,
  seeds: number,
  mode: string,
): PairedSummary | undefined {
  const ps = Array.from({ length: seeds }, (_, seed) => ({
    e: find(task, method, seed, "exact"),
    s: find(task, method, seed, mode),
  })).filter((p) => p.e && p.s).map((p) => ({ e: p.e!, s: p.s! }));
  if (ps.length === 0) return undefined;
  const diff = ps.map((p) => p.s.score - p.e.score);
  return {
    n: ps.length,
    exactMean: mean(ps.map((p) => p.e.score)),
    modeMean: mean(ps.map((p) => p.s.score)),
    diff: mean(diff),
    se: sd(diff) / Math.sqrt(ps.length),
    exactSd: sd(ps.map((p) => p.e.score)),
    exact: ps.map((p) => p.e),
    mode: ps.map((p) => p.s),
  };
}
