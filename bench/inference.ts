/**
 * The Inference track (methods.md §18; Hayase, Liu, Choi, Oh, Smith 2024, arXiv 2407.16607 §4):
 * byte-level BPE tokenizers are trained here on seeded random *known* mixtures of the corpus
 * domains, their mixtures are inferred back from the merge lists with the LP and two baselines,
 * and one infer.jsonl line per tokenizer is written beside the suite's other results (its own
 * report section; never mixed with the optimise track).
 *
 * Data ({@linkcode knownHalves}): each domain's whole clean text (1.1–5.5 MB, corpus.md §3; not
 * the training environment's 960 KiB split) is cut into pieces of at least 128 bytes ending at a
 * space or newline; the even pieces feed the tokenizer's training text (α_i · budget bytes, spread
 * over the whole half), the odd pieces are the category samples, so samples and training text are
 * disjoint but drawn from the same distribution as closely as two halves can be (the paper samples
 * them from the same sources). The truth is the byte share of each domain in the text the
 * tokenizer was actually trained on (a domain whose half is shorter than α_i · budget gives all of
 * it, and the truth says so).
 *
 * @module
 */

import { estimateErrors, INFER_SCHEMA, type InferLine } from "../core/infer.ts";
import { trainBpe } from "../inference/bpe.ts";
import { inferMixture } from "../inference/infer.ts";
import { interleave, mixtureTexts, randomMixtures } from "../inference/mixture.ts";
import { compilePattern, countWords } from "../inference/pretokenize.ts";
import { loadRealTokenizer, PUBLISHED_GROUPS, REAL_TOKENIZERS } from "../inference/real.ts";
import { deriveSeed } from "../numerics/rng.ts";
import type { RunMeta } from "../reports/meta.ts";
import { DOMAINS, loadCorpus } from "../runners/train/corpus.ts";
import { runMetaHead } from "./bench.ts";

/** Options of {@linkcode runInferenceTrack}. */
export interface InferenceTrackOptions {
  /** Results folder. */
  readonly out: string;
  /** Number of known mixtures. @default {24} */
  readonly mixtures?: number;
  /** Merges per tokenizer (T). @default {1000} */
  readonly merges?: number;
  /** Seed of the mixture draw. @default {0} */
  readonly seed?: number;
  /** Tokenizer training bytes. @default {2 MiB} */
  readonly budget?: number;
  /** Bytes per category sample (at most the domain's half: 0.55–2.7 MB). @default {4 MiB: the whole half} */
  readonly sampleBytes?: number;
  /** New LP constraints per round (the reference adds 100; more per round means fewer warm re-solves and the same optimum). @default {5000} */
  readonly maxAdd?: number;
  /** LP solver (`lp`, `interval`, `cuts` or `auto`, by T; the same optimum). @default {"lp"} */
  readonly solver?: "auto" | "lp" | "interval" | "cuts";
  /** The command line, for run.json. */
  readonly command: string;
  /** Progress callback. */
  readonly onLine?: (line: InferLine, index: number, count: number) => void;
}

/** Bytes per category sample for the real tokenizers (of each domain's 960 KiB training split). */
export const REAL_SAMPLE_BYTES = 240 * 1024;

/** Defaults of the track. */
export const INFERENCE_DEFAULTS = {
  mixtures: 24,
  merges: 1000,
  seed: 0,
  budget: 2 * 1024 * 1024,
  sampleBytes: 4 * 1024 * 1024,
  maxAdd: 5000,
} as const;

/**
 * Runs the known-mixture inference track and appends its lines to `${out}/infer.jsonl` (replacing
 * an old file); writes a minimal run.json when the folder has none.
 *
 * @param o Options.
 * @returns The lines written.
 */
