/**
 * Sharding a bench over machines the user already has (a CI matrix, a Slurm job array):
 * `--shard i/n` runs a deterministic 1/n of the cells, balanced by expected cost rather than by
 * count, and `deno task merge` joins the shards' folders (bench/merge.ts).
 *
 * The expected cost of a cell is static (no timing is measured, so every shard computes the same
 * split): {@linkcode METHOD_COST} per method (relative CPU time of one replay cell, from the
 * golden bench's timings, rounded) × {@linkcode RUNNER_COST} per runner. Cells are split by the
 * longest-processing-time rule: in decreasing cost (ties in canonical cell order), each cell goes
 * to the shard with the least cost so far (ties to the lowest shard).
 *
 * @module
 */

import { InputError } from "../core/errors.ts";

/** A shard: `index` of `count`, 1-based (`--shard 1/4` … `--shard 4/4`). */
export interface Shard {
  readonly index: number;
  readonly count: number;
}

/**
 * Parses `--shard i/n`.
 *
 * @example
 * ```ts
 * import { parseShard } from "./shard.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * assertEquals(parseShard("2/4"), { index: 2, count: 4 });
 * ```
 * @param text The flag's value.
 * @returns The shard.
 * @throws {InputError} Unless `1 ≤ i ≤ n`.
 */
export function parseShard(text: string): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = m ? Number(m[1]) : NaN, count = m ? Number(m[2]) : NaN;
  if (!m || count < 1 || index < 1 || index > count || count > 10_000) {
    throw new InputError(
      `--shard is "${text}", expected i/n with 1 ≤ i ≤ n ≤ 10000 (e.g. --shard 1/4)`,
    );
  }
  return { index, count };
}

/**
 * Splits cells over `count` shards (longest processing time first; the cells of a `group` as
 * one unit) and returns the keys of shard `index`.
 *
 * @example
 * ```ts
 * import { shardCells } from "./shard.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * const cells = [{ key: "a", cost: 3 }, { key: "b", cost: 1 }, { key: "c", cost: 1 }, { key: "d", cost: 1 }];
 * assertEquals([...shardCells(cells, { index: 1, count: 2 })], ["a"]);
 * assertEquals([...shardCells(cells, { index: 2, count: 2 })], ["b", "c", "d"]);
 * ```
 * @param cells Every cell of the bench in canonical order, with its expected cost and group.
 * @param shard Which shard.
 * @returns The keys of its cells.
 */
export function shardCells(
  cells: readonly { readonly key: string; readonly cost: number; readonly group?: string }[],
  shard: Shard,
): Set<string> {
  // The cells of a group (work shared in one process: harness/scheduler.ts `cellGroup`) stay
  // together, as one unit of their summed cost.
  const units: { keys: string[]; cost: number; i: number }[] = [];
  const byGroup = new Map<string, { keys: string[]; cost: number; i: number }>();
  cells.forEach((c, i) => {
    const unit = c.group === undefined ? undefined : byGroup.get(c.group);
    if (unit) {
      unit.keys.push(c.key);
      unit.cost += c.cost;
      return;
    }
    const fresh = { keys: [c.key], cost: c.cost, i };
    if (c.group !== undefined) byGroup.set(c.group, fresh);
    units.push(fresh);
  });
  const order = units.sort((a, b) => b.cost - a.cost || a.i - b.i);
  const load = new Array<number>(shard.count).fill(0);
  const mine = new Set<string>();
  for (const u of order) {
    let s = 0;
    for (let j = 1; j < load.length; j++) if (load[j]! < load[s]!) s = j;
    load[s]! += u.cost;
    if (s === shard.index - 1) { for (const k of u.keys) mine.add(k); }
  }
  return mine;
}
