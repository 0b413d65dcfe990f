/**
 * `deno task reproduce <name>`: runs a paper-reproduction manifest (reports/manifests/<name>.json,
 * or a path to one), prints its table as markdown and LaTeX with a diff against the expected
 * numbers, and exits 1 when a number is outside its tolerance (with `--strict`, also when an
 * expected number could not be made because its method does not exist yet). Methods that are not
 * registered are reported as missing, never dropped. The runs, report and leaderboards are
 * written under `out/reproduce/<name>/`.
 *
 * ```
 * deno task reproduce regmix|admire|aioli [--seeds N] [--out DIR] [--workers N] [--strict]
 * ```
 *
 * @module
 */

import { commandLine } from "../core/shell.ts";
import { formatBenchEvent, runBench, SEEDS } from "./bench.ts";
import type { MethodFactory } from "../core/method.ts";
import { runPredict } from "../harness/predict.ts";
import { readResults } from "../core/results.ts";
import { gapClosed } from "../core/task.ts";
import { SUITE_VERSION } from "../core/version.ts";
import { loadPredictTaskCard, loadTable, loadTaskCard } from "../datasets/registry.ts";
import { loadMethod } from "../methods/mod.ts";
import { aggregate, type CellSummary, type TaskSummary } from "../reports/aggregate.ts";
import {
  expectedRunningTime,
  firstHit,
  heldHit,
  recordsOf,
  speedup,
} from "../reports/cost_to_target.ts";
import {
  type DiffLine,
  diffMarkdown,
  diffTable,
  type FilledTable,
  fillNote,
  type Manifest,
  parseManifest,
  tableLatex,
  tableMarkdown,
} from "./manifest.ts";
import { predictTaskMeta, readMeta, type RunMeta } from "../reports/meta.ts";
import { scoreSet, type SetScores } from "../core/predict.ts";
import { taskLevels } from "../reports/targets.ts";
import { writeReports } from "../reports/write.ts";
import { defaultConcurrency } from "../harness/scheduler.ts";
import { reproduceOnline } from "./reproduce_online.ts";

/** Options of {@linkcode reproduce}. */
export interface ReproduceOptions {
  /** Seeds to run instead of the manifest's (for a quick check). @default {the manifest's} */
  seeds?: number;
  /** Output folder. @default {"out/reproduce/<name>"} */
  out?: string;
  /** Bench workers. @default {the number of cores} */
  workers?: number;
  /** Per-cell time limit in ms. @default {600000} */
  timeLimitMs?: number;
  /** Progress messages. @default {no output} */
  log?: (line: string) => void;
}

/** What a reproduction produced. */
export interface Reproduction {
  readonly table: FilledTable;
  /** The online section's tables as text (markdown and LaTeX), when the manifest has one. */
  readonly online?: string;
  readonly diff: readonly DiffLine[];
  readonly out: string;
  /** Seeds run. */
  readonly seeds: number;
}

/** Loads a manifest by name (reports/manifests/<name>.json) or path. */
export async function loadManifest(nameOrPath: string): Promise<Manifest> {
  const path = nameOrPath.endsWith(".json")
    ? nameOrPath
    : new URL(`./manifests/${nameOrPath}.json`, import.meta.url).pathname;
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (e) {
    throw new RangeError(`No manifest "${nameOrPath}" (looked for "${path}")`, { cause: e });
  }
  return parseManifest(JSON.parse(text), path);
}

async function resolve(id: string): Promise<MethodFactory | string> {
  try {
    return await loadMethod(id);
  } catch (e) {
    return e instanceof RangeError ? "missing: not registered" : `missing: ${(e as Error).message}`;
  }
}

/**
 * Runs a manifest and fills its table.
 *
 * @param m The manifest.
 * @param options Seeds, output folder, workers.
 * @returns The table, its diff against the expectations, and the output folder.
 */
export async function reproduce(
  m: Manifest,
  options: ReproduceOptions = {},
): Promise<Reproduction> {
  const out = options.out ?? `out/reproduce/${m.name}`;
  const seeds = SEEDS.slice(0, options.seeds ?? m.seeds);
  const status: Record<string, string> = {};
  const factories = new Map<string, MethodFactory>();
  for (const r of m.methods) {
    const f = await resolve(r.id);
    if (typeof f === "string") status[r.id] = f;
    else if (m.kind === "predict" && !f.fit) status[r.id] = "missing: fits no predictor";
    else [factories.set(r.id, f), status[r.id] = "ran"];
  }
  await Deno.mkdir(out, { recursive: true });
  const values = m.kind === "predict"
    ? await runPredictManifest(m, factories, seeds, out, status)
    : await runOptimizeManifest(m, factories, seeds, out, status, options);
  const table: FilledTable = { manifest: m, status, values };
  const online = m.online
    ? (await reproduceOnline(m.online, {
      out: `${out}/online`,
      name: m.name,
      ...(options.seeds !== undefined ? { seeds: options.seeds } : {}),
      ...(options.workers !== undefined ? { workers: options.workers } : {}),
      ...(options.timeLimitMs !== undefined ? { timeLimitMs: options.timeLimitMs } : {}),
      ...(options.log ? { log: options.log } : {}),
    })).text
    : undefined;
  return {
    table,
    diff: diffTable(table),
    out,
    seeds: seeds.length,
    ...(online ? { online } : {}),
  };
}