export async function runInferenceTrack(o: InferenceTrackOptions): Promise<InferLine[]> {
  const count = o.mixtures ?? INFERENCE_DEFAULTS.mixtures;
  const T = o.merges ?? INFERENCE_DEFAULTS.merges;
  const seed = o.seed ?? INFERENCE_DEFAULTS.seed;
  const budget = o.budget ?? INFERENCE_DEFAULTS.budget;
  const sampleBytes = o.sampleBytes ?? INFERENCE_DEFAULTS.sampleBytes;
  const maxAdd = o.maxAdd ?? INFERENCE_DEFAULTS.maxAdd;
  await Deno.mkdir(o.out, { recursive: true });
  const { tokenizer: even, samples: odd } = knownHalves(loadCorpus().domains);
  const mixes = randomMixtures(DOMAINS.map((d) => d.name), count, deriveSeed("infer", seed));
  const re = compilePattern("gpt2");
  const enc = new TextEncoder(), dec = new TextDecoder();
  const path = `${o.out}/infer.jsonl`;
  await Deno.writeTextFile(path, "");
  const lines: InferLine[] = [];
  for (const [j, mix] of mixes.entries()) {
    const t0 = performance.now();
    const texts = mixtureTexts(mix.domains.map((d) => even.get(d)!), mix.alpha, budget);
    const bytes = texts.map((t) => enc.encode(t).length);
    const total = bytes.reduce((a, b) => a + b, 0);
    const words = new Map<string, number>();
    for (const t of texts) countWords(t, re, words);
    const list = trainBpe(words, T, "gpt2");
    const trainMs = performance.now() - t0;
    const samples = mix.domains.map((d) => ({
      name: d,
      text: dec.decode(spreadSample(odd.get(d)!, sampleBytes)),
    }));
    const r = await inferMixture(list, samples, {
      mergesUsed: T,
      maxAdd,
      solver: o.solver ?? "lp",
    });
    const line: InferLine = {
      schema: INFER_SCHEMA,
      id: `known-${String(j).padStart(2, "0")}`,
      kind: "known",
      tokenizer: "trained",
      pattern: "gpt2",
      seed,
      categories: mix.domains,
      truth: bytes.map((b) => b / total),
      merges: list.merges.length,
      mergesUsed: r.T,
      trainBytes: total,
      sampleBytes: samples.map((s) => enc.encode(s.text).length),
      estimates: {
        lp: r.alphaBytes,
        "lp-pairs": r.alpha,
        efficiency: r.baselines.efficiency,
        "merge-votes": r.baselines.mergeVotes,
      },
      ...(r.solver !== "lp" ? { solver: r.solver } : {}),
      lp: lpRecord(r.lp),
      trainMs,
      replayMs: r.replayMs,
    };
    await Deno.writeTextFile(path, JSON.stringify(line) + "\n", { append: true });
    lines.push(line);
    o.onLine?.(line, j, count);
  }
  await ensureRunJson(o.out, o.command);
  return lines;
}

/** The two disjoint halves of every domain for known mixtures. */
export interface KnownHalves {
  /** Tokenizer training text sources, by domain name (the even pieces). */
  readonly tokenizer: ReadonlyMap<string, Uint8Array>;
  /** Category samples, by domain name (the odd pieces). */
  readonly samples: ReadonlyMap<string, Uint8Array>;
}

/**
 * Splits each domain's whole clean text into the tokenizer-text half and the sample half
 * ({@linkcode interleave}: pieces of ≥ 128 bytes cut at a space or newline, alternating).
 *
 * Why this protocol (README, Inference track): the error of a 2-domain recovery is finite-sample
 * noise of the two halves, not a bias of the LP. Over 40 two-domain cases (5 domain pairs × 4
 * mixtures × both assignments of the halves, 1000 merges) the largest error was 0.033 with 2 KiB
 * blocks of the 960 KiB split, 0.020 with 128-byte pieces of it, and 0.0073 with 128-byte pieces
 * of the whole clean texts and 2 MiB of tokenizer text.
 *
 * @param domains Corpus domains.
 * @param trainParity Which half trains the tokenizer (0: even pieces). @default {0}
 * @returns The halves by domain name.
 */
export function knownHalves(
  domains: readonly { readonly name: string; readonly clean: Uint8Array }[],
  trainParity: 0 | 1 = 0,
): KnownHalves {
  const other = trainParity === 0 ? 1 : 0;
  return {
    tokenizer: new Map(domains.map((d) => [d.name, interleave(d.clean, trainParity)])),
    samples: new Map(domains.map((d) => [d.name, interleave(d.clean, other)])),
  };
}

/**
 * Writes a minimal run.json (the report's header) into a results folder that has none.
 *
 * @param out Results folder.
 * @param command The command line.
 */
export async function ensureRunJson(out: string, command: string): Promise<void> {
  try {
    await Deno.stat(`${out}/run.json`);
  } catch {
    await Deno.writeTextFile(
      `${out}/run.json`,
      JSON.stringify(await trackMeta(command), null, 2) + "\n",
    );
  }
}

