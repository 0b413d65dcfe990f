/**
 * Real tokenizers from npm: the OpenAI encodings shipped by `js-tiktoken` (exact pin in
 * deno.json), read as rank lists and turned into merge lists, with the estimates Hayase et al.
 * (2024, arXiv 2407.16607, abstract and §6) published for them. Only the package's data files are
 * used, never its encoder.
 *
 * @module
 */

import type { MergeList } from "./bpe.ts";
import { mergesFromRanks } from "./merges.ts";

/** The pinned package. */
export const TIKTOKEN_PACKAGE = "js-tiktoken@1.0.21";

/** A real tokenizer available here. */
export interface RealTokenizer {
  /** Encoding name (the `js-tiktoken/ranks/<id>` module). */
  readonly id: "r50k_base" | "cl100k_base" | "o200k_base";
  /** Models that use it. */
  readonly models: string;
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
  let data: { pat_str: string; bpe_ranks: string };
  try {
    const mod = id === "r50k_base"
      ? await import("js-tiktoken/ranks/gpt2")
      : id === "cl100k_base"
      ? await import("js-tiktoken/ranks/cl100k_base")
      : await import("js-tiktoken/ranks/o200k_base");
    data = mod.default as { pat_str: string; bpe_ranks: string };
  } catch (e) {
    throw new RealTokenizerError(
      `the npm package ${TIKTOKEN_PACKAGE} is not installed (${(e as Error).message}): run ` +
        "`deno install` in the repository root",
    );
  }
  const tokens: Uint8Array[] = [];
  const max = 256 + limit;
  for (const line of data.bpe_ranks.split("\n")) {
    if (!line) continue;
    const [, offsetStr, ...b64] = line.split(" ");
    const offset = Number(offsetStr);
    for (let i = 0; i < b64.length && offset + i < max; i++) {
      tokens[offset + i] = Uint8Array.from(atob(b64[i]!), (c) => c.charCodeAt(0));
    }
  }
  const source = `${TIKTOKEN_PACKAGE} ${id}`;
  return { merges: mergesFromRanks(tokens, source), pattern: data.pat_str, source };
}
