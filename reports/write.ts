/**
 * Writes report.html, leaderboard.md, leaderboard.json and a copy of the results-line JSON Schema
 * (result.schema.json) into a results folder, from its run.json, results.jsonl and (when the
 * Predict track ran) predict.jsonl and (when the Inference track ran) infer.jsonl only.
 *
 * @module
 */

import { commandLine } from "../core/shell.ts";
import { readResults } from "../core/results.ts";
import { analyse, type Analysis } from "./analysis.ts";
import { plotlySource, renderReport } from "./html.ts";
import { leaderboardMarkdown, leaderboards } from "./leaderboard.ts";
import { readMeta } from "./meta.ts";
import { readPredictLines } from "../core/predict.ts";
import { refuseMixedVersions } from "./versions.ts";
import { readInferLines } from "../core/infer.ts";
import { inferenceHtml, inferenceMarkdown } from "./infer_section.ts";

/** Schema id of leaderboard.json. */
export const LEADERBOARD_SCHEMA = "mixbench.leaderboard/3";

/** Paths written by {@linkcode writeReports}. */
export interface ReportFiles {
  readonly html: string;
  readonly markdown: string;
  readonly json: string;
  /** A copy of the JSON Schema of results lines (validation uses the suite's own copy). */
  readonly schema: string;
}

/**
 * Reads and analyses a results folder.
 *
 * @param dir Folder holding run.json, results.jsonl and optionally predict.jsonl.
 * @returns The analysis.
 * @throws {InputError} When lines of one method or task come from different versions.
 */
export async function analyseDir(dir: string): Promise<Analysis> {
  const meta = await readMeta(dir);
  const lines = await readResults(`${dir}/results.jsonl`);
  const predict = await readPredictLines(`${dir}/predict.jsonl`);
  refuseMixedVersions(lines, `${dir}/results.jsonl`);
  refuseMixedVersions(predict, `${dir}/predict.jsonl`);
  return analyse(meta, lines, predict);
}

/**
 * The contents of leaderboard.json for an analysis.
 *
 * @param a The analysis.
 * @returns The JSON text.
 */
export function leaderboardJson(a: Analysis): string {
  const boards = leaderboards(a);
  return JSON.stringify(
    {
      schema: LEADERBOARD_SCHEMA,
      suite: a.meta.suite,
      commit: a.meta.commit,
      seeds: a.meta.seeds,
      tracks: boards.tracks,
      predict: boards.predict,
    },
    (_, v) => (typeof v === "number" && !Number.isFinite(v) ? null : v),
    2,
  ) + "\n";
}

/**
 * Builds every report of a results folder.
 *
 * @param dir Folder holding results.jsonl and run.json.
 * @returns The paths written.
 */
export async function writeReports(dir: string): Promise<ReportFiles> {
  const a = await analyseDir(dir);
  const files = {
    html: `${dir}/report.html`,
    markdown: `${dir}/leaderboard.md`,
    json: `${dir}/leaderboard.json`,
    schema: `${dir}/result.schema.json`,
  };
  const infer = await readInferLines(`${dir}/infer.jsonl`);
  const html = renderReport(a, await plotlySource(), {
    reportCommand: commandLine("report", [dir]),
    extraSections: infer.length > 0
      ? [{ id: "inference", title: "Inference track", html: inferenceHtml(infer) }]
      : [],
  });
  await replaceFile(files.html, html);
  await replaceFile(
    files.markdown,
    leaderboardMarkdown(a.meta, leaderboards(a)) + inferenceMarkdown(infer),
  );
  await replaceFile(files.json, leaderboardJson(a));
  await replaceFile(
    files.schema,
    await Deno.readTextFile(new URL("./result.schema.json", import.meta.url)),
  );
  return files;
}

/** Writes a file under a temporary name and renames it into place (never half a report). */
async function replaceFile(path: string, text: string): Promise<void> {
  const tmp = `${path}.tmp-${Deno.pid}`;
  await Deno.writeTextFile(tmp, text);
  await Deno.rename(tmp, path);
}
