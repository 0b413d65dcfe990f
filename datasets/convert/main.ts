/**
 * Rebuilds the built-in run tables from the upstream files in `../shared/data/raw/`.
 *
 * Usage: `deno task convert [--raw DIR] [--out DIR]`
 *
 * @module
 */

import { parseArgs } from "node:util";
import { convertAdmire } from "./admire.ts";
import { freezeTasks } from "./freeze_tasks.ts";
import { convertOlmix } from "./olmix.ts";
import { convertRegMix } from "./regmix.ts";

if (import.meta.main) {
  const here = new URL("..", import.meta.url).pathname.replace(/\/$/, "");
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      raw: { type: "string", default: `${here}/../../shared/data/raw` },
      out: { type: "string", default: here },
    },
  });
  const raw = values.raw!;
  const out = values.out!;
  console.log(`regmix_pile: ${await convertRegMix(raw, out)} rows`);
  console.log(`admire_ift: ${await convertAdmire(raw, out)} rows`);
  console.log(`olmix: ${await convertOlmix(raw, out)} rows`);
  if (out === here) {
    const changed = await freezeTasks();
    console.log(
      `task references refrozen: ${changed.length ? changed.join(", ") : "none changed"}`,
    );
  }
}
