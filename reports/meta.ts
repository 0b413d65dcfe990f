/**
 * `run.json`: what a bench run was (suite, commit, runtime, tasks with versions, hashes and
 * references, methods, seeds, command), written beside results.jsonl for the reports.
 *
 * @module
 */

import type { Direction } from "../core/types.ts";
import type { Reference } from "../core/task.ts";

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
}

/** One method of a bench run. */
export interface MethodMeta {
  readonly id: string;
  readonly description: string;
  readonly ranked: boolean;
}

/** Contents of run.json. */
export interface RunMeta {
  readonly schema: "mixbench.run/1";
  readonly suite: string;
  readonly commit: string;
  readonly runtime: { readonly deno: string; readonly v8: string; readonly os: string };
  readonly machine: { readonly cpu: string; readonly cores: number; readonly device: string };
  readonly command: string;
  readonly seeds: readonly number[];
  readonly tasks: readonly TaskMeta[];
  readonly methods: readonly MethodMeta[];
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
