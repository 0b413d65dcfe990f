/**
 * Real tokenizers from npm (exact pins in deno.json), read as rank lists and turned into merge
 * lists (tiktoken's rule: a token's merge joins the two lower-ranked parts BPE reaches it by), with
 * the estimates Hayase et al. (2024, arXiv 2407.16607, abstract and §5) published for them:
 *
 * - the OpenAI encodings shipped by `js-tiktoken` (MIT; rank files);
 * - Llama 3 from `llama3-tokenizer-js` (MIT code; the vocabulary is Meta's, under the Llama 3
 *   Community License): its vocabulary in id order is the rank list (ids 0–127 999; the 256
 *   special tokens are dropped), read as GPT-2 byte-level strings; tokens BPE cannot reach from
 *   two lower-ranked ones are left out (they are never produced, so they are no merge), with the Llama 3 split pattern
 *   (cl100k's). The package's Hugging Face style merge table is not used: it lists every split of
 *   each token (e.g. "Ġ ĠĠĠ" before "ĠĠĠ" exists), which is not a sequential merge list;
 * - Claude's from `@anthropic-ai/tokenizer` (Apache-2.0; `claude.json`, a tiktoken rank string with
 *   five special tokens at ranks 0–4), with its GPT-2 split pattern and the NFKC normalisation the
 *   package applies before encoding.
 *
 * Only the packages' data are used, never their encoders.
 *
 * @module
 */

import type { MergeList } from "./bpe.ts";
import { mergesFromRanks } from "./merges.ts";
import { byteLevelDecoder } from "./pretokenize.ts";

/** The pinned package. */
export const TIKTOKEN_PACKAGE = "js-tiktoken@1.0.21";
/** The pinned Llama 3 package. */
export const LLAMA3_PACKAGE = "llama3-tokenizer-js@1.2.0";
/** The pinned Claude package. */
export const CLAUDE_PACKAGE = "@anthropic-ai/tokenizer@0.0.4";
/** Merges of `cl100k_base` (100 256 tokens less 256 bytes); Llama 3's list starts with them. */
export const CL100K_MERGES = 100000;

/** A real tokenizer available here. */
export interface RealTokenizer {
  /** Encoding name (the `js-tiktoken/ranks/<id>` module). */
  readonly id: "r50k_base" | "cl100k_base" | "o200k_base" | "llama3" | "claude";
  /** Models that use it. */
  readonly models: string;
  /**
   * Merges to apply before the analysed ones: Llama 3 is analysed on its extension of cl100k's
   * list, as in the paper.
   */
  readonly skip?: number;
  /** The paper's estimate for it, if it published one (shares of the whole training mixture). */
  readonly published?: {
    readonly source: string;
    readonly values: Readonly<Record<string, number>>;
  };
}

/** The encodings and the paper's estimates (methods.md §18 (e)). */
export const REAL_TOKENIZERS: readonly RealTokenizer[] = [
  { id: "r50k_base", models: "GPT-2, GPT-3" },
  {
    id: "cl100k_base",
    models: "GPT-3.5, GPT-4",
    published: { source: "Hayase et al. 2024, abstract: GPT-3.5 ~60% code", values: { code: 0.6 } },
  },
  {
    id: "o200k_base",
    models: "GPT-4o",
    published: {
      source: "Hayase et al. 2024, abstract: GPT-4o 39% non-English",
      values: { "non-English": 0.39 },
    },
  },
  {
    id: "llama3",
    models: "Llama 3 (merges after cl100k's)",
    skip: CL100K_MERGES,
    published: {
      source: "Hayase et al. 2024, abstract: Llama 3 extends GPT-3.5's tokenizer 48% non-English",
      values: { "non-English": 0.48 },
    },
  },
  {
    id: "claude",
    models: "Claude (pre-Claude 3)",
    published: { source: "Hayase et al. 2024, abstract: Claude ~60% code", values: { code: 0.6 } },
  },
];

/**
 * Corpus domains standing in for the paper's reported groups: `code` is the TypeScript
 * declarations only (the Node.js API docs are prose with code examples and are left out);
 * `non-English` is the multilingual UDHR domain (its English translation is 1 of 178).
 */
