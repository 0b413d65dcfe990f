/**
 * `deno task submit`: the CI leaderboard for a new method. Runs the submitted methods only, on the
 * task set and seeds of the archived reference results (`reports/archive/<suite version>/`),
 * validates their lines, merges them with the archive (refusing other suite, task, table or
 * surrogate versions), rebuilds the leaderboard and writes a short summary: each new method's
 * rank, IQM score with its 95% interval, and a paired two-sided sign test of its final scores
 * against the leader's over the (task, seed) cells.
 *
 * @module
 */

import { InputError } from "../core/errors.ts";
import { readResults, type ResultLine } from "../core/results.ts";
import { SUITE_VERSION } from "../core/version.ts";
import { readMeta } from "../reports/meta.ts";
import { type BenchEvent, runBench } from "./bench.ts";
import { mergeResults } from "./merge.ts";
import { validateDir } from "./validate.ts";
import { METHODS } from "../methods/mod.ts";

/** Where the reference results of a suite version are archived. */
export function archiveDir(root: string, suite = SUITE_VERSION): string {
  return `${root}/reports/archive/${suite}`;
}

/**
 * The methods of a submission when none are named: the specs listed in `submissions/*.txt` (one per line, `#` comments), and — with a git ref —
 * registered methods whose file changed since it (`methods/<name>.ts` → ids `<name>` and
 * `<name>-…`; a change to a shared `_` helper names no method).
 *
 * @param root The repository root.
 * @param changedSince A git ref (the pull request's base), or undefined.
 * @returns Method specs, each once.
 */
