/**
 * `deno task validate DIR --reproduce K`: reruns K cells of a results folder, chosen at random
 * from an explicit seed, in the same sandboxed cell processes as the bench, and checks that each
 * reproduces its archived line exactly (every byte but the timings).
 *
 * @module
 */

import {
  cellKey,
  formatLine,
  type LineVersions,
  type ResultLine,
  withVersions,
} from "../core/results.ts";
import { runCellsInProcesses } from "../harness/processes.ts";
import { loadTable, loadTaskCard } from "../datasets/registry.ts";
import { getMethod } from "../methods/mod.ts";
import { getOnlineMethod, isOnlineMethod } from "../methods/online/mod.ts";
import { deriveSeed, Rng } from "../numerics/rng.ts";
import type { CellPayload, TableMessage } from "./cells.ts";

const ROOT = new URL("..", import.meta.url).pathname.replace(/\/$/, "");

/** One reproduced cell. */
export interface ReproducedCell {
  readonly key: string;
  /** `same`, `differs` (with the first differing field), or `skipped` (why). */
  readonly outcome: "same" | "differs" | "skipped";
  readonly detail?: string;
}

/** A results line without its timings: the bytes a rerun must reproduce. */
export function withoutTimings(line: string): string {
  return line.trim().replace(/"timings":\{[^}]*\}/, '"timings":{}');
}

/** The first top-level field in which two lines differ. */
function firstDifference(a: string, b: string): string {
  const x = JSON.parse(a) as Record<string, unknown>, y = JSON.parse(b) as Record<string, unknown>;
  for (const k of new Set([...Object.keys(x), ...Object.keys(y)])) {
    if (JSON.stringify(x[k]) !== JSON.stringify(y[k])) return k;
  }
  return "(order of fields)";
}

/**
 * Reruns `k` cells of `dir/results.jsonl` chosen by `seed` (built-in tasks and registered
 * methods only; others are reported as skipped).
 *
 * @param dir A results folder.
 * @param k How many cells.
 * @param seed Seed of the choice.
 * @param workers Cell processes at a time.
 * @returns One outcome per chosen cell.
 */
export async function reproduceCells(
  dir: string,
  k: number,
  seed: number,
  workers = 2,
): Promise<ReproducedCell[]> {
  const text = await Deno.readTextFile(`${dir}/results.jsonl`);
  const lines = text.split("\n").filter((l) => l.trim() !== "");
  const chosen = new Rng(deriveSeed("reproduce", seed))
    .shuffle(lines.map((_, i) => i)).slice(0, k).sort((a, b) => a - b);
  const out: ReproducedCell[] = [];
  const requests = [];
  for (const i of chosen) {
    const line = JSON.parse(lines[i]!) as ResultLine;
    const key = cellKey(line.task.id, line.task.version, line.method, line.seed);
    let card;
    let version: string;
    try {
      version = isOnlineMethod(line.method)
        ? getOnlineMethod(line.method).version
        : getMethod(line.method).version;
      card = await loadTaskCard(line.task.id);
    } catch (e) {
      out.push({ key, outcome: "skipped", detail: (e as Error).message.split("\n")[0]! });
      continue;
    }
    if (card.version !== line.task.version) {
      out.push({ key, outcome: "skipped", detail: `task version is now ${card.version}` });
      continue;
    }
    if (line.versions?.method !== version) {
      out.push({
        key,
        outcome: "skipped",
        detail: `method version is now ${version}, archived ${line.versions?.method ?? "(none)"}`,
      });
      continue;
    }
    const table: TableMessage = {
      kind: "table",
      key: card.table,
      table: await loadTable(card.table),
    };
    if (table.table.sha256 !== line.versions.table) {
      out.push({ key, outcome: "skipped", detail: "the task's table has changed" });
      continue;
    }
    const payload: CellPayload = {
      kind: "cell",
      card,
      table: card.table,
      method: line.method,
      methodId: line.method,
      seed: line.seed,
      suite: line.suite,
      timeLimitMs: 300_000,
      ...(line.online ? { onlineFidelity: line.online.fidelity } : {}),
    };
    requests.push({
      key,
      payload,
      preamble: [{ key: `table:${card.table}`, message: table }],
      read: card.runner === "surrogate"
        ? [`${ROOT}/runners/surrogates`, `${ROOT}/node_modules`]
        : card.runner === "train"
        ? [`${ROOT}/node_modules`]
        : [],
      archived: lines[i]!,
      versions: line.versions,
    });
  }
  await runCellsInProcesses(requests, {
    hostUrl: new URL("./cell_host.ts", import.meta.url),
    config: `${ROOT}/deno.json`,
    concurrency: workers,
    hardLimitMs: 452_000,
    onFailure: (_req, error) => ({ error }),
    onResult: (req, reply) => {
      const { archived, versions } = req as unknown as { archived: string; versions: LineVersions };
      if ((reply as { error?: unknown }).error instanceof Error) {
        out.push({
          key: req.key,
          outcome: "differs",
          detail: String((reply as { error: Error }).error.message),
        });
        return;
      }
      // The rerun is stamped with the archived versions: the method and table were checked equal
      // above, and the commit is the archive's (this checkout's code is what is being checked).
      const now = withoutTimings(formatLine(withVersions(reply as ResultLine, versions)));
      const then = withoutTimings(archived);
      out.push(
        now === then
          ? { key: req.key, outcome: "same" }
          : { key: req.key, outcome: "differs", detail: `field "${firstDifference(now, then)}"` },
      );
    },
  });
  return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}
