/**
 * Writes report.html, leaderboard.md and leaderboard.json for a results folder, from its
 * results.jsonl and run.json only.
 *
 * @module
 */

import { readResults } from "../core/results.ts";
import { aggregate } from "./aggregate.ts";
import { plotlySource, renderReport } from "./html.ts";
import { leaderboardMarkdown, leaderboards } from "./leaderboard.ts";
import { readMeta } from "./meta.ts";

/** Paths written by {@linkcode writeReports}. */
export interface ReportFiles {
  readonly html: string;
  readonly markdown: string;
  readonly json: string;
}

/**
 * Builds every report of a results folder.
 *
 * @param dir Folder holding results.jsonl and run.json.
 * @returns The paths written.
 */
export async function writeReports(dir: string): Promise<ReportFiles> {
  const meta = await readMeta(dir);
  const lines = await readResults(`${dir}/results.jsonl`);
  const summaries = aggregate(meta, lines);
  const boards = leaderboards(summaries);
  const files = {
    html: `${dir}/report.html`,
    markdown: `${dir}/leaderboard.md`,
    json: `${dir}/leaderboard.json`,
  };
  await Deno.writeTextFile(files.html, renderReport(meta, summaries, await plotlySource()));
  await Deno.writeTextFile(files.markdown, leaderboardMarkdown(meta, boards));
  await Deno.writeTextFile(
    files.json,
    JSON.stringify(
      { schema: "mixbench.leaderboard/1", suite: meta.suite, commit: meta.commit, boards },
      null,
      2,
    ) +
      "\n",
  );
  return files;
}
