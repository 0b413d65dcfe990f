/**
 * Golden results: a small bench whose results lines (timings aside) are committed in
 * `tests/golden/results.jsonl` and checked by `tests/bench/golden_test.ts`, so that any change in
 * a benchmark number is deliberate. `deno task golden` reruns it and, with `--update`, rewrites
 * the file and prints which cells changed and how.
 *
 * @module
 */

import { runBench } from "../bench/bench.ts";
import { defaultConcurrency } from "../harness/scheduler.ts";
import { type CommandSpec, helpText, parseCommand } from "../cli/args.ts";

/** The golden bench: two replay tasks, the baselines and two fit-based methods, one seed. */
export const GOLDEN = {
  tasks: ["regmix-pile/pile-cc", "admire-ift/avg-7b"],
  methods: ["uniform", "natural", "random-search", "regmix-linear", "regmix", "dml"],
  seeds: 1,
} as const;

/** Where the golden lines live. */
export const GOLDEN_FILE = new URL("../tests/golden/results.jsonl", import.meta.url);

/**
 * Runs the golden bench and returns its lines without timings and commit, one JSON text per line.
 *
 * @returns The lines, in canonical order.
 */
export async function goldenLines(): Promise<string[]> {
  const out = await Deno.makeTempDir({ prefix: "mixbench-golden-" });
  try {
    await runBench({
      quick: false,
      seeds: GOLDEN.seeds,
      tasks: [...GOLDEN.tasks],
      methods: [...GOLDEN.methods],
      out,
      resume: false,
      force: true,
      workers: defaultConcurrency(),
      timeLimitMs: 300_000,
      command: "deno task golden",
    });
    const text = await Deno.readTextFile(`${out}/results.jsonl`);
    return text.split("\n").filter(Boolean).map((l) => {
      // Timings and the commit differ between identical runs of two checkouts.
      const { timings: _, ...rest } = JSON.parse(l);
      if (rest.versions) delete rest.versions.commit;
      return JSON.stringify(rest);
    });
  } finally {
    await Deno.remove(out, { recursive: true });
  }
}

/**
 * What changed between two sets of golden lines: one line per cell added, removed or changed,
 * with its final score before and after.
 *
 * @param before Committed lines.
 * @param after Fresh lines.
 * @returns The changes (empty when identical).
 */
export function goldenDiff(before: readonly string[], after: readonly string[]): string[] {
  const index = (lines: readonly string[]) =>
    new Map(lines.map((l) => {
      const v = JSON.parse(l);
      return [`${v.task.id}@${v.task.version}|${v.method}|${v.seed}`, { text: l, v }];
    }));
  const a = index(before), b = index(after);
  const score = (v: { checkpoints: { score: number }[]; status: string }) =>
    v.status !== "ok" ? v.status : v.checkpoints.at(-1)?.score.toFixed(4) ?? "-";
  const out: string[] = [];
  for (const [k, x] of a) {
    const y = b.get(k);
    if (!y) out.push(`removed ${k} (final ${score(x.v)})`);
    else if (y.text !== x.text) out.push(`changed ${k}: final ${score(x.v)} → ${score(y.v)}`);
  }
  for (const [k, y] of b) if (!a.has(k)) out.push(`added ${k} (final ${score(y.v)})`);
  return out;
}

/** The command's flags (`deno task golden --help`). */
const GOLDEN_COMMAND: CommandSpec = {
  name: "golden",
  usage: "golden [--update]",
  summary: "Reruns the golden bench (two replay tasks, six methods, one seed) and compares it " +
    "with tests/golden/results.jsonl, listing each changed cell with its final score before and " +
    "after. Exit 1 when they differ (without --update).",
  options: { update: { type: "boolean", help: "rewrite tests/golden/results.jsonl" } },
};

if (import.meta.main) {
  const parsed = parseCommand(GOLDEN_COMMAND, Deno.args);
  if (parsed.help) {
    console.log(helpText(GOLDEN_COMMAND));
    Deno.exit(0);
  }
  const update = parsed.values.update === true;
  const before = await Deno.readTextFile(GOLDEN_FILE).then(
    (t) => t.split("\n").filter(Boolean),
    () => [] as string[],
  );
  const after = await goldenLines();
  const diff = goldenDiff(before, after);
  for (const d of diff) console.log(d);
  if (diff.length === 0) console.log("golden results: unchanged");
  else if (update) {
    await Deno.writeTextFile(GOLDEN_FILE, after.join("\n") + "\n");
    console.log(`golden results: ${diff.length} cell(s) updated in tests/golden/results.jsonl`);
  } else {
    console.log(`golden results: ${diff.length} cell(s) differ (deno task golden --update)`);
    Deno.exit(1);
  }
}
