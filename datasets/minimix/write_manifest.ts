/**
 * Writes datasets/minimix/manifest.json: bytes and sha256 of every domain's clean text and
 * splits, from the installed packages. Run after changing a recipe or the split rule:
 * `deno run --allow-read --allow-write datasets/minimix/write_manifest.ts`.
 *
 * @module
 */

import { loadCorpus, manifestEntry } from "./corpus.ts";

if (import.meta.main) {
  const out: Record<string, unknown> = {};
  for (const d of loadCorpus().domains) out[d.name] = await manifestEntry(d);
  const path = new URL("./manifest.json", import.meta.url);
  await Deno.writeTextFile(path, JSON.stringify(out, null, 2) + "\n");
  console.log(`Wrote ${path.pathname}`);
}
