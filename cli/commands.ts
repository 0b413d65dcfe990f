/**
 * The small commands: `report`, `list`, `validate` and `reproduce` (the bench has its own file).
 *
 * @module
 */

import { formatReproduction, loadManifest, reproduce } from "../bench/reproduce.ts";
import { formatValidation, validateDir } from "../bench/validate.ts";
import { InputError } from "../core/errors.ts";
import { defaultConcurrency } from "../harness/scheduler.ts";
import { CEILING_TASKS, REPRODUCTION_TASKS, TASKS } from "../datasets/registry.ts";
import { CONVERT_DEFAULTS, convertAll } from "../datasets/convert/main.ts";
import { CONTROLS, METHODS } from "../methods/mod.ts";
import { ONLINE_METHODS } from "../methods/online/mod.ts";
import { writeReports } from "../reports/write.ts";
import { commandLine, type CommandSpec, EXIT, list, positiveInt } from "./args.ts";
import { mergeResults } from "../bench/merge.ts";
import { reproduceCells } from "../bench/reproduce_cells.ts";
import { archiveDir, defaultSubmission, submitMethods } from "../bench/submit.ts";
import { formatBenchEvent } from "../bench/bench.ts";

/** `deno task report DIR`. */
export const REPORT: CommandSpec = {
  name: "report",
  usage: "report DIR",
  summary: "Rebuilds report.html, leaderboard.md and leaderboard.json from a results folder.",
  options: {},
  positionals: true,
};

/** `deno task list`. */
export const LIST: CommandSpec = {
  name: "list",
  usage: "list",
  summary: "Lists the built-in tasks and the registered methods.",
  options: {},
};

/** `deno task validate DIR`. */
export const VALIDATE: CommandSpec = {
  name: "validate",
  usage: "validate DIR",
  summary: "Checks a results folder: every line against the schema, every aggregate recomputed " +
    "from the raw lines, coverage of the (task, method, seed) cells. Exit 1 when invalid.",
  options: {
    reproduce: {
      type: "string",
      value: "K",
      help: "also rerun K cells chosen at random and check that each reproduces its line exactly " +
        "(timings aside)",
    },
    seed: { type: "string", value: "N", help: "seed of the --reproduce choice (default: 0)" },
  },
  positionals: true,
};

/** `deno task merge OUT DIR…`. */
export const MERGE: CommandSpec = {
  name: "merge",
  usage: "merge OUT DIR... [options]",
  summary: "Joins the results folders of a sharded bench (--shard i/n) into OUT and rebuilds its " +
    "reports. Refuses a cell held twice and folders of other suite, task, table or surrogate " +
    "versions.",
  options: {
    "allow-mismatch": {
      type: "boolean",
      help: "merge folders of other suite/task/table/surrogate versions or source trees",
    },
    force: { type: "boolean", help: "replace the results already in OUT" },
  },
  positionals: true,
};

/** `deno task reproduce NAME`. */
export const REPRODUCE: CommandSpec = {
  name: "reproduce",
  usage: "reproduce NAME|PATH.json [options]",
  summary: "Reproduces a paper's table from a manifest (bench/manifests/NAME.json: regmix, " +
    "admire, aioli) and diffs it against the expected numbers. Exit 1 when a number is outside " +
    "its tolerance.",
  options: {
    seeds: { type: "string", value: "N", help: "seeds (default: the manifest's)" },
    out: { type: "string", value: "DIR", help: "results folder (default: out/reproduce/NAME)" },
    workers: { type: "string", value: "N", help: "parallel workers (default: the cores)" },
    strict: { type: "boolean", help: "a missing method counts as a failure" },
  },
  positionals: true,
};

/** One folder argument, checked to exist. */
async function folder(command: string, positionals: readonly string[]): Promise<string> {
  if (positionals.length !== 1) {
    throw new InputError(
      `${command}: expected one results folder, e.g. deno task ${command} out/bench`,
    );
  }
  const dir = positionals[0]!;
  try {
    if (!(await Deno.stat(dir)).isDirectory) throw new Error();
    await Deno.stat(`${dir}/run.json`);
  } catch {
    throw new InputError(`${command}: "${dir}" is not a results folder (no ${dir}/run.json)`);
  }
  return dir;
}

