/**
 * Consistency checks of one results line against its own raw trajectory, its task in run.json and
 * (when available) the run table: every stored aggregate — cumulative costs, the cost spent, the
 * checkpoints' and per-query recommendations' costs and evaluation counts, gap closed, and the
 * objective values of table rows — is
 * recomputed and compared, never trusted.
 *
 * @module
 */

import type { ResultLine } from "../core/results.ts";
import type { Objective } from "../core/objective.ts";
import type { RunTable } from "../core/table.ts";
import { gapClosed } from "../core/task.ts";
import type { TaskMeta } from "./meta.ts";

/** The run table of a task, bound to its objective, for value checks. */
export interface TableCheck {
  readonly table: RunTable;
  readonly objective: Objective;
}

function close(a: number, b: number, rel = 1e-9): boolean {
  return Math.abs(a - b) <= rel * Math.max(1, Math.abs(a), Math.abs(b));
}

/**
 * Recomputes a line's aggregates and reports each disagreement.
 *
 * @example
 * ```ts
 * import { checkLine } from "./line_checks.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * const task = {
 *   id: "t", version: 1, title: "", track: "optimize" as const, table: "x", tableSha256: "",
 *   objective: "loss", direction: "minimize" as const, costUnit: "runs", budget: 2,
 *   checkpoints: [2], reference: { zero: 2, best: 1, bestRow: 0 }, targetFidelity: "s",
 * };
 * const line = {
 *   schema: "mixbench.result/2", suite: "0", task: { id: "t", version: 1 }, method: "m", seed: 0,
 *   runner: "replay", status: "ok" as const, budget: 2, spent: 2,
 *   trajectory: [{ fidelity: "s", row: 0, value: 1, cost: 1, spent: 1 },
 *     { fidelity: "s", row: 1, value: 3, cost: 1, spent: 2 }],
 *   checkpoints: [{ budget: 2, spent: 2, evaluations: 2, mixture: [1], row: 0, value: 1, score: 0.5 }],
 *   timings: { totalMs: 0, methodMs: 0 },
 * };
 * assertEquals(checkLine(line, task), ["checkpoint 0: score 0.5, recomputed 1"]);
 * ```
 * @param line The results line.
 * @param task Its task's run.json entry.
 * @param table The task's table and objective, when it could be loaded.
 * @returns Disagreements, empty when the line is consistent.
 */
export function checkLine(line: ResultLine, task: TaskMeta, table?: TableCheck): string[] {
  const out: string[] = [];
  let total = 0;
  line.trajectory.forEach((s, i) => {
    total += s.cost;
    if (!close(s.spent, total)) out.push(`step ${i}: spent ${s.spent}, recomputed ${total}`);
  });
  if (!close(line.spent, total)) out.push(`spent ${line.spent}, recomputed ${total}`);
  if (line.spent > line.budget * (1 + 1e-9)) {
    out.push(`spent ${line.spent} exceeds the budget ${line.budget}`);
  }
  if (line.budget !== task.budget) out.push(`budget ${line.budget}, run.json says ${task.budget}`);
  if (line.status === "ok" && line.checkpoints.length !== task.checkpoints.length) {
    out.push(`${line.checkpoints.length} checkpoints, the task has ${task.checkpoints.length}`);
  }
  let lastEval = 0;
  line.checkpoints.forEach((c, i) => {
    const at = `checkpoint ${i}`;
    if (c.budget !== task.checkpoints[i]) {
      out.push(`${at}: budget ${c.budget}, the task's is ${task.checkpoints[i]}`);
    }
    if (c.evaluations > line.trajectory.length || c.evaluations < lastEval) {
      out.push(`${at}: ${c.evaluations} evaluations, inconsistent with the trajectory`);
    }
    lastEval = c.evaluations;
    const spent = c.evaluations === 0 ? 0 : line.trajectory[c.evaluations - 1]?.spent ?? NaN;
    if (!close(c.spent, spent)) out.push(`${at}: spent ${c.spent}, recomputed ${spent}`);
    if (c.spent > c.budget * (1 + 1e-9)) out.push(`${at}: spent ${c.spent} exceeds ${c.budget}`);
    const score = gapClosed(c.value, task.reference);
    if (!close(c.score, score)) out.push(`${at}: score ${c.score}, recomputed ${score}`);
  });
  (line.recommendations ?? []).forEach((c, i) => {
    const at = `recommendation ${i}`;
    if (c.evaluations > line.trajectory.length || c.evaluations < 1) {
      out.push(`${at}: ${c.evaluations} evaluations, inconsistent with the trajectory`);
    }
    const spent = line.trajectory[c.evaluations - 1]?.spent ?? NaN;
    if (!close(c.spent, spent)) out.push(`${at}: spent ${c.spent}, recomputed ${spent}`);
    const score = gapClosed(c.value, task.reference);
    if (!close(c.score, score)) out.push(`${at}: score ${c.score}, recomputed ${score}`);
  });
  if (table) out.push(...checkAgainstTable(line, task, table));
  return out;
}

function checkAgainstTable(line: ResultLine, task: TaskMeta, t: TableCheck): string[] {
  const out: string[] = [];
  const runs = t.table.runs;
  line.trajectory.forEach((s, i) => {
    if (s.row < 0) return;
    const r = runs[s.row];
    if (!r) return void out.push(`step ${i}: row ${s.row} is not in the table`);
    if (r.fidelity !== s.fidelity) {
      out.push(`step ${i}: row ${s.row} is at ${r.fidelity}, the step says ${s.fidelity}`);
    }
    const v = t.objective.evaluate(r.metrics);
    if (!close(v, s.value, 1e-12)) out.push(`step ${i}: value ${s.value}, table row gives ${v}`);
  });
  (line.recommendations ?? []).forEach((c, i) => {
    const r = c.row < 0 ? undefined : runs[c.row];
    if (c.row < 0) return;
    if (!r) return void out.push(`recommendation ${i}: row ${c.row} is not in the table`);
    const v = t.objective.evaluate(r.metrics);
    if (r.fidelity !== task.targetFidelity || !close(v, c.value, 1e-12)) {
      out.push(`recommendation ${i}: value ${c.value} at row ${c.row}, the target row gives ${v}`);
    }
  });
  line.checkpoints.forEach((c, i) => {
    if (c.row < 0) return;
    const r = runs[c.row];
    if (!r) return void out.push(`checkpoint ${i}: row ${c.row} is not in the table`);
    if (r.fidelity !== task.targetFidelity) {
      out.push(`checkpoint ${i}: row ${c.row} is at ${r.fidelity}, not ${task.targetFidelity}`);
    }
    const v = t.objective.evaluate(r.metrics);
    if (!close(v, c.value, 1e-12)) {
      out.push(`checkpoint ${i}: value ${c.value}, table row gives ${v}`);
    }
    if (c.mixture.some((w, d) => Math.abs(w - r.mixture[d]!) > 1e-6)) {
      out.push(`checkpoint ${i}: mixture differs from table row ${c.row}`);
    }
  });
  return out;
}
