import { loadCorpus, UDHR_BLOCK } from "../../runners/train/corpus.ts";
import { alternate, interleave, mixtureTexts } from "../../inference/mixture.ts";
import { compilePattern, countWords } from "../../inference/pretokenize.ts";
import { type MergeList, trainBpe } from "../../inference/bpe.ts";
import type { CategorySample } from "../../inference/infer.ts";
import { knownHalves } from "../../bench/inference.ts";

/**
 * Where a known mixture's tokenizer text and samples come from: `clean` (the track's protocol,
 * {@linkcode knownHalves}: 128-byte pieces of each domain's whole clean text, alternating),
 * `blocks` and `pieces` (2 KiB blocks or 128-byte pieces of the 960 KiB training split: the
 * earlier protocols, kept for the measurements in tests/perf/infer_two.ts).
 */
export type KnownSource = "clean" | "blocks" | "pieces";

/** Options of {@linkcode knownSetup}. */
export interface KnownOptions {
  /** Tokenizer training bytes. @default {2 MiB} */
  readonly budget?: number;
  /** Text source. @default {"clean"} */
  readonly source?: KnownSource;
  /** Which half trains the tokenizer. @default {0} */
  readonly trainParity?: 0 | 1;
}

/** A known setup: the trained merge list, the category samples and the true byte shares. */
export interface KnownSetup {
  readonly list: MergeList;
  readonly samples: readonly CategorySample[];
  readonly truth: readonly number[];
}

const setups = new Map<string, KnownSetup>();

/**
 * Trains a tokenizer on a known byte mixture of corpus domains; samples are the other halves.
 * Deterministic, so each setup is built once per test module and shared (callers only read it).
 */
export function knownSetup(
  names: readonly string[],
  alpha: readonly number[],
  merges: number,
  o: KnownOptions = {},
): KnownSetup {
  const key = JSON.stringify([names, alpha, merges, o.budget, o.source, o.trainParity]);
  let setup = setups.get(key);
  if (!setup) setups.set(key, setup = buildSetup(names, alpha, merges, o));
  return setup;
}

function buildSetup(
  names: readonly string[],
  alpha: readonly number[],
  merges: number,
  o: KnownOptions,
): KnownSetup {
  const corpus = loadCorpus();
  const dom = names.map((n) => corpus.domains.find((d) => d.name === n)!);
  const parity = o.trainParity ?? 0;
  const source = o.source ?? "clean";
  const halves = source === "clean" ? knownHalves(dom, parity) : undefined;
  const half = (name: string, p: 0 | 1): Uint8Array => {
    if (halves) return (p === parity ? halves.tokenizer : halves.samples).get(name)!;
    const b = dom.find((d) => d.name === name)!.train;
    return source === "pieces" ? interleave(b, p) : alternate(b, UDHR_BLOCK, p);
  };
  const other = parity === 0 ? 1 : 0;
  const re = compilePattern("gpt2");
  const words = new Map<string, number>();
  const texts = mixtureTexts(names.map((n) => half(n, parity)), alpha, o.budget ?? 2 * 1024 * 1024);
  for (const t of texts) countWords(t, re, words);
  const bytes = texts.map((t) => new TextEncoder().encode(t).length);
  const total = bytes.reduce((a, b) => a + b);
  const dec = new TextDecoder();
  return {
    list: trainBpe(words, merges, "gpt2"),
    truth: bytes.map((b) => b / total),
    samples: names.map((n) => ({ name: n, text: dec.decode(half(n, other)) })),
  };
}
