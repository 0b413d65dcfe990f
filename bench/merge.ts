/**
 * `deno task merge OUT DIR…`: joins the results folders of a sharded bench (`--shard i/n`, one
 * folder per shard) into one folder and rebuilds its reports. Refuses a cell that two folders
 * hold, and — unless `allowMismatch` — folders written by another suite version, other task
 * versions, tables, surrogate models or source trees. Lines keep their bytes and are written in
 * the single bench's canonical order (task × method × seed, in run.json order), so that the merge
 * of a bench's shards is the bench's own results.jsonl (timings aside).
 *
 * @module
 */

import { InputError } from "../core/errors.ts";
import { cellKey } from "../core/results.ts";
import {
  type MethodMeta,
  type PredictTaskMeta,
  readMeta,
  type RunMeta,
  type TaskMeta,
} from "../reports/meta.ts";
import { type ReportFiles, writeReports } from "../reports/write.ts";
import { writeAtomic } from "./bench.ts";

/** Options of {@linkcode mergeResults}. */
export interface MergeOptions {
  /** Merge folders of other suite/task/table/surrogate versions or source trees. @default {false} */
  readonly allowMismatch?: boolean;
  /** Replace results already in the output folder. @default {false} */
  readonly force?: boolean;
  /** The command line recorded in the merged run.json. */
  readonly command: string;
  /**
   * Require one source tree (run.json integrity). A leaderboard submission merges archived
   * results with a new method's, run from a tree that differs by that method; then the merged
   * run.json carries no integrity digest. @default {true}
   */
  readonly sameSource?: boolean;
}

/** What a merge wrote. */
export interface MergeSummary {
  /** Optimise-track cells. */
  readonly cells: number;
  /** Predict-track cells. */
  readonly predictCells: number;
  readonly files: ReportFiles;
}

/** A results line with its key and the folder it came from. */
interface Keyed {
  readonly key: string;
  readonly text: string;
  readonly dir: string;
  readonly task: string;
  readonly method: string;
  readonly seed: number;
}

async function readLines(dir: string, file: string): Promise<Keyed[]> {
  let text: string;
  try {
    text = await Deno.readTextFile(`${dir}/${file}`);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return [];
    throw e;
  }
  const out: Keyed[] = [];
  for (const [i, line] of text.split("\n").entries()) {
    if (line.trim() === "") continue;
    let v: { task?: { id?: string; version?: number }; method?: string; seed?: number };
    try {
      v = JSON.parse(line);
    } catch {
      throw new InputError(`merge: ${dir}/${file}:${i + 1} is not JSON`);
    }
    if (!v.task?.id || v.task.version === undefined || !v.method || v.seed === undefined) {
      throw new InputError(`merge: ${dir}/${file}:${i + 1} has no task, method or seed`);
    }
    out.push({
      key: cellKey(v.task.id, v.task.version, v.method, v.seed),
      text: line,
      dir,
      task: v.task.id,
      method: v.method,
      seed: v.seed,
    });
  }
  return out;
}

/** Items of several lists, each once, in order of first appearance. */
function union<T>(lists: readonly (readonly T[])[], id: (x: T) => string): T[] {
  const seen = new Map<string, T>();
  for (const l of lists) for (const x of l) if (!seen.has(id(x))) seen.set(id(x), x);
  return [...seen.values()];
}

/** What differs between the folders' configurations (empty when they agree). */
function mismatches(
  metas: readonly { dir: string; meta: RunMeta }[],
  sameSource: boolean,
): string[] {
  const diffs: string[] = [];
  const [first, ...rest] = metas;
  for (const { dir, meta } of rest) {
    const m = first!.meta;
    if (meta.suite !== m.suite) {
      diffs.push(`${dir}: suite ${meta.suite}, ${first!.dir}: ${m.suite}`);
    }
    const srcA = m.integrity?.source, srcB = meta.integrity?.source;
    if (sameSource && srcA !== srcB) {
      diffs.push(
        `${dir}: source tree sha256 ${String(srcB).slice(0, 12)}, ${first!.dir}: ` +
          `${String(srcA).slice(0, 12)}`,
      );
    }
  }
  const methods = new Map<string, { dir: string; version: string }>();
  for (const { dir, meta } of metas) {
    for (const m of meta.methods) {
      const version = m.version ?? "(none)";
      const b = methods.get(m.id);
      if (!b) methods.set(m.id, { dir, version });
      else if (b.version !== version) {
        diffs.push(`method ${m.id}: version ${version} in ${dir}, ${b.version} in ${b.dir}`);
      }
    }
  }
  const tasks = new Map<string, { dir: string; t: TaskMeta | PredictTaskMeta }>();
  for (const { dir, meta } of metas) {
    for (const t of [...meta.tasks, ...(meta.predictTasks ?? [])]) {
      const b = tasks.get(t.id);
      if (!b) {
        tasks.set(t.id, { dir, t });
        continue;
      }
      if (b.t.version !== t.version) {
        diffs.push(`task ${t.id}: version ${t.version} in ${dir}, ${b.t.version} in ${b.dir}`);
      }
      if (b.t.tableSha256 !== t.tableSha256) {
        diffs.push(`task ${t.id}: table sha256 differs between ${dir} and ${b.dir}`);
      }
      const sa = (b.t as TaskMeta).surrogate?.sha256, sb = (t as TaskMeta).surrogate?.sha256;
      if (sa !== sb) diffs.push(`task ${t.id}: surrogate differs between ${dir} and ${b.dir}`);
    }
  }
  return diffs;
}