type Values = Record<string, Record<string, number | null>>;

async function runPredictManifest(
  m: Manifest,
  factories: Map<string, MethodFactory>,
  seeds: readonly number[],
  out: string,
  status: Record<string, string>,
): Promise<Values> {
  const metric = (m.metric ?? "spearman") as keyof SetScores;
  const lines = [];
  const metas = [];
  for (const id of m.tasks) {
    const card = await loadPredictTaskCard(id);
    const table = await loadTable(card.table);
    metas.push({ card, meta: predictTaskMeta(card, table) });
    for (const [mid, f] of factories) {
      for (const seed of seeds) {
        lines.push({ mid, line: runPredict(card, table, f, seed, { suite: SUITE_VERSION }) });
      }
    }
  }
  const values: Values = {};
  for (const r of m.methods) {
    values[r.id] = {};
    const mine = lines.filter((l) => l.mid === r.id).map((l) => l.line);
    const failed = mine.filter((l) => l.status === "failed");
    if (failed.length > 0) {
      status[r.id] = `partial: ${failed.length}/${mine.length} seeds failed (${
        failed[0]!.error?.message
      })`;
    }
    for (const c of m.columns) {
      const meta = metas.find((x) => x.card.id === c.task)?.meta;
      const xs = mine.filter((l) => l.status === "ok" && l.task.id === c.task).flatMap((l) =>
        l.sets.filter((s) => s.name === c.set).map((s) =>
          scoreSet(s.truth, s.predicted, meta?.direction ?? "minimize")[metric]
        )
      );
      values[r.id]![c.label] = xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null;
    }
  }
  const meta: RunMeta = {
    ...baseMeta(m, seeds),
    tasks: [],
    methods: [...factories.values()].map((f) => ({
      id: f.id,
      description: f.description,
      ranked: f.ranked,
    })),
    predictTasks: metas.map((x) => x.meta),
  };
  await Deno.writeTextFile(`${out}/run.json`, JSON.stringify(meta, null, 2) + "\n");
  await Deno.writeTextFile(`${out}/results.jsonl`, "");
  await Deno.writeTextFile(
    `${out}/predict.jsonl`,
    lines.map((l) => JSON.stringify(l.line) + "\n").join(""),
  );
  await writeReports(out);
  return values;
}

function baseMeta(m: Manifest, seeds: readonly number[]): Omit<RunMeta, "tasks" | "methods"> {
  return {
    schema: "mixbench.run/1",
    suite: SUITE_VERSION,
    commit: "see the reproduce command's run",
    runtime: {
      deno: Deno.version.deno,
      v8: Deno.version.v8,
      os: `${Deno.build.os} ${Deno.build.arch}`,
    },
    machine: {
      cpu: Deno.build.arch,
      cores: navigator.hardwareConcurrency,
      device: "cpu (in-process fit)",
    },
    command: commandLine("reproduce", [m.name, "--seeds", String(seeds.length)]),
    seeds,
  };
}

