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
 * Usage: deno run -A tests/perf/infer_speed.ts [--T 30000] [--solver cut|lp|ilp|both|lps|none]
 *   [--stats] [--maxAdd 5000] [--batch 10] [--drop N] [--warm T1,T2,…] [--fixed network|highs]
 *
 * `ilp` is the interval form (`inference/interval_lp.ts`; `--warm` sets its continuation
 * prefixes, default T/3^k ≥ 1000; `--fixed` its fixed-α phase's solver, default the network
 * simplex), `lps` runs lp then ilp, `none` only trains and replays.
 * `--maxAdd`, `--batch` and `--drop` set `maxAdd`, `competitorBatch` and `dropAfter` of lp/ilp;
 * `HIGHSOPTS` (JSON) adds HiGHS options, `CUTOPTS` (JSON) options of the bundle solver. Each
 * solver's line gives its wall and CPU time (user + system, `node:process` `cpuUsage`).
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
import { type LpProgress, solveMixtureLp } from "../../inference/lp.ts";
import type { IntervalLpProgress } from "../../inference/interval_lp.ts";
import { alternate, mixtureTexts, randomMixtures } from "../../inference/mixture.ts";
import { compilePattern, countWords } from "../../inference/pretokenize.ts";
import { cpuUsage } from "node:process";
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

/** Writes the stats as a JSON header line of array lengths followed by the raw typed arrays. */
async function saveStats(st: PairStats, path: string): Promise<void> {
  const arrays: (Float64Array | Int32Array)[] = [
    st.keys,
    st.pairs0,
    st.tokens0,
    st.tokensT,
    st.merged,
    st.mergedCount,
    ...st.initial.flatMap((x) => [x.idx, x.count]),
    ...st.deltas.flatMap((x) => [x.start, x.idx, x.val]),
  ];
  const head = JSON.stringify({
    names: st.names,
    T: st.T,
    P: st.P,
    arrays: arrays.map((a) => [a instanceof Int32Array ? "i" : "f", a.length]),
  });
  const pad = (x: number) => (x + 7) & ~7;
  const hb = new TextEncoder().encode(head);
  const out = new Uint8Array(
    pad(hb.length + 1) + arrays.reduce((s, a) => s + pad(a.byteLength), 0),
  );
  out.set(hb);
  out[hb.length] = 10;
  let off = pad(hb.length + 1);
  for (const a of arrays) {
    out.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), off);
    off += pad(a.byteLength);
  }
  await Deno.writeFile(path, out);
}

async function loadStats(path: string): Promise<PairStats | undefined> {
  let buf: Uint8Array;
  try {
    buf = await Deno.readFile(path);
  } catch {
    return undefined;
  }
  const nl = buf.indexOf(10);
  const head = JSON.parse(new TextDecoder().decode(buf.subarray(0, nl)));
  const pad = (x: number) => (x + 7) & ~7;
  let off = pad(nl + 1);
  const arrays = (head.arrays as [string, number][]).map(([k, n]) => {
    const bytes = buf.slice(off, off + n * (k === "i" ? 4 : 8));
    off += pad(bytes.byteLength);
    return k === "i" ? new Int32Array(bytes.buffer) : new Float64Array(bytes.buffer);
  });
  const n = head.names.length;
  const f = (i: number) => arrays[i] as Float64Array, int = (i: number) => arrays[i] as Int32Array;
  return {
    names: head.names,
    T: head.T,
    P: head.P,
    keys: f(0),
    pairs0: f(1),
    tokens0: f(2),
    tokensT: f(3),
    merged: int(4),
    mergedCount: f(5),
    initial: Array.from({ length: n }, (_, i) => ({ idx: int(6 + 2 * i), count: f(7 + 2 * i) })),
    deltas: Array.from({ length: n }, (_, i) => ({
      start: int(6 + 2 * n + 3 * i),
      idx: int(7 + 2 * n + 3 * i),
      val: f(8 + 2 * n + 3 * i),
    })),
  };
}

