/**
 * `deno task validate DIR`: checks a results folder. Every line of results.jsonl (and
 * predict.jsonl) is checked against its JSON Schema; every stored aggregate is recomputed from the
 * raw trajectories — per line (see line_checks.ts), the Predict scores from the truth and
 * prediction arrays, and leaderboard.json from scratch — and compared; coverage is reported per
 * task and method. Exits 1 when a line breaks its schema or an aggregate disagrees.
 *
 * Surrogate tasks whose model card states a trust region: every checkpoint must carry the source
 * of its judged value (OOD distance, spread, in-region flag, clipping), and a recorded
 * recommendation outside the region must have been scored by the task's out-of-region policy
 * (`table-worst`: the table's worst run) — a cell whose recommendation violates the region but was
 * scored as a prediction is rejected.
 *
 * @module
 */

import { compileObjective } from "../core/objective.ts";
import { readResults } from "../core/results.ts";
import { loadTable } from "../datasets/registry.ts";
import { analyse } from "../reports/analysis.ts";
import { type Schema, validate } from "../reports/json_schema.ts";
import { checkLine, type TableCheck } from "../reports/line_checks.ts";
import { integrityProblem, readMeta } from "../reports/meta.ts";
import { readPredictLines, scoreSet } from "../core/predict.ts";
import { SCORE_NAMES } from "../reports/predict_summary.ts";
import { leaderboardJson } from "../reports/write.ts";
import type { ResultLine } from "../core/results.ts";
import type { RunTable } from "../core/table.ts";
import { checkRegion, type SurrogateCard } from "../runners/surrogate_card.ts";

/** Coverage of one task and method. */
export interface Coverage {
  readonly task: string;
  readonly method: string;
  readonly ok: number;
  readonly failed: number;
  /** Seeds of run.json with no line. */
  readonly missing: readonly number[];
}

/** What {@linkcode validateDir} found. */
export interface Validation {
  /** Lines checked: results and predict. */
  readonly lines: number;
  readonly predictLines: number;
  /** Schema violations, `file:line: pointer: message`. */
  readonly schemaErrors: readonly string[];
  /** Recomputed aggregates that disagree with the stored ones. */
  readonly mismatches: readonly string[];
  /** Notes (tables that could not be loaded, leaderboard.json absent, ...). */
  readonly notes: readonly string[];
  readonly coverage: readonly Coverage[];
}

async function schema(name: string): Promise<Schema> {
  return JSON.parse(
    await Deno.readTextFile(new URL(`../reports/${name}`, import.meta.url)),
  ) as Schema;
}

/**
 * Validates a results folder.
 *
 * @param dir Folder with run.json and results.jsonl (predict.jsonl and leaderboard.json when
 *   present).
 * @returns The findings.
 */