/**
 * Runs the inference on the real tokenizers of {@linkcode REAL_TOKENIZERS} with the eight domains'
 * training splits as categories, appending `real` lines to `${out}/infer.jsonl`.
 *
 * @param out Results folder (its infer.jsonl is appended to).
 * @param T Merges used. @default {1000}
 * @param maxAdd New LP constraints per round. @default {5000}
 * @param sampleBytes Bytes per category (at most the 960 KiB split). @default {REAL_SAMPLE_BYTES}
 * @param onLine Progress callback.
 * @returns The lines written.
 */
export async function runRealTokenizers(
  out: string,
  T = 1000,
  maxAdd = 5000,
  sampleBytes = REAL_SAMPLE_BYTES,
  onLine?: (line: InferLine, index: number, count: number) => void,
): Promise<InferLine[]> {
  const corpus = loadCorpus();
  const dec = new TextDecoder();
  const samples = corpus.domains.map((d) => ({
    name: d.name,
    text: dec.decode(spreadSample(d.train, sampleBytes)),
  }));
  const lines: InferLine[] = [];
  for (const [j, tok] of REAL_TOKENIZERS.entries()) {
    const skip = tok.skip ?? 0;
    const list = await loadRealTokenizer(tok.id, skip + T);
    const r = await inferMixture(list, samples, { mergesUsed: T, mergesSkipped: skip, maxAdd });
    const grouped: Record<string, number> = {};
    for (const [g, members] of Object.entries(PUBLISHED_GROUPS)) {
      grouped[g] = members.reduce((a, m) => a + (r.alphaBytes[r.names.indexOf(m)] ?? 0), 0);
    }
    const line: InferLine = {
      schema: INFER_SCHEMA,
      id: `real-${tok.id}`,
      kind: "real",
      tokenizer: `${list.source} (${tok.models})`,
      pattern: tok.id,
      categories: r.names,
      merges: list.merges.length,
      mergesUsed: r.T,
      ...(skip > 0 ? { mergesSkipped: skip } : {}),
      sampleBytes: samples.map((x) => new TextEncoder().encode(x.text).length),
      estimates: {
        lp: r.alphaBytes,
        "lp-pairs": r.alpha,
        efficiency: r.baselines.efficiency,
        "merge-votes": r.baselines.mergeVotes,
      },
      grouped,
      lp: lpRecord(r.lp),
      replayMs: r.replayMs,
      ...(tok.published ? { published: tok.published } : {}),
    };
    await Deno.writeTextFile(`${out}/infer.jsonl`, JSON.stringify(line) + "\n", { append: true });
    lines.push(line);
    onLine?.(line, j, REAL_TOKENIZERS.length);
  }
  return lines;
}

/** The first `n` bytes of a sample source, cut back to a UTF-8 character start. */
function spreadSample(b: Uint8Array, n: number): Uint8Array {
  let e = Math.min(n, b.length);
  while (e < b.length && e > 0 && (b[e]! & 0xc0) === 0x80) e--;
  return b.subarray(0, e);
}

/** The LP's record in an infer line: objective, slacks, rounds, constraints and times. */
function lpRecord(lp: InferLine["lp"]): InferLine["lp"] {
  const { objective, stepSlack, pairSlack, rounds, constraints, solveMs, walkMs } = lp;
  return { objective, stepSlack, pairSlack, rounds, constraints, solveMs, walkMs };
}

async function trackMeta(command: string): Promise<RunMeta> {
  return {
    ...await runMetaHead("cpu (inference track)"),
    command,
    seeds: [],
    tasks: [],
    methods: [],
  };
}

/**
 * One progress line for the console.
 *
 * @param line A finished line.
 * @param index Its index.
 * @param count Lines in the run.
 * @returns The text.
 */
export function formatInferLine(line: InferLine, index: number, count: number): string {
  const err = (k: string) =>
    line.truth ? estimateErrors(line.truth, line.estimates[k]!).mae.toExponential(2) : "-";
  if (!line.truth) {
    return `[${index + 1}/${count}] ${line.id}: ${
      line.categories.map((c, i) => `${c} ${(100 * line.estimates.lp![i]!).toFixed(1)}%`).join(", ")
    }; ${line.lp.rounds} LP rounds, ${line.lp.constraints} constraints, HiGHS ${
      (line.lp.solveMs / 1000).toFixed(1)
    } s, replay ${(line.replayMs / 1000).toFixed(1)} s`;
  }
  return `[${index + 1}/${count}] ${line.id} ${line.categories.length} domains: MAE lp ${
    err("lp")
  }, efficiency ${err("efficiency")}, merge-votes ${err("merge-votes")}; ${line.lp.rounds} LP ` +
    `rounds, HiGHS ${(line.lp.solveMs / 1000).toFixed(1)} s`;
}
