/**
 * The suite's integrity: one sha256 over every source file of the suite (TypeScript, JSON and
 * the lock file outside tests/, out/ and node_modules/), recorded in run.json when a bench
 * starts and compared when it ends, so that a bench during which anything edited the suite's
 * code is marked invalid (report, leaderboard and `validate`).
 *
 * @module
 */

import { sha256Hex } from "../datasets/loader.ts";

const SKIP = new Set(["tests", "out", "node_modules", ".git", ".gpu", ".gl", ".deno-bin"]);

/**
 * Hashes the suite's source files under a root.
 *
 * @param root The suite's root folder.
 * @returns The number of files and the sha256 of their sorted (path, sha256) list.
 */
export async function sourceDigest(root: string): Promise<{ files: number; source: string }> {
  const entries: string[] = [];
  async function walk(dir: string, rel: string): Promise<void> {
    for await (const e of Deno.readDir(dir)) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory) {
        if (!SKIP.has(e.name) && !e.name.startsWith(".")) await walk(`${dir}/${e.name}`, r);
      } else if (e.isFile && /\.(ts|json|lock)$/.test(e.name)) {
        entries.push(`${r} ${await sha256Hex(await Deno.readFile(`${dir}/${e.name}`))}`);
      }
    }
  }
  await walk(root, "");
  entries.sort();
  return {
    files: entries.length,
    source: await sha256Hex(new TextEncoder().encode(entries.join("\n"))),
  };
}