export async function validateDir(dir: string): Promise<Validation> {
  const meta = await readMeta(dir);
  const resultSchema = await schema("result.schema.json");
  const predictSchema = await schema("predict.schema.json");
  const schemaErrors: string[] = [];
  const mismatches: string[] = [];
  const notes: string[] = [];
  const integrity = integrityProblem(meta);
  if (integrity) mismatches.push(`run.json: ${integrity}`);
  const text = await Deno.readTextFile(`${dir}/results.jsonl`);
  text.split("\n").slice(0, -1).forEach((l, i) => {
    if (l.trim() === "") return;
    for (const e of validate(resultSchema, JSON.parse(l))) {
      schemaErrors.push(`results.jsonl:${i + 1}: ${e}`);
    }
  });
  const lines = await readResults(`${dir}/results.jsonl`);
  const tables = new Map<string, TableCheck | undefined>();
  for (const t of meta.tasks) {
    const key = `${t.table}|${t.objective}`;
    if (tables.has(key)) continue;
    tables.set(key, await tableCheck(t.table, t.tableSha256, t.objective, notes));
  }
  lines.forEach((l, i) => {
    const t = meta.tasks.find((x) => x.id === l.task.id && x.version === l.task.version);
    const where = `results.jsonl:${
      i + 1
    } (${l.task.id}@${l.task.version} ${l.method} seed ${l.seed})`;
    if (!t) return void mismatches.push(`${where}: task not in run.json`);
    const tc = tables.get(`${t.table}|${t.objective}`);
    for (const m of checkLine(l, t, tc)) mismatches.push(`${where}: ${m}`);
    const card = t.surrogate?.card as SurrogateCard | undefined;
    if (card?.region && tc) {
      for (const m of checkRegionRecords(l, card, tc.table)) mismatches.push(`${where}: ${m}`);
    }
  });
  const predict = await readPredictLines(`${dir}/predict.jsonl`);
  const predictText = await Deno.readTextFile(`${dir}/predict.jsonl`).catch(() => "");
  predictText.split("\n").slice(0, -1).forEach((l, i) => {
    if (l.trim() === "") return;
    for (const e of validate(predictSchema, JSON.parse(l))) {
      schemaErrors.push(`predict.jsonl:${i + 1}: ${e}`);
    }
  });
  predict.forEach((l, i) => {
    const direction = meta.predictTasks?.find((t) => t.id === l.task.id)?.direction ?? "minimize";
    for (const s of l.sets) {
      const where = `predict.jsonl:${i + 1} (${l.task.id} ${l.method} seed ${l.seed} ${s.name})`;
      if (s.truth.length !== s.n || s.predicted.length !== s.n) {
        mismatches.push(
          `${where}: n ${s.n}, arrays of ${s.truth.length} and ${s.predicted.length}`,
        );
        continue;
      }
      const got = scoreSet(s.truth, s.predicted, direction);
      for (const k of SCORE_NAMES) {
        const stored = (s as unknown as Record<string, number | null | undefined>)[k];
        if (stored === undefined) continue;
        const a = stored ?? NaN, b = got[k];
        const same = (Number.isNaN(a) && Number.isNaN(b)) ||
          Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b));
        if (!same) mismatches.push(`${where}: ${k} ${a}, recomputed ${b}`);
      }
    }
  });
  const analysis = analyse(meta, lines, predict);
  try {
    const stored = JSON.parse(await Deno.readTextFile(`${dir}/leaderboard.json`));
    const fresh = JSON.parse(leaderboardJson(analysis));
    for (const d of diffJson(stored, fresh, "")) mismatches.push(`leaderboard.json: ${d}`);
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
    notes.push("leaderboard.json absent: not compared");
  }
  const coverage: Coverage[] = meta.tasks.flatMap((t) =>
    meta.methods.map((m) => {
      const mine = lines.filter((l) =>
        l.task.id === t.id && l.task.version === t.version && l.method === m.id
      );
      return {
        task: `${t.id}@${t.version}`,
        method: m.id,
        ok: mine.filter((l) => l.status === "ok").length,
        failed: mine.filter((l) => l.status === "failed").length,
        missing: meta.seeds.filter((s) => !mine.some((l) => l.seed === s)),
      };
    })
  );
  const predictCells = [
    ...new Set(predict.map((l) => `${l.task.id}@${l.task.version}|${l.method}`)),
  ];
  for (const key of predictCells) {
    const [task, method] = key.split("|") as [string, string];
    const mine = predict.filter((l) =>
      `${l.task.id}@${l.task.version}` === task && l.method === method
    );
    coverage.push({
      task: `predict ${task}`,
      method,
      ok: mine.filter((l) => l.status === "ok").length,
      failed: mine.filter((l) => l.status === "failed").length,
      missing: meta.seeds.filter((s) => !mine.some((l) => l.seed === s)),
    });
  }
  return {
    lines: lines.length,
    predictLines: predict.length,
    schemaErrors,
    mismatches,
    notes,
    coverage,
  };
}

/**
 * Checks a surrogate line's checkpoints against the model card's trust region: each carries its
 * source, and a recommendation outside the region is scored by the out-of-region policy.
 *
 * @param line A results line of a surrogate task.
 * @param card The model card of the task's target fidelity (with `region`).
 * @param table The task's table.
 * @returns Messages, one per violation.
 */