/** Runs `report`. */
export async function reportCommand(positionals: readonly string[]): Promise<number> {
  const dir = await folder("report", positionals);
  const files = await writeReports(dir);
  console.log(`wrote ${files.html}, ${files.markdown}, ${files.json}`);
  return EXIT.ok;
}

/** Runs `list`. */
export function listCommand(): number {
  console.log("Tasks:");
  for (const t of TASKS) console.log(`  ${t}`);
  console.log("Reproduction-only tasks (not in a default bench):");
  for (const t of REPRODUCTION_TASKS) console.log(`  ${t}`);
  console.log("Ceiling tasks (not in a default bench: 3 or more methods reach the pool's best):");
  for (const t of CEILING_TASKS) console.log(`  ${t}`);
  console.log("Methods:");
  for (const m of METHODS) {
    const also = m.variant ? ` (also ${m.id}@<arg>)` : "";
    console.log(`  ${m.id.padEnd(16)} v${m.version.padEnd(3)} ${m.description}${also}`);
  }
  console.log("Controls (not in a default bench):");
  for (const m of CONTROLS) console.log(`  ${m.id.padEnd(16)} ${m.description}`);
  console.log("Online methods (train tasks only):");
  for (const m of ONLINE_METHODS) {
    console.log(`  ${m.id.padEnd(16)} v${m.version.padEnd(3)} ${m.description}`);
  }
  return EXIT.ok;
}

/** Runs `validate`. */
export async function validateCommand(
  values: Readonly<Record<string, string | boolean | undefined>>,
  positionals: readonly string[],
): Promise<number> {
  const dir = await folder("validate", positionals);
  const k = positiveInt("reproduce", values.reproduce, 100_000);
  const seedText = values.seed === undefined ? "0" : String(values.seed);
  if (!/^\d{1,9}$/.test(seedText.trim())) {
    throw new InputError(`--seed is "${seedText}", expected a non-negative integer`);
  }
  const seed = Number(seedText);
  const v = await validateDir(dir);
  console.log(formatValidation(dir, v));
  let reproduced = true;
  if (k !== undefined) {
    const cells = await reproduceCells(dir, k, seed, navigator.hardwareConcurrency);
    for (const c of cells) {
      console.log(`reproduce ${c.key}: ${c.outcome}${c.detail ? ` (${c.detail})` : ""}`);
    }
    reproduced = cells.every((c) => c.outcome !== "differs");
    console.log(
      `reproduced ${cells.filter((c) => c.outcome === "same").length} of ${cells.length} cells ` +
        `exactly (seed ${seed})`,
    );
  }
  return v.schemaErrors.length + v.mismatches.length === 0 && reproduced ? EXIT.ok : EXIT.failed;
}

/** `deno task submit`. */
export const SUBMIT: CommandSpec = {
  name: "submit",
  usage: "submit --methods SPEC[,SPEC] [options]",
  summary: "The CI leaderboard for a new method: runs it on the task set and seeds of the " +
    "archived reference results (reports/archive/<suite>/), validates its lines, merges them " +
    "with the archive and writes the leaderboard and summary.md (rank, IQM with interval, sign " +
    "test against the leader). Exit 1 when the submission is invalid.",
  options: {
    methods: {
      type: "string",
      value: "x,y",
      help: "the submitted method specs (default: the specs in submissions/*.txt and, with " +
        "--changed-since, the registered methods whose file changed)",
    },
    "changed-since": {
      type: "string",
      value: "REF",
      help: "also submit registered methods whose methods/<name>.ts changed since this git ref",
    },
    archive: {
      type: "string",
      value: "DIR",
      help: "archived results (default: reports/archive/<suite>)",
    },
    out: { type: "string", value: "DIR", help: "output folder (default: out/submission)" },
    workers: { type: "string", value: "N", help: "parallel workers (default: the cores)" },
    "time-limit": {
      type: "string",
      value: "S",
      help: "per-cell time limit in seconds (default: 300)",
    },
  },
};

