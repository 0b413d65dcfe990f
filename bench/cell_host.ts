/**
 * The main module of a cell process (`harness/processes.ts` starts it): reads one JSON message
 * per line on stdin, runs each cell, and writes each reply as one line that starts with U+001E
 * on stdout. It runs with no permission but read access to what its cells need (never the run
 * tables: they arrive on stdin).
 *
 * Faults belong to their cell: an unhandled rejection or an error event raised while a cell runs,
 * or before its reply is written (the host lets pending tasks run first), fails that cell with
 * the error, and the process goes on.
 *
 * @module
 */

import type { PredictLine } from "../core/predict.ts";
import type { ResultLine } from "../core/results.ts";
import {
  describe,
  handle,
  handlePredict,
  type HostMessage,
  keepTable,
  provideModules,
} from "./cells.ts";

let stray: unknown;
globalThis.addEventListener("unhandledrejection", (e) => {
  e.preventDefault();
  stray ??= e.reason;
});
globalThis.addEventListener("error", (e) => {
  e.preventDefault();
  stray ??= e.error ?? new Error(e.message);
});

/** A cell's line, failed with an error raised outside its calls (kept what it recorded). */
function withStray(line: ResultLine | PredictLine, error: unknown): ResultLine | PredictLine {
  const e = error instanceof Error ? error : new Error(String(error));
  return {
    ...line,
    status: "failed",
    error: { name: "UnhandledError", message: `${e.name}: ${e.message}` },
  } as ResultLine | PredictLine;
}

async function write(reply: unknown): Promise<void> {
  const bytes = new TextEncoder().encode("\u001e" + JSON.stringify(reply) + "\n");
  for (let off = 0; off < bytes.length;) off += await Deno.stdout.write(bytes.subarray(off));
}

/**
 * Serves cells until stdin ends.
 *
 * @param modules Method modules imported statically by a generated entry (methods from outside
 * the suite), by the module path of their spec.
 */
export async function serve(
  modules: Readonly<Record<string, Record<string, unknown>>> = {},
): Promise<void> {
  provideModules(modules);
  await write({ kind: "ready" });
  const decoder = new TextDecoder();
  let buffer = "";
  for await (const chunk of Deno.stdin.readable) {
    buffer += decoder.decode(chunk, { stream: true });
    let nl: number;
    while ((nl = buffer.indexOf("\n")) >= 0) {
      const m = JSON.parse(buffer.slice(0, nl)) as HostMessage;
      buffer = buffer.slice(nl + 1);
      if (m.kind === "table") {
        keepTable(m);
        continue;
      }
      if (m.kind === "describe") {
        await write(
          await describe(m).catch((e: unknown) => ({ error: String((e as Error)?.message ?? e) })),
        );
        continue;
      }
      stray = undefined;
      let line: ResultLine | PredictLine = m.kind === "predict"
        ? await handlePredict(m)
        : await handle(m);
      // Let pending tasks of the cell run, so that their errors are the cell's.
      await new Promise((r) => setTimeout(r, 0));
      if (stray !== undefined) line = withStray(line, stray);
      stray = undefined;
      await write(line);
    }
  }
}

if (import.meta.main) await serve();
