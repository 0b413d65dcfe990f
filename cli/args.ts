/**
 * Command-line plumbing shared by every command: option specs that give both the parser and the
 * `--help` text, usage errors, and shell quoting for the "regenerate" commands the reports print.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { InputError } from "../core/errors.ts";

/** One option of a command. */
export interface OptionSpec {
  readonly type: "string" | "boolean";
  /** Placeholder of the value in the help text (string options), e.g. `N`. */
  readonly value?: string;
  readonly short?: string;
  /** One line (or more, joined) for the help text. */
  readonly help: string;
}

/** A command: its name, usage line, summary and options. */
export interface CommandSpec {
  readonly name: string;
  /** Usage after `deno task`, e.g. `bench [options]`. */
  readonly usage: string;
  readonly summary: string;
  readonly options: Readonly<Record<string, OptionSpec>>;
  /** Positional arguments allowed. @default {false} */
  readonly positionals?: boolean;
  /** Extra text after the options (examples, exit codes). */
  readonly epilog?: string;
}

/** The exit codes of every command (README, "Exit codes"). */
export const EXIT = {
  /** Done. */
  ok: 0,
  /** The run failed or found problems (validation, reproduction out of tolerance). */
  failed: 1,
  /** The command line or an input file is invalid; nothing ran. */
  usage: 2,
} as const;

const EXIT_TEXT = `Exit codes: 0 done; 1 the run failed or found problems; 2 invalid command line or
input (nothing ran).`;

/**
 * The help text of a command, generated from its option specs.
 *
 * @param c The command.
 * @returns The text.
 */
export function helpText(c: CommandSpec): string {
  const rows = Object.entries(c.options).map(([name, o]) => {
    const flag = `${o.short ? `-${o.short}, ` : ""}--${name}${o.value ? ` ${o.value}` : ""}`;
    return [flag, o.help] as const;
  });
  rows.push(["-h, --help", "show this help"]);
  const width = Math.min(24, Math.max(...rows.map(([f]) => f.length)) + 2);
  const lines = rows.map(([flag, help]) => {
    const wrapped = wrap(help, 96 - width - 2);
    return [
      `  ${flag.padEnd(width)}${flag.length >= width ? `\n  ${" ".repeat(width)}` : ""}${
        wrapped[0]
      }`,
      ...wrapped.slice(1).map((l) => `  ${" ".repeat(width)}${l}`),
    ].join("\n");
  });
  return [
    `deno task ${c.usage}`,
    "",
    ...wrap(c.summary, 96),
    "",
    "Options:",
    ...lines,
    ...(c.epilog ? ["", c.epilog] : []),
    "",
    EXIT_TEXT,
  ].join("\n");
}

function wrap(text: string, width: number): string[] {
  const out: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/)) {
    if (line && line.length + 1 + word.length > width) {
      out.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  out.push(line);
  return out;
}

/** Parsed arguments of a command, or a request for its help. */
export type Parsed =
  | { readonly help: true }
  | {
    readonly help: false;
    readonly values: Readonly<Record<string, string | boolean | undefined>>;
    readonly positionals: readonly string[];
  };

/**
 * Parses a command's arguments against its specs.
 *
 * @param c The command.
 * @param args The arguments after the command name.
 * @returns The values, or `{ help: true }` when `-h`/`--help` was given.
 * @throws {InputError} For an unknown option, a missing value or an unexpected positional.
 */
export function parseCommand(c: CommandSpec, args: readonly string[]): Parsed {
  if (args.includes("--help") || args.includes("-h")) return { help: true };
  const options: Record<string, { type: "string" | "boolean"; short?: string }> = {};
  for (const [name, o] of Object.entries(c.options)) {
    options[name] = o.short ? { type: o.type, short: o.short } : { type: o.type };
  }
  try {
    const { values, positionals } = parseArgs({
      args: [...args],
      options,
      strict: true,
      allowPositionals: c.positionals ?? false,
    });
    return { help: false, values, positionals };
  } catch (e) {
    const message = e instanceof Error
      ? e.message.replace(/\. To specify a positional.*$/s, "")
      : String(e);
    throw new InputError(`${c.name}: ${message} (see deno task ${c.name} --help)`);
  }
}

/**
 * A positive integer flag value.
 *
 * @param flag The flag's name (for the message).
 * @param s Its value.
 * @param max The largest allowed value.
 * @returns The number, or undefined when the flag was not given.
 * @throws {InputError} When it is not an integer in [1, max].
 */
export function positiveInt(
  flag: string,
  s: unknown,
  max = Number.MAX_SAFE_INTEGER,
): number | undefined {
  if (s === undefined) return undefined;
  const n = Number(s);
  if (typeof s !== "string" || !/^\d+$/.test(s.trim()) || !Number.isSafeInteger(n) || n <= 0) {
    throw new InputError(`--${flag} is "${s}", expected a positive integer`);
  }
  if (n > max) throw new InputError(`--${flag} is ${n}, at most ${max} is allowed`);
  return n;
}

/**
 * A comma-separated list flag: items trimmed; an empty list or a repeated item is an error.
 *
 * @param flag The flag's name.
 * @param s Its value.
 * @returns The items, or undefined when the flag was not given.
 * @throws {InputError} For an empty list or a duplicate.
 */
export function list(flag: string, s: unknown): string[] | undefined {
  if (s === undefined) return undefined;
  const items = String(s).split(",").map((x) => x.trim()).filter(Boolean);
  if (items.length === 0) throw new InputError(`--${flag} is "${s}", expected at least one name`);
  const dup = items.find((x, i) => items.indexOf(x) !== i);
  if (dup) throw new InputError(`--${flag} names "${dup}" twice`);
  return items;
}

export { commandLine, shellQuote } from "../core/shell.ts";
