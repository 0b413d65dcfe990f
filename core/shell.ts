/**
 * Shell quoting for the commands that results and reports record ("regenerate with …"), so that
 * a reader can paste them into a POSIX shell.
 *
 * @module
 */

/**
 * Quotes one argument for a POSIX shell: bare when it is made of safe characters, else in
 * single quotes (a `'` inside becomes `'\''`).
 *
 * @example
 * ```ts
 * import { shellQuote } from "./shell.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * assertEquals(shellQuote("out/bench"), "out/bench");
 * assertEquals(shellQuote("mean(metric_*)"), "'mean(metric_*)'");
 * assertEquals(shellQuote("it's"), "'it'\\''s'");
 * ```
 * @param arg The argument.
 * @returns The quoted argument.
 */
export function shellQuote(arg: string): string {
  if (arg !== "" && /^[\w@%+=:,./-]+$/.test(arg)) return arg;
  return `'${arg.replaceAll("'", "'\\''")}'`;
}

/**
 * A command line as a user pastes it: `deno task <command>` and the shell-quoted arguments.
 *
 * @param command The task name.
 * @param args The arguments.
 * @returns The line.
 */
export function commandLine(command: string, args: readonly string[]): string {
  return [`deno task ${command}`, ...args.map(shellQuote)].join(" ");
}
