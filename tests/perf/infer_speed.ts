/**
 * Speed of the mixture LP at the size (issue 19: T = 30 000 merges over 8 categories of
 * ≤ 1 MiB each in ≤ 60 s): a tokenizer trained here on a seeded random mixture of all eight
 * domains (their even 2 KiB blocks, 480 KiB each at most: 3.75 MiB), the eight odd halves (480 KiB
 * each) as category samples; replay, then the chosen solver(s).
 *
 * The trained merge list is cached in `out/perf/infer_T.merges` (training 30 000 merges takes
 * minutes); `--stats` also caches the replayed pair statistics (`out/perf/infer_T.stats`) so that
 * solver experiments skip the replay.
 *
 * Usage: deno run -A tests/perf/infer_speed.ts [--T 30000] [--solver cut|lp|both] [--stats]
 *
 * @module
 */

import {
  mergeIds,
  type MergeList,
  type PairStats,
  replayMerges,
  trainBpe,
} from "../../inference/bpe.ts";
import { solveMixtureLp } from "../../inference/lp.ts";
import { alternate, mixtureTexts, randomMixtures } from "../../inference/mixture.ts";
import { compilePattern, countWords } from "../../inference/pretokenize.ts";
import { DOMAINS, loadCorpus, UDHR_BLOCK } from "../../runners/train/corpus.ts";

const arg = (k: string, d: string) => {
  const i = Deno.args.indexOf(`--${k}`);
  return i >= 0 ? Deno.args[i + 1]! : d;
};
const T = Number(arg("T", "30000"));
const solver = arg("solver", "cut");
const cacheStats = Deno.args.includes("--stats");
const dir = "out/perf";
await Deno.mkdir(dir, { recursive: true });

const corpus = loadCorpus();
const names = DOMAINS.map((d) => d.name);
const [mix] = randomMixtures(names, 1, 19, 8, 8);
const truth0 = mix!.alpha;

async function mergeList(): Promise<{ list: MergeList; truth: number[] }> {
  const path = `${dir}/infer_30000.merges`;
  const even = mix!.domains.map((d) =>
    alternate(corpus.domains.find((x) => x.name === d)!.train, UDHR_BLOCK, 0)
  );
  const texts = mixtureTexts(even, truth0, 8 * 480 * 1024);
  const enc = new TextEncoder();
  const bytes = texts.map((t) => enc.encode(t).length);
  const total = bytes.reduce((a, b) => a + b);
  const truth = bytes.map((b) => b / total);
  try {
    const lines = (await Deno.readTextFile(path)).trim().split("\n");
    const hex = (s: string) => Uint8Array.from(s.match(/../g)!.map((h) => parseInt(h, 16)));
    const merges = lines.map((l) => l.split(" ").map(hex) as [Uint8Array, Uint8Array]);
    return { list: { merges, pattern: "gpt2", source: "trained" }, truth };
  } catch {
    const t0 = performance.now();
    const words = new Map<string, number>();
    const re = compilePattern("gpt2");
    for (const t of texts) countWords(t, re, words);
    const list = trainBpe(words, 30000, "gpt2");
    console.log(
      `trained ${T} merges on ${total} bytes in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );
    const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
    await Deno.writeTextFile(
      path,
      list.merges.map(([a, b]) => `${hex(a)} ${hex(b)}`).join("\n") + "\n",
    );
    return { list, truth };
  }
}

function replay(list: MergeList): PairStats {
  const dec = new TextDecoder();
  const re = compilePattern("gpt2");
  const samples = mix!.domains.map((d) => ({
    name: d,
    words: countWords(
      dec.decode(alternate(corpus.domains.find((x) => x.name === d)!.train, UDHR_BLOCK, 1)),
      re,
    ),
  }));
  return replayMerges(samples, mergeIds(list, T));
}

const { list, truth } = await mergeList();
const r0 = performance.now();
const stats = replay(list);
console.log(`replay ${((performance.now() - r0) / 1000).toFixed(1)} s: T ${stats.T}, P ${stats.P}`);
const toBytes = (a: readonly number[]) => {
  const b = a.map((x, i) => x * stats.tokens0[i]! / stats.pairs0[i]!);
  const s = b.reduce((x, y) => x + y);
  return b.map((x) => x / s);
};
const mae = (a: readonly number[]) =>
  a.reduce((s, x, i) => s + Math.abs(x - truth[i]!), 0) / a.length;
for (const which of solver === "both" ? ["cut", "lp"] : solver === "none" ? [] : [solver]) {
  const { solveMixtureCuts } = await import("../../inference/cuts.ts");
  const t0 = performance.now();
  const r = which === "lp"
    ? await solveMixtureLp(stats, {
      maxAdd: 5000,
      onRound: (p) =>
        console.log(
          `  lp round ${p.round}: step ${p.step}, rows ${p.rows}, solve ${p.solveMs.toFixed(0)} ms`,
        ),
    })
    : await solveMixtureCuts(stats, {
      ...JSON.parse(Deno.env.get("CUTOPTS") ?? "{}"),
      onRound: (p) => Deno.env.get("QUIET") ? 0 : console.log(`  ${JSON.stringify(p)}`),
    });
  const wall = (performance.now() - t0) / 1000;
  console.log(
    `${which}: objective ${r.objective.toPrecision(12)}, ${r.rounds} rounds, wall ${
      wall.toFixed(1)
    } s, ` +
      `MAE ${mae(toBytes(r.alpha)).toExponential(2)}, alpha ${
        r.alpha.map((x) => x.toFixed(5)).join(" ")
      }`,
  );
  console.log(`  ${JSON.stringify({ ...r, alpha: undefined })}`);
  const ms = r as unknown as Record<string, number>;
  console.log(
    `  split: walk ${(ms.walkMs! / 1000).toFixed(1)} s, matching ${
      ((ms.matchMs ?? 0) / 1000).toFixed(1)
    } s, master/HiGHS ${((ms.masterMs ?? ms.solveMs!) / 1000).toFixed(1)} s`,
  );
}
if (cacheStats) console.log("(stats cache not implemented)");