/**
 * Merges results folders into `out` and writes its reports.
 *
 * @param out The merged folder (created; must not be one of `dirs`).
 * @param dirs The folders to join (the shards of one bench).
 * @param o Options.
 * @returns The number of cells and the report files.
 * @throws {InputError} On a missing folder, a cell held twice, or (without `allowMismatch`)
 * folders of other versions.
 */
export async function mergeResults(
  out: string,
  dirs: readonly string[],
  o: MergeOptions,
): Promise<MergeSummary> {
  if (dirs.length === 0) throw new InputError("merge: expected OUT and at least one folder");
  const norm = (p: string) => p.replace(/\/+$/, "");
  if (dirs.some((d) => norm(d) === norm(out))) {
    throw new InputError(`merge: the output folder "${out}" is also an input`);
  }
  const metas = await Promise.all(dirs.map(async (dir) => {
    try {
      return { dir, meta: await readMeta(dir) };
    } catch (e) {
      throw new InputError(
        `merge: "${dir}" is not a results folder (${(e as Error).message.split("\n")[0]})`,
      );
    }
  }));
  const sameSource = o.sameSource ?? true;
  const diffs = mismatches(metas, sameSource);
  if (diffs.length > 0 && !o.allowMismatch) {
    throw new InputError(
      `merge: the folders were written by different configurations (${diffs.join("; ")}); ` +
        `pass --allow-mismatch to merge them anyway`,
    );
  }
  const tasks = union(metas.map((m) => m.meta.tasks), (t) => t.id);
  const predictTasks = union(metas.map((m) => m.meta.predictTasks ?? []), (t) => t.id);
  const methods = union<MethodMeta>(metas.map((m) => m.meta.methods), (m) => m.id);
  const seeds = union(metas.map((m) => m.meta.seeds), String);

  const order = (lines: Keyed[], taskIds: readonly string[], file: string): string => {
    const held = new Map<string, string>();
    for (const l of lines) {
      const before = held.get(l.key);
      if (before !== undefined) {
        throw new InputError(
          `merge: cell ${l.key} is in both ${before}/${file} and ${l.dir}/${file}`,
        );
      }
      held.set(l.key, l.dir);
    }
    const rank = (l: Keyed) => {
      const t = taskIds.indexOf(l.task), m = methods.findIndex((x) => x.id === l.method);
      const s = seeds.indexOf(l.seed);
      return t < 0 || m < 0 || s < 0 ? Infinity : (t * methods.length + m) * seeds.length + s;
    };
    const sorted = lines.map((l) => ({ l, r: rank(l) })).sort((a, b) =>
      a.r - b.r || (a.l.key < b.l.key ? -1 : a.l.key > b.l.key ? 1 : 0)
    );
    return sorted.map(({ l }) => l.text + "\n").join("");
  };
  const results = (await Promise.all(dirs.map((d) => readLines(d, "results.jsonl")))).flat();
  const predict = (await Promise.all(dirs.map((d) => readLines(d, "predict.jsonl")))).flat();
  const resultsText = order(results, tasks.map((t) => t.id), "results.jsonl");
  const predictText = order(predict, predictTasks.map((t) => t.id), "predict.jsonl");

  await Deno.mkdir(out, { recursive: true });
  if (!o.force) {
    try {
      if ((await Deno.readTextFile(`${out}/results.jsonl`)).trim() !== "") {
        throw new InputError(`merge: "${out}" already holds results; pass --force to replace them`);
      }
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    }
  }
  const first = metas[0]!.meta;
  const sources = new Set(metas.map((m) => m.meta.integrity?.source));
  const { shard: _shard, integrity, ...rest } = first;
  const merged: RunMeta = {
    ...rest,
    command: o.command,
    seeds,
    tasks,
    methods,
    ...(predictTasks.length > 0 ? { predictTasks } : {}),
    ...(integrity && sameSource
      ? {
        integrity: sources.size > 1
          // Folders of other source trees (--allow-mismatch): the merge is flagged invalid.
          ? { ...integrity, after: [...sources].find((s) => s !== integrity.source) ?? "" }
          : integrity,
      }
      : {}),
  };
  await writeAtomic(`${out}/run.json`, JSON.stringify(merged, null, 2) + "\n");
  await writeAtomic(`${out}/results.jsonl`, resultsText);
  await writeAtomic(`${out}/predict.jsonl`, predictText);
  for (const dir of dirs) {
    try {
      for await (const e of Deno.readDir(`${dir}/errors`)) {
        if (!e.isFile) continue;
        await Deno.mkdir(`${out}/errors`, { recursive: true });
        await Deno.copyFile(`${dir}/errors/${e.name}`, `${out}/errors/${e.name}`);
      }
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    }
  }
  return { cells: results.length, predictCells: predict.length, files: await writeReports(out) };
}
