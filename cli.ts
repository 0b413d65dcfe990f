/**
 * mixbench command line: `deno task <command> [options]` (each command has `--help`).
 *
 * ```
 * deno task bench [options]            run (task, method, seed) cells, write results and reports
 * deno task report DIR                 rebuild the reports of a results folder
 * deno task validate DIR               check a results folder
 * deno task reproduce NAME [options]   reproduce a paper's table from a manifest
 * deno task list                       list built-in tasks and methods
 * ```
 *
 * Exit codes: 0 done; 1 the run failed or found problems; 2 invalid command line or input
 * (nothing ran). Errors print one line, `mixbench: …`, never a stack trace (set
 * `MIXBENCH_DEBUG=1` to see it).
 *
 * @module
 */

import { BENCH, benchCommand } from "./cli/bench.ts";
import { INFER, INFER_BENCH, inferBenchCommand, inferCommand } from "./cli/infer.ts";
import {
  CONVERT,
  convertCommand,
  LIST,
  listCommand,
  MERGE,
  mergeCommand,
  REPORT,
  reportCommand,
  REPRODUCE,
  reproduceCommand,
  SUBMIT,
  submitCommand,
  VALIDATE,
  validateCommand,
} from "./cli/commands.ts";
import { type CommandSpec, EXIT, helpText, parseCommand } from "./cli/args.ts";
import { InputError } from "./core/errors.ts";

const COMMANDS: readonly CommandSpec[] = [
  BENCH,
  REPORT,
  VALIDATE,
  MERGE,
  SUBMIT,
  REPRODUCE,
  LIST,
  CONVERT,
  INFER,
  INFER_BENCH,
];

const HELP = `mixbench — data-mixture optimisation benchmark

Usage: deno task <command> [options]      (deno task <command> --help for its options)

Commands:
${
  COMMANDS.map((c) => `  ${c.name.padEnd(13)} ${c.summary.split(". ")[0]!.replace(/\.$/, "")}`)
    .join("\n")
}

Other tasks: test, ok, perf, layers, golden, surrogates (see deno.json).

Exit codes: 0 done; 1 the run failed or found problems; 2 invalid command line or input
(nothing ran).`;

/**
 * Runs one command line.
 *
 * @param args The arguments (command first).
 * @returns The exit code.
 */
export async function main(args: readonly string[]): Promise<number> {
  const [name, ...rest] = args;
  if (!name || name === "help" || name === "--help" || name === "-h") {
    (name ? console.log : console.error)(HELP);
    return name ? EXIT.ok : EXIT.usage;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    throw new InputError(
      `unknown command "${name}" (commands: ${COMMANDS.map((c) => c.name).join(", ")})`,
    );
  }
  const parsed = parseCommand(command, rest);
  if (parsed.help) {
    console.log(helpText(command));
    return EXIT.ok;
  }
  const { values, positionals } = parsed;
  switch (command.name) {
    case "bench":
      return await benchCommand(values, rest);
    case "report":
      return await reportCommand(positionals);
    case "validate":
      return await validateCommand(values, positionals);
    case "merge":
      return await mergeCommand(values, positionals, rest);
    case "submit":
      return await submitCommand(values, rest);
    case "reproduce":
      return await reproduceCommand(values, positionals);
    case "convert":
      return await convertCommand(values);
    case "infer-mixture":
      return await inferCommand(values);
    case "infer-bench":
      return await inferBenchCommand(values, rest);
    default:
      return listCommand();
  }
}

if (import.meta.main) {
  let code: number;
  try {
    code = await main(Deno.args);
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    console.error(`mixbench: ${message}`);
    if (Deno.env.get("MIXBENCH_DEBUG")) console.error(e);
    code = e instanceof InputError ? EXIT.usage : EXIT.failed;
  }
  Deno.exit(code);
}