/** Runs `submit`. */
export async function submitCommand(
  values: Readonly<Record<string, string | boolean | undefined>>,
  args: readonly string[],
): Promise<number> {
  const root = new URL("..", import.meta.url).pathname.replace(/\/$/, "");
  const archive = (values.archive as string | undefined) ?? archiveDir(root);
  const methods = list("methods", values.methods) ??
    await defaultSubmission(root, values["changed-since"] as string | undefined);
  const r = await submitMethods({
    methods,
    archive,
    out: (values.out as string | undefined) ?? "out/submission",
    workers: positiveInt("workers", values.workers, 256) ?? navigator.hardwareConcurrency,
    timeLimitMs: (positiveInt("time-limit", values["time-limit"], 86_400) ?? 300) * 1000,
    command: commandLine("submit", args),
    report: (e) => e.kind === "cell" && console.error(formatBenchEvent(e)),
  });
  console.log(r.summary);
  return r.ok ? EXIT.ok : EXIT.failed;
}

/** Runs `merge`. */
export async function mergeCommand(
  values: Readonly<Record<string, string | boolean | undefined>>,
  positionals: readonly string[],
  args: readonly string[],
): Promise<number> {
  if (positionals.length < 2) {
    throw new InputError(
      "merge: expected OUT and at least one results folder, e.g. " +
        "deno task merge out/merged out/shard-1 out/shard-2",
    );
  }
  const [out, ...dirs] = positionals;
  const s = await mergeResults(out!, dirs, {
    allowMismatch: values["allow-mismatch"] === true,
    force: values.force === true,
    command: commandLine("merge", args),
  });
  console.log(`merged ${s.cells} cells (${s.predictCells} predict) from ${dirs.length} folders`);
  console.log(`wrote ${s.files.html}, ${s.files.markdown}, ${s.files.json}`);
  return EXIT.ok;
}

/** Runs `reproduce`. */
export async function reproduceCommand(
  values: Readonly<Record<string, string | boolean | undefined>>,
  positionals: readonly string[],
): Promise<number> {
  if (positionals.length !== 1) {
    throw new InputError(
      "reproduce: expected one manifest name (regmix, admire, aioli) or a path to one",
    );
  }
  const m = await loadManifest(positionals[0]!).catch((e: unknown) => {
    throw new InputError(`reproduce: ${(e as Error).message}`, { cause: e });
  });
  const seeds = positiveInt("seeds", values.seeds, 25);
  const workers = positiveInt("workers", values.workers, 256);
  const r = await reproduce(m, {
    ...(seeds ? { seeds } : {}),
    ...(values.out ? { out: values.out as string } : {}),
    workers: workers ?? defaultConcurrency(),
    log: (l) => console.error(l),
  });
  const { text, ok } = formatReproduction(r, values.strict === true);
  console.log(text);
  return ok ? EXIT.ok : EXIT.failed;
}

/** `deno task convert`. */
export const CONVERT: CommandSpec = {
  name: "convert",
  usage: "convert [--raw DIR] [--out DIR]",
  summary: "Rebuilds the built-in run tables (runs.csv, card.json) from the upstream files and, " +
    "when writing into datasets/, re-freezes the task references.",
  options: {
    raw: {
      type: "string",
      value: "DIR",
      help: `upstream files (default: ${CONVERT_DEFAULTS.raw})`,
    },
    out: { type: "string", value: "DIR", help: "where to write the tables (default: datasets/)" },
  },
};

/** Runs `convert`. */
export async function convertCommand(
  values: Readonly<Record<string, string | boolean | undefined>>,
): Promise<number> {
  const raw = (values.raw as string | undefined) ?? CONVERT_DEFAULTS.raw;
  try {
    await Deno.stat(raw);
  } catch {
    throw new InputError(
      `--raw "${raw}" does not exist (the upstream tables are in shared/data/raw)`,
    );
  }
  for (
    const line of await convertAll(raw, (values.out as string | undefined) ?? CONVERT_DEFAULTS.out)
  ) {
    console.log(line);
  }
  return EXIT.ok;
}