export const PUBLISHED_GROUPS: Readonly<Record<string, readonly string[]>> = {
  code: ["ts_code"],
  "non-English": ["udhr"],
};

/** Thrown when the package is missing or an encoding is unknown. */
export class RealTokenizerError extends Error {
  override name = "RealTokenizerError";
}

/**
 * Loads an encoding's first `limit` merges from `js-tiktoken`'s rank data.
 *
 * @param id Encoding name.
 * @param limit Merges wanted. @default {all}
 * @returns The merge list, with the encoding's own split pattern.
 * @throws {RealTokenizerError} When the package is not installed or the id is unknown.
 */
export async function loadRealTokenizer(id: string, limit = Infinity): Promise<MergeList> {
  if (!REAL_TOKENIZERS.some((t) => t.id === id)) {
    throw new RealTokenizerError(
      `unknown encoding "${id}" (known: ${REAL_TOKENIZERS.map((t) => t.id).join(", ")})`,
    );
  }
  if (id === "llama3") return await loadLlama3(limit);
  let data: { pat_str: string; bpe_ranks: string };
  const pkg = id === "claude" ? CLAUDE_PACKAGE : TIKTOKEN_PACKAGE;
  try {
    const mod = id === "r50k_base"
      ? await import("js-tiktoken/ranks/gpt2")
      : id === "cl100k_base"
      ? await import("js-tiktoken/ranks/cl100k_base")
      : id === "o200k_base"
      ? await import("js-tiktoken/ranks/o200k_base")
      : await import("@anthropic-ai/tokenizer/claude.json", { with: { type: "json" } });
    data = mod.default as { pat_str: string; bpe_ranks: string };
  } catch (e) {
    throw missing(pkg, e);
  }
  const tokens: Uint8Array[] = [];
  // Claude's ranks start at 5 (special tokens first), so the bytes may reach rank 260.
  const max = 256 + limit + (id === "claude" ? 5 : 0);
  for (const line of data.bpe_ranks.split("\n")) {
    if (!line) continue;
    const [, offsetStr, ...b64] = line.split(" ");
    const offset = Number(offsetStr);
    for (let i = 0; i < b64.length && offset + i < max; i++) {
      tokens[offset + i] = Uint8Array.from(atob(b64[i]!), (c) => c.charCodeAt(0));
    }
  }
  const source = `${pkg} ${id}`;
  const merges = mergesFromRanks(tokens, source);
  return id === "claude"
    ? { merges, pattern: data.pat_str, source, normalize: "NFKC" }
    : { merges, pattern: data.pat_str, source };
}

function missing(pkg: string, e: unknown): RealTokenizerError {
  return new RealTokenizerError(
    `the npm package ${pkg} is not installed (${(e as Error).message}): run ` +
      "`deno install` in the repository root",
  );
}

/** Llama 3's first `limit` merges from its vocabulary in id order (see the module doc). */
async function loadLlama3(limit: number): Promise<MergeList> {
  let vocab: readonly string[];
  try {
    const mod = await import("llama3-tokenizer-js");
    vocab = (mod.default as unknown as { vocabById: readonly string[] }).vocabById;
  } catch (e) {
    throw missing(LLAMA3_PACKAGE, e);
  }
  const source = `${LLAMA3_PACKAGE} llama3`;
  const decode = byteLevelDecoder();
  // a margin for the unreachable tokens left out (695 of the 127 744 non-byte ones)
  const n = Math.min(128000, 256 + limit + 1000);
  const tokens: Uint8Array[] = [];
  for (let r = 0; r < n; r++) {
    const b = decode(vocab[r]!);
    if (b === undefined) {
      throw new RealTokenizerError(`${source}: token ${r} is not a byte-level string`);
    }
    tokens.push(b);
  }
  const unreachable: number[] = [];
  const merges = mergesFromRanks(tokens, source, unreachable).slice(0, limit);
  const note = unreachable.length ? ` (${unreachable.length} unreachable tokens left out)` : "";
  return { merges, pattern: "llama3", source: source + note };
}