async function runOptimizeManifest(
  m: Manifest,
  factories: Map<string, MethodFactory>,
  seeds: readonly number[],
  out: string,
  status: Record<string, string>,
  o: ReproduceOptions,
): Promise<Values> {
  for (const t of m.tasks) {
    const card = await loadTaskCard(t);
    const want = m.budgets?.[t];
    if (want !== undefined && Math.abs(card.budget - want) > 1e-9) {
      throw new RangeError(
        `Manifest "${m.name}" expects budget ${want} for task "${t}", its card ` +
          `(version ${card.version}) has ${card.budget}`,
      );
    }
  }
  const methodsOf = (task: string) =>
    m.methods.filter((r) => factories.has(r.id) && (!r.tasks || r.tasks.includes(task))).map((r) =>
      r.id
    );
  const groups = new Map<string, string[]>();
  for (const t of m.tasks) {
    groups.set(methodsOf(t).join(","), [...(groups.get(methodsOf(t).join(",")) ?? []), t]);
  }
  const summaries: TaskSummary[] = [];
  let g = 0;
  for (const [ids, tasks] of groups) {
    const dir = groups.size === 1 ? out : `${out}/${g++}-${tasks[0]!.replace(/[^\w.-]+/g, "_")}`;
    if (ids === "") continue;
    await runBench({
      quick: false,
      seeds: seeds.length,
      tasks,
      methods: ids.split(","),
      out: dir,
      resume: false,
      force: true,
      workers: o.workers ?? defaultConcurrency(),
      timeLimitMs: o.timeLimitMs ?? 600_000,
      command: commandLine("reproduce", [m.name, "--seeds", String(seeds.length)]),
      report: (e) => {
        if (e.kind === "cell") o.log?.(formatBenchEvent(e));
      },
    });
    const meta = await readMeta(dir);
    summaries.push(...aggregate(meta, await readResults(`${dir}/results.jsonl`)));
  }
  const cell = (task: string, id: string): CellSummary | undefined =>
    summaries.find((s) => s.task.id === task)?.methods.find((c) => c.method.id === id);
  const finalMean = (task: string, id: string): number | null => {
    const c = cell(task, id);
    if (!c || c.lines.length === 0) return null;
    const t = summaries.find((s) => s.task.id === task)!.task;
    return c.lines.reduce((a, l) => a + gapClosed(l.checkpoints.at(-1)!.value, t.reference), 0) /
      c.lines.length;
  };
  const values: Values = {};
  for (const r of m.methods) {
    values[r.id] = {};
    if (!factories.has(r.id)) continue;
    const failures = m.tasks.reduce((a, t) => a + (cell(t, r.id)?.failures.length ?? 0), 0);
    if (failures > 0) status[r.id] = `partial: ${failures} cells failed`;
    for (const c of m.columns) values[r.id]![c.label] = columnValue(c, r.id);
  }
  return values;

  function columnValue(c: Manifest["columns"][number], id: string): number | null {
    const stat = c.stat ?? "final";
    if (stat === "share-beating") {
      const tasks = m.tasks.filter((t) =>
        finalMean(t, id) !== null && finalMean(t, c.baseline!) !== null
      );
      return tasks.length
        ? tasks.filter((t) => finalMean(t, id)! > finalMean(t, c.baseline!)!).length / tasks.length
        : null;
    }
    const task = c.task!;
    if (stat === "final") return finalMean(task, id);
    if (stat === "delta") {
      const a = finalMean(task, id), b = finalMean(task, c.baseline!);
      return a === null || b === null ? null : a - b;
    }
    const s = summaries.find((x) => x.task.id === task);
    const mine = cell(task, id);
    if (!s || !mine || mine.lines.length === 0) return null;
    if (stat === "spent") return mine.lines.reduce((a, l) => a + l.spent, 0) / mine.lines.length;
    const level = taskLevels(s.task).find((l) => l.q === (c.level ?? 1));
    if (!level) return null;
    const hit = c.reading === "at-cost" ? heldHit : firstHit;
    const hits = (x: CellSummary) =>
      x.lines.map((l) => hit(recordsOf(l), l.spent, level.value, s.task.direction));
    if (stat === "ert") return expectedRunningTime(hits(mine));
    if (stat === "success") {
      return hits(mine).filter((h) => h.cost !== null).length / mine.lines.length;
    }
    const baseline = cell(task, c.baseline ?? "random-search");
    if (!baseline || baseline.lines.length === 0) return null;
    const sp = speedup(hits(baseline), hits(mine));
    return sp.kind === "exact" ? sp.ratio : null;
  }
}

/** Formats a reproduction for the terminal: title, tables, diff and verdict. */
export function formatReproduction(
  r: Reproduction,
  strict: boolean,
): { text: string; ok: boolean } {
  const m = r.table.manifest;
  const fails = r.diff.filter((d) => d.verdict === "FAIL").length;
  const missing = r.diff.filter((d) => d.verdict === "missing").length;
  const ok = fails === 0 && (!strict || missing === 0);
  const absent = m.methods.filter((x) => r.table.status[x.id] !== "ran");
  const text = [
    `# ${m.title}`,
    "",
    m.source,
    "",
    `Seeds: ${r.seeds} (manifest: ${m.seeds}).` +
    (m.budgets
      ? ` Budgets: ${Object.entries(m.budgets).map(([t, b]) => `${t} ${b}`).join(", ")}.`
      : ""),
    "",
    tableMarkdown(r.table),
    "",
    ...(m.definitions?.length ? [...m.definitions.map((d) => `- ${d}`), ""] : []),
    "```latex",
    tableLatex(r.table),
    "```",
    "",
    "## Diff against the expected numbers",
    "",
    diffMarkdown(r.diff),
    "",
    ...(absent.length
      ? [`Not run: ${absent.map((x) => `${x.id} (${r.table.status[x.id]})`).join(", ")}`, ""]
      : []),
    ...(r.online ? [r.online, ""] : []),
    `${r.diff.length - fails - missing} within tolerance, ${fails} outside, ${missing} missing` +
    (strict ? " (strict: missing counts as failure)" : "") + `; outputs in ${r.out}`,
    ...(m.notes?.length
      ? ["", "## Closing note", "", ...m.notes.map((n) => fillNote(n, r.table))]
      : []),
  ].join("\n");
  return { text, ok };
}