export function checkRegionRecords(
  line: ResultLine,
  card: SurrogateCard,
  table: RunTable,
): string[] {
  const region = card.region!;
  const rows = new Float64Array(
    table.runs.filter((r) => r.fidelity === card.fidelity).flatMap((r) => [...r.mixture]),
  );
  const out: string[] = [];
  for (const cp of line.checkpoints) {
    const at = `checkpoint ${cp.budget}`;
    if (!cp.source) {
      out.push(`${at}: no source (OOD distance, spread, in-region flag) for the recommendation`);
      continue;
    }
    if (cp.source.kind !== "surrogate") continue;
    // Mixtures are recorded to 6 decimals: allow that much per weight.
    const tol = 1e-6 * cp.mixture.length;
    const c = checkRegion(region, rows, cp.mixture, tol);
    if (c.inRegion) continue;
    const where = c.boxExcess > tol
      ? `a weight ${c.boxExcess.toPrecision(3)} above its box bound`
      : `L1 ${c.ood.toPrecision(4)} from the nearest table run, radius ${region.radius}`;
    if (cp.source.inRegion !== false || cp.value !== region.outside.value) {
      out.push(
        `${at}: the recommendation is outside the trust region (${where}) but was scored ` +
          `${cp.value}${cp.source.inRegion === false ? "" : " as in region"}; the policy ` +
          `"${region.outside.policy}" scores it ${region.outside.value}`,
      );
    }
  }
  return out;
}

async function tableCheck(
  id: string,
  sha256: string,
  objective: string,
  notes: string[],
): Promise<TableCheck | undefined> {
  try {
    const table = await loadTable(id);
    if (table.sha256 !== sha256) {
      notes.push(
        `table "${id}": sha256 ${
          table.sha256.slice(0, 16)
        }… differs from run.json's; values not checked`,
      );
      return undefined;
    }
    return { table, objective: compileObjective(objective, table.card.metrics.map((m) => m.name)) };
  } catch (e) {
    notes.push(`table "${id}" could not be loaded (${(e as Error).message}); values not checked`);
    return undefined;
  }
}

/** Paths where two JSON values differ (numbers within 1e-9 relative count as equal). */
export function diffJson(a: unknown, b: unknown, path: string): string[] {
  if (typeof a === "number" && typeof b === "number") {
    return Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a))
      ? []
      : [`${path || "/"}: ${a} ≠ ${b}`];
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return [`${path || "/"}: ${a.length} items ≠ ${b.length}`];
    return a.flatMap((x, i) => diffJson(x, b[i], `${path}/${i}`));
  }
  if (a && b && typeof a === "object" && typeof b === "object") {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
    return keys.flatMap((k) =>
      diffJson((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${path}/${k}`)
    );
  }
  return JSON.stringify(a) === JSON.stringify(b)
    ? []
    : [`${path || "/"}: ${JSON.stringify(a)} ≠ ${JSON.stringify(b)}`];
}

/** Formats the findings for the terminal. */
export function formatValidation(dir: string, v: Validation): string {
  const out = [`${dir}: ${v.lines} results lines, ${v.predictLines} predict lines`];
  const list = (title: string, xs: readonly string[]) => {
    out.push(`${title}: ${xs.length}`);
    for (const x of xs.slice(0, 50)) out.push(`  ${x}`);
    if (xs.length > 50) out.push(`  … and ${xs.length - 50} more`);
  };
  list("schema errors", v.schemaErrors);
  list("recomputed aggregates that disagree", v.mismatches);
  for (const n of v.notes) out.push(`note: ${n}`);
  out.push("coverage (ok / failed / missing seeds):");
  for (const c of v.coverage) {
    const miss = c.missing.length ? ` missing seeds ${c.missing.join(",")}` : "";
    out.push(
      `  ${c.task.padEnd(32)} ${
        c.method.padEnd(18)
      } ${c.ok} / ${c.failed} / ${c.missing.length}${miss}`,
    );
  }
  const complete = v.coverage.filter((c) => c.failed === 0 && c.missing.length === 0).length;
  out.push(`${complete}/${v.coverage.length} (task, method) pairs complete`);
  out.push(v.schemaErrors.length + v.mismatches.length === 0 ? "valid" : "INVALID");
  return out.join("\n");
}