const { list, truth } = await mergeList();
const r0 = performance.now();
const statsPath = `${dir}/infer_${T}.stats`;
const cached = cacheStats ? await loadStats(statsPath) : undefined;
const stats = cached ?? replay(list);
if (cacheStats && !cached) await saveStats(stats, statsPath);
console.log(
  `${cached ? "loaded" : "replay"} ${
    ((performance.now() - r0) / 1000).toFixed(1)
  } s: T ${stats.T}, P ${stats.P}`,
);
const toBytes = (a: readonly number[]) => {
  const b = a.map((x, i) => x * stats.tokens0[i]! / stats.pairs0[i]!);
  const s = b.reduce((x, y) => x + y);
  return b.map((x) => x / s);
};
const mae = (a: readonly number[]) =>
  a.reduce((s, x, i) => s + Math.abs(x - truth[i]!), 0) / a.length;
for (
  const which of solver === "both"
    ? ["cut", "lp"]
    : solver === "lps"
    ? ["lp", "ilp"]
    : solver === "none"
    ? []
    : [solver]
) {
  const { solveMixtureCuts } = await import("../../inference/cuts.ts");
  const { solveMixtureIntervalLp } = await import("../../inference/interval_lp.ts");
  const t0 = performance.now(), c0 = cpuUsage();
  const warm = arg("warm", "");
  const prefixes = warm === "" ? undefined : warm.split(",").filter((x) => x).map(Number);
  const r = which === "lp" || which === "ilp"
    ? await (which === "lp" ? solveMixtureLp : solveMixtureIntervalLp)(stats, {
      maxAdd: Number(arg("maxAdd", "5000")),
      competitorBatch: Number(arg("batch", "10")),
      ...(prefixes && which === "ilp" ? { prefixes } : {}),
      ...(Deno.args.includes("--fixed") ? { fixedPhase: arg("fixed", "network") as "highs" } : {}),
      ...(Deno.args.includes("--drop") ? { dropAfter: Number(arg("drop", "0")) } : {}),
      highsOptions: JSON.parse(Deno.env.get("HIGHSOPTS") ?? "{}"),
      onRound: (p: LpProgress & Partial<IntervalLpProgress>) =>
        console.log(
          `  lp round ${p.round}: step ${p.step}, rows ${p.rows}, solve ${
            p.solveMs.toFixed(0)
          } ms, walk ${p.walkMs.toFixed(0)} ms` + (p.simplexIterations === undefined
            ? ""
            : `, simplex iterations ${p.simplexIterations}, new rows ${p.pairRows} pair + ${p.treeRows} tree`),
        ),
    })
    : await solveMixtureCuts(stats, {
      ...JSON.parse(Deno.env.get("CUTOPTS") ?? "{}"),
      onRound: (p) => Deno.env.get("QUIET") ? 0 : console.log(`  ${JSON.stringify(p)}`),
    });
  const wall = (performance.now() - t0) / 1000;
  const c1 = cpuUsage(c0), cpu = (c1.user + c1.system) / 1e6;
  console.log(
    `${which}: objective ${r.objective.toPrecision(12)}, ${r.rounds} rounds, wall ${
      wall.toFixed(1)
    } s, CPU ${cpu.toFixed(1)} s, ` +
      `MAE ${mae(toBytes(r.alpha)).toExponential(2)}, alpha ${
        r.alpha.map((x) => x.toFixed(5)).join(" ")
      }`,
  );
  console.log(`  ${JSON.stringify(r)}`);
  const ms = r as unknown as Record<string, number>;
  console.log(
    `  split: walk ${(ms.walkMs! / 1000).toFixed(1)} s, matching ${
      ((ms.matchMs ?? 0) / 1000).toFixed(1)
    } s, master/HiGHS ${((ms.masterMs ?? ms.solveMs!) / 1000).toFixed(1)} s`,
  );
}