export async function defaultSubmission(
  root: string,
  changedSince: string | undefined,
): Promise<string[]> {
  const out = new Set<string>();
  try {
    for await (const e of Deno.readDir(`${root}/submissions`)) {
      if (!e.isFile || !e.name.endsWith(".txt")) continue;
      const text = await Deno.readTextFile(`${root}/submissions/${e.name}`);
      for (const l of text.split("\n").map((l) => l.replace(/#.*$/, "").trim())) if (l) out.add(l);
    }
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  if (changedSince !== undefined) {
    const r = await new Deno.Command("git", {
      args: ["diff", "--name-only", `${changedSince}...HEAD`, "--", "methods/"],
      cwd: root,
      stdout: "piped",
      stderr: "piped",
    }).output();
    if (!r.success) {
      throw new InputError(
        `submit: git diff against "${changedSince}" failed: ${
          new TextDecoder().decode(r.stderr).trim()
        }`,
      );
    }
    for (const f of new TextDecoder().decode(r.stdout).split("\n")) {
      const m = /^methods\/([a-z0-9-]+)\.ts$/.exec(f.trim());
      if (!m) continue;
      for (const x of METHODS) {
        if (!x.oracle && (x.id === m[1] || x.id.startsWith(`${m[1]}-`))) out.add(x.id);
      }
    }
  }
  return [...out];
}

/**
 * A copy of an archive without the lines of the methods a submission reruns (a changed method
 * replaces its archived results).
 */
async function archiveWithout(
  archive: string,
  ids: ReadonlySet<string>,
  dir: string,
): Promise<string> {
  await Deno.mkdir(dir, { recursive: true });
  const meta = await readMeta(archive);
  await Deno.writeTextFile(
    `${dir}/run.json`,
    JSON.stringify({ ...meta, methods: meta.methods.filter((m) => !ids.has(m.id)) }, null, 2) +
      "\n",
  );
  for (const f of ["results.jsonl", "predict.jsonl"]) {
    let text = "";
    try {
      text = await Deno.readTextFile(`${archive}/${f}`);
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    }
    const keep = text.split("\n").filter((l) => l.trim() !== "" && !ids.has(JSON.parse(l).method));
    await Deno.writeTextFile(`${dir}/${f}`, keep.map((l) => l + "\n").join(""));
  }
  return dir;
}

/** Options of {@linkcode submitMethods}. */
export interface SubmitOptions {
  /** Method specs to run (registered ids, `module.ts#export` or `cmd:…`). */
  readonly methods: readonly string[];
  /** The archived results folder. */
  readonly archive: string;
  /** Output folder: `new/` (the submission), `leaderboard/` (merged), `summary.md`. */
  readonly out: string;
  readonly workers: number;
  readonly timeLimitMs: number;
  readonly command: string;
  readonly report?: ((e: BenchEvent) => void) | undefined;
}

/** What a submission produced. */
export interface SubmitResult {
  /** The markdown summary (also written to `summary.md`). */
  readonly summary: string;
  /** False when the submission's lines failed validation or a cell failed. */
  readonly ok: boolean;
}

/**
 * Two-sided exact sign test: the probability, under "either method wins a cell with probability
 * ½", of a split at least as uneven as `wins`:`losses` (ties dropped).
 *
 * @example
 * ```ts
 * import { signTest } from "./submit.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * assertEquals(signTest(5, 0), 0.0625);
 * assertEquals(signTest(0, 0), 1);
 * ```
 * @param wins Cells the first method wins.
 * @param losses Cells it loses.
 * @returns The p-value.
 */
export function signTest(wins: number, losses: number): number {
  const n = wins + losses;
  if (n === 0) return 1;
  const k = Math.min(wins, losses);
  let tail = 0;
  let c = 1; // C(n, 0)
  for (let i = 0; i <= k; i++) {
    tail += c;
    c = (c * (n - i)) / (i + 1);
  }
  return Math.min(1, (2 * tail) / 2 ** n);
}

/** Final score of a line (last checkpoint), or undefined when it has none. */
function finalScore(l: ResultLine): number | undefined {
  return l.checkpoints[l.checkpoints.length - 1]?.score;
}

/**
 * Runs a submission end to end (see the module doc).
 *
 * @param o Methods, archive, output folder, workers.
 * @returns The summary and whether the submission is valid.
 */
export async function submitMethods(o: SubmitOptions): Promise<SubmitResult> {
  if (o.methods.length === 0) throw new InputError("submit: no method to run (--methods)");
  const archived = await readMeta(o.archive).catch(() => {
    throw new InputError(
      `submit: no archived results in "${o.archive}" (run.json): archive the reference ` +
        `methods of suite ${SUITE_VERSION} first (CONTRIBUTING.md)`,
    );
  });
  if (archived.suite !== SUITE_VERSION) {
    throw new InputError(
      `submit: the archive "${o.archive}" holds suite ${archived.suite}, this is ${SUITE_VERSION}`,
    );
  }
  const newDir = `${o.out}/new`, board = `${o.out}/leaderboard`;
  const bench = await runBench({
    quick: false,
    seeds: archived.seeds.length,
    tasks: archived.tasks.map((t) => t.id),
    methods: [...o.methods],
    out: newDir,
    resume: false,
    force: true,
    workers: o.workers,
    timeLimitMs: o.timeLimitMs,
    command: o.command,
    report: o.report,
  });
  const v = await validateDir(newDir);
  const valid = v.schemaErrors.length + v.mismatches.length === 0;
  const rerun = new Set(o.methods.filter((m) => archivedIds(archived).has(m)));
  const base = rerun.size > 0
    ? await archiveWithout(o.archive, rerun, `${o.out}/archive-without-resubmitted`)
    : o.archive;
  await mergeResults(board, [base, newDir], {
    command: o.command,
    force: true,
    sameSource: false,
  });
  const lines = await readResults(`${board}/results.jsonl`);
  const json = JSON.parse(await Deno.readTextFile(`${board}/leaderboard.json`)) as {
    tracks: {
      track: string;
      overall: { rank: number; method: string; iqm: { point: number; lo: number; hi: number } }[];
    }[];
  };
  const overall = json.tracks.find((t) => t.track === "optimize")?.overall ?? [];
  const newIds = new Set(
    lines.filter((l) => !archivedIds(archived).has(l.method)).map((l) => l.method),
  );
  const leader = overall[0];
  const scores = (method: string) =>
    new Map(
      lines.filter((l) => l.method === method).map((l) => [
        `${l.task.id}@${l.task.version}|${l.seed}`,
        finalScore(l),
      ]),
    );
  const out: string[] = [
    `## mixbench leaderboard: submission`,
    ``,
    `Suite ${SUITE_VERSION}; ${archived.tasks.length} tasks × ${archived.seeds.length} seeds ` +
    `(the archived task set); ${bench.ran} cells run, ${bench.failed} failed; validation: ` +
    (valid ? "ok" : `**${v.schemaErrors.length + v.mismatches.length} problems**`) + ".",
    ``,
    `| method | rank | IQM [95% CI] | leader | wins:losses vs leader | sign test p |`,
    `|---|---:|---|---|---:|---:|`,
  ];
  for (const id of newIds) {
    const row = overall.find((r) => r.method === id);
    if (!row) {
      out.push(`| ${id} | unranked (a cell failed or is missing) | | | | |`);
      continue;
    }
    let wins = 0, losses = 0;
    if (leader && leader.method !== id) {
      const a = scores(id), b = scores(leader.method);
      for (const [k, s] of a) {
        const t = b.get(k);
        if (s === undefined || t === undefined || s === t) continue;
        if (s > t) wins++;
        else losses++;
      }
    }
    const iqm = `${row.iqm.point.toFixed(3)} [${row.iqm.lo.toFixed(3)}, ${row.iqm.hi.toFixed(3)}]`;
    out.push(
      leader && leader.method !== id
        ? `| ${id} | ${row.rank} of ${overall.length} | ${iqm} | ${leader.method} | ${wins}:${losses} | ${
          signTest(wins, losses).toPrecision(3)
        } |`
        : `| ${id} | ${row.rank} of ${overall.length} | ${iqm} | (itself) | | |`,
    );
  }
  out.push("", "Full leaderboard: the `leaderboard` artefact (leaderboard.md, report.html).");
  const summary = out.join("\n") + "\n";
  await Deno.writeTextFile(`${o.out}/summary.md`, summary);
  return { summary, ok: valid && bench.failed === 0 };
}

function archivedIds(meta: { methods: readonly { id: string }[] }): Set<string> {
  return new Set(meta.methods.map((m) => m.id));
}
