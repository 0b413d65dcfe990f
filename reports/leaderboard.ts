/**
 * Leaderboards (`leaderboard.md`, `leaderboard.json`) per track: per task, methods by final
 * median gap closed; across the track's tasks, the mean of per-task medians. Only ranked methods
 * with every seed finished on every task of the track are ranked; others are listed apart.
 *
 * @module
 */

import { type CellSummary, finalScore, type TaskSummary } from "./aggregate.ts";
import type { RunMeta } from "./meta.ts";

/** One row of a leaderboard table. */
export interface BoardRow {
  /** Rank (1 = best), or null when not ranked (oracle, partial coverage). */
  readonly rank: number | null;
  readonly method: string;
  readonly score: number;
  readonly q25: number;
  readonly q75: number;
  readonly note: string;
}

/** A track's leaderboard. */
export interface TrackBoard {
  readonly track: "optimize" | "transfer";
  readonly tasks: readonly { readonly task: string; readonly rows: readonly BoardRow[] }[];
  readonly overall: readonly BoardRow[];
}

/** Builds the leaderboards of every track that has tasks. */
export function leaderboards(summaries: readonly TaskSummary[]): TrackBoard[] {
  const tracks = (["optimize", "transfer"] as const).filter((t) =>
    summaries.some((s) => s.task.track === t)
  );
  return tracks.map((track) => {
    const tasks = summaries.filter((s) => s.task.track === track);
    const eligible = (id: string) =>
      tasks.every((t) => {
        const c = t.methods.find((m) => m.method.id === id)!;
        return c.method.ranked && c.complete;
      });
    const rowsOf = (
      cells: readonly CellSummary[],
      score: (c: CellSummary) => [number, number, number],
    ) => {
      const ranked = cells.filter((c) => eligible(c.method.id)).sort((a, b) =>
        score(b)[0] - score(a)[0]
      );
      const rest = cells.filter((c) => !eligible(c.method.id));
      return [
        ...ranked.map((c, i) => row(i + 1, c, score(c), "")),
        ...rest.map((c) =>
          row(
            null,
            c,
            score(c),
            !c.method.ranked ? "oracle, not ranked" : `partial: ${c.ok} seeds ok`,
          )
        ),
      ];
    };
    const perTask = tasks.map((t) => ({
      task: `${t.task.id}@${t.task.version}`,
      rows: rowsOf(t.methods, (c) => {
        const last = c.curve[c.curve.length - 1]!;
        return [last.median, last.q25, last.q75];
      }),
    }));
    const overallCells = tasks[0]!.methods.map((m) => m);
    const overallScore = (c: CellSummary): [number, number, number] => {
      const xs = tasks.map((t) => finalScore(t.methods.find((m) => m.method.id === c.method.id)!));
      const s = xs.reduce((a, b) => a + b, 0) / xs.length;
      return [s, Math.min(...xs), Math.max(...xs)];
    };
    return { track, tasks: perTask, overall: rowsOf(overallCells, overallScore) };
  });
}

function row(
  rank: number | null,
  c: CellSummary,
  s: [number, number, number],
  note: string,
): BoardRow {
  return { rank, method: c.method.id, score: s[0], q25: s[1], q75: s[2], note };
}

/** Renders the leaderboards as markdown. */
export function leaderboardMarkdown(meta: RunMeta, boards: readonly TrackBoard[]): string {
  const f = (x: number) => Number.isFinite(x) ? x.toFixed(3) : "—";
  const out = [
    "# mixbench leaderboard",
    "",
    `Suite ${meta.suite}, commit \`${meta.commit}\`, ${meta.seeds.length} seeds. ` +
    "Score = gap closed by the recommendation at the final budget: 0 = the target pool's mean " +
    "(a random pick), 1 = the pool's best; median over seeds with [25th, 75th] percentiles. " +
    "Across tasks: mean of per-task medians [min, max over tasks]. Only ranked methods with " +
    "every seed finished on every task of the track are ranked.",
    "",
    `Regenerate: \`${meta.command}\``,
  ];
  for (const b of boards) {
    out.push("", `## ${b.track === "optimize" ? "Optimize" : "Transfer"} track`, "");
    out.push("### Across tasks", "", ...table(b.overall, f, "mean [min, max]"));
    for (const t of b.tasks) {
      out.push("", `### ${t.task}`, "", ...table(t.rows, f, "median [q25, q75]"));
    }
  }
  return out.join("\n") + "\n";
}

function table(rows: readonly BoardRow[], f: (x: number) => string, what: string): string[] {
  return [
    `| rank | method | score ${what} | note |`,
    "|---:|---|---|---|",
    ...rows.map((r) =>
      `| ${r.rank ?? "—"} | ${r.method} | ${f(r.score)} [${f(r.q25)}, ${f(r.q75)}] | ${r.note} |`
    ),
  ];
}
