/**
 * The small commands: `report`, `list`, `validate` and `reproduce` (the bench has its own file).
 *
 * @module
 */

import { formatReproduction, loadManifest, reproduce } from "../bench/reproduce.ts";
import { formatValidation, validateDir } from "../bench/validate.ts";
import { InputError } from "../core/errors.ts";
import { defaultConcurrency } from "../harness/scheduler.ts";
import { TASKS } from "../datasets/registry.ts";
import { CONVERT_DEFAULTS, convertAll } from "../datasets/convert/main.ts";
import { METHODS } from "../methods/mod.ts";
import { writeReports } from "../reports/write.ts";
import { type CommandSpec, EXIT, positiveInt } from "./args.ts";

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
  options: {},
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
  console.log("Methods:");
  for (const m of METHODS) {
    console.log(`  ${m.id.padEnd(16)} ${m.description}${m.variant ? ` (also ${m.id}@<arg>)` : ""}`);
  }
  return EXIT.ok;
}

/** Runs `validate`. */
export async function validateCommand(positionals: readonly string[]): Promise<number> {
  const dir = await folder("validate", positionals);
  const v = await validateDir(dir);
  console.log(formatValidation(dir, v));
  return v.schemaErrors.length + v.mismatches.length === 0 ? EXIT.ok : EXIT.failed;
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
