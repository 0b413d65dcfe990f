/** Options of a small, quiet test bench (quick mode, 1 worker, two real tasks, three methods). */

import type { BenchOptions } from "../bench/bench.ts";

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
