import { loadCorpus, UDHR_BLOCK } from "../../runners/train/corpus.ts";
import { alternate, interleave, mixtureTexts } from "../../inference/mixture.ts";
import { compilePattern, countWords } from "../../inference/pretokenize.ts";
import { type MergeList, trainBpe } from "../../inference/bpe.ts";
import type { CategorySample } from "../../inference/infer.ts";

/** A known setup: the trained merge list, the category samples and the true byte shares. */
export interface KnownSetup {
  readonly list: MergeList;
  readonly samples: readonly CategorySample[];
  readonly truth: readonly number[];
}

const setups = new Map<string, KnownSetup>();

/**
 * Trains a tokenizer on a known byte mixture of corpus domains; samples from the other half
 * (2 KiB blocks alternating, as the track, or 128-byte pieces cut at spaces and newlines).
 * Deterministic, so each setup is built once per test module and shared (callers only read it).
 */
export function knownSetup(
  names: readonly string[],
  alpha: readonly number[],
  merges: number,
  budget = 480 * 1024,
  split: "blocks" | "pieces" = "blocks",
  trainParity: 0 | 1 = 0,
): KnownSetup {
  const key = JSON.stringify([names, alpha, merges, budget, split, trainParity]);
  let setup = setups.get(key);
  if (!setup) setups.set(key, setup = buildSetup(names, alpha, merges, budget, split, trainParity));
  return setup;
}

function buildSetup(
  names: readonly string[],
  alpha: readonly number[],
  merges: number,
  budget: number,
  split: "blocks" | "pieces",
  trainParity: 0 | 1,
): KnownSetup {
  const corpus = loadCorpus();
  const dom = names.map((n) => corpus.domains.find((d) => d.name === n)!);
  const re = compilePattern("gpt2");
  const words = new Map<string, number>();
  const half = (b: Uint8Array, parity: 0 | 1) =>
    split === "pieces" ? interleave(b, parity) : alternate(b, UDHR_BLOCK, parity);
  const texts = mixtureTexts(dom.map((d) => half(d.train, trainParity)), alpha, budget);
  for (const t of texts) countWords(t, re, words);
  const bytes = texts.map((t) => new TextEncoder().encode(t).length);
  const total = bytes.reduce((a, b) => a + b);
  const dec = new TextDecoder();
  return {
    list: trainBpe(words, merges, "gpt2"),
    truth: bytes.map((b) => b / total),
    samples: dom.map((d) => ({
      name: d.name,
      text: dec.decode(half(d.train, trainParity === 0 ? 1 : 0)),
    })),
  };
}
