/**
 * Rebuilds the built-in run tables from the upstream files in `../shared/data/raw/`.
 *
 * Usage: `deno task convert [--raw DIR] [--out DIR]` (the command is in `cli/commands.ts`).
 *
 * @module
 */

import { convertAdmire } from "./admire.ts";
import { freezeTasks } from "./freeze_tasks.ts";
import { convertOlmix } from "./olmix.ts";
import { convertRegMix } from "./regmix.ts";

/**
 * Converts every upstream table and, when writing the built-in tables, re-freezes the task
 * references.
 *
 * @param raw Folder of the upstream files.
 * @param out Folder to write the tables to.
 * @returns One line per table and one for the references.
 */
export async function convertAll(raw: string, out: string): Promise<string[]> {
  const here = new URL("..", import.meta.url).pathname.replace(/\/$/, "");
  const lines = [
    `regmix_pile: ${await convertRegMix(raw, out)} rows`,
    `admire_ift: ${await convertAdmire(raw, out)} rows`,
    `olmix: ${await convertOlmix(raw, out)} rows`,
  ];
  if (out.replace(/\/$/, "") === here) {
    const changed = await freezeTasks();
    lines.push(`task references refrozen: ${changed.length ? changed.join(", ") : "none changed"}`);
  }
  return lines;
}

/** The default folders: the shared upstream files and the built-in tables. */
export const CONVERT_DEFAULTS = {
  raw: new URL("../../../shared/data/raw", import.meta.url).pathname,
  out: new URL("..", import.meta.url).pathname.replace(/\/$/, ""),
};
