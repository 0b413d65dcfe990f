/**
 * Options of a small, quiet test bench (quick mode, 1 worker, two real tasks, three methods), and
 * a bench shared by the tests of one module.
 */

import { cp } from "node:fs/promises";
import { type BenchOptions, type BenchSummary, runBench } from "../bench/bench.ts";

/**
 * Bench options for tests: quick mode on `regmix-pile/pile-cc` and `admire-ift/avg-7b` with
 * uniform, random-search and best-of-pool, 1 worker (test files already run in parallel, and each
 * cell process costs about 0.45 s of CPU to start), no progress or log output, no reports.
 *
 * @param out Results folder.
 * @param over Options to change.
 * @returns The options.
 */
export function testBenchOptions(out: string, over: Partial<BenchOptions> = {}): BenchOptions {
  return {
    quick: true,
    tasks: ["regmix-pile/pile-cc", "admire-ift/avg-7b"],
    methods: ["uniform", "random-search", "best-of-pool"],
    out,
    resume: false,
    workers: 1,
    timeLimitMs: 60_000,
    command: "test",
    force: true,
    // Tests that read report.html or the leaderboards ask for them.
    reports: false,
    ...over,
  };
}

/** Shared benches of this test module, by options; each folder is removed when the module ends. */
const shared = new Map<string, Promise<{ dir: string; summary: BenchSummary }>>();
const sharedDirs: string[] = [];
globalThis.addEventListener("unload", () => {
  for (const d of sharedDirs) Deno.removeSync(d, { recursive: true });
});

/**
 * Runs a test bench ({@linkcode testBenchOptions}) once per test module for each set of options,
 * and gives every caller a fresh copy of its results folder to read or change: tests that only
 * check what one deterministic bench wrote share its run instead of repeating it.
 *
 * @param over Options to change (JSON-serialisable: no `report` callback).
 * @returns The copy (the caller removes it) and the bench's summary.
 */
export async function sharedBench(
  over: Partial<BenchOptions> = {},
): Promise<{ dir: string; summary: BenchSummary }> {
  const key = JSON.stringify(over);
  let run = shared.get(key);
  if (!run) {
    run = (async () => {
      const dir = await Deno.makeTempDir();
      sharedDirs.push(dir);
      return { dir, summary: await runBench(testBenchOptions(dir, over)) };
    })();
    shared.set(key, run);
  }
  const { dir, summary } = await run;
  const copy = await Deno.makeTempDir();
  await cp(dir, copy, { recursive: true });
  return { dir: copy, summary };
}
