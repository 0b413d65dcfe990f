/**
 * Readers for merge lists: a Hugging Face `tokenizer.json` (`model.merges`, with the split pattern
 * of its pre-tokenizer), a `merges.txt` (GPT-2 style, byte-level mapped) and a tiktoken rank file
 * (`base64 rank` per line; merges derived from the ranks). Each returns a {@linkcode MergeList}
 * with the pre-tokenisation it needs; an unsupported format or pattern is a {@linkcode
 * MergeFormatError} naming the file (and line).
 *
 * Deriving merges from ranks: the token of rank r (two bytes or more) is the merge of the two
 * parts that byte-level BPE with the ranks below r leaves when it encodes the token's bytes — the
 * construction tiktoken's own `bpe` encoder implies (a token of rank r exists only if its two
 * parts had lower ranks).
 *
 * @module
 */

import type { MergeList } from "./bpe.ts";
import { byteLevelDecoder, bytesToUnicode, compilePattern, latin1 } from "./pretokenize.ts";

/** Thrown for a malformed or unsupported merge file. */
export class MergeFormatError extends Error {
  override name = "MergeFormatError";
}

/** The merge-file formats. */
export type MergeFormat = "hf" | "merges" | "tiktoken";

/**
 * Guesses a merge file's format from its content: JSON → `hf`, `base64 rank` lines → `tiktoken`,
 * else `merges`.
 *
 * @param text The file's text.
 * @returns The format.
 */
export function detectFormat(text: string): MergeFormat {
  const head = text.trimStart();
  if (head.startsWith("{")) return "hf";
  const first = head.split("\n", 1)[0] ?? "";
  if (/^[A-Za-z0-9+/]+=* \d+\s*$/.test(first)) return "tiktoken";
  return "merges";
}

/**
 * Parses a merge file of a given format.
 *
 * @example
 * ```ts
 * import { parseMerges } from "./merges.ts";
 * import { strictEqual as assertEquals } from "node:assert/strict";
 * const list = parseMerges("#version: 0.2\nĠ t\nĠt he\n", "merges.txt");
 * assertEquals(list.merges.length, 2);
 * assertEquals(list.pattern, "gpt2");
 * ```
 * @param text The file's text.
 * @param source File name (for messages and the result).
 * @param format The format. @default {detectFormat(text)}
 * @param pattern Split pattern override (name or regex source). @default {from the file}
 * @returns The merge list.
 * @throws {MergeFormatError} On a malformed file or unsupported tokenizer.
 */
export function parseMerges(
  text: string,
  source: string,
  format: MergeFormat = detectFormat(text),
  pattern?: string,
): MergeList {
  const list = format === "hf"
    ? parseTokenizerJson(text, source)
    : format === "tiktoken"
    ? parseTiktoken(text, source, pattern ?? patternFromName(source))
    : parseMergesTxt(text, source);
  const out = pattern === undefined ? list : { ...list, pattern };
  compilePattern(out.pattern);
  return out;
}

function patternFromName(source: string): string {
  const s = source.toLowerCase();
  if (s.includes("o200k")) return "o200k";
  if (s.includes("cl100k")) return "cl100k";
  if (s.includes("llama3") || s.includes("llama-3")) return "llama3";
  if (s.includes("r50k") || s.includes("p50k") || s.includes("gpt2")) return "gpt2";
  throw new MergeFormatError(
    `${source}: a tiktoken rank file does not name its split pattern; pass --pattern ` +
      "gpt2|cl100k|o200k|llama3",
  );
}

function splitMergeLine(line: string, source: string, lineNo: number): [string, string] {
  const parts = line.split(" ");
  if (parts.length !== 2 || !parts[0] || !parts[1]) {
    throw new MergeFormatError(
      `${source}:${lineNo}: expected a merge "left right", got ${JSON.stringify(line)}`,
    );
  }
  return [parts[0], parts[1]];
}

function decodePair(
  pair: readonly [string, string],
  source: string,
  where: string,
): readonly [Uint8Array, Uint8Array] {
  const dec = byteLevelDecoder();
  const l = dec(pair[0]), r = dec(pair[1]);
  if (!l || !r) {
    throw new MergeFormatError(
      `${source}:${where}: merge ${JSON.stringify(pair.join(" "))} is not byte-level ` +
        "(GPT-2 byte mapping); only byte-level BPE tokenizers are supported",
    );
  }
  return [l, r];
}

/**
 * Parses a GPT-2 style `merges.txt` (optional `#version` line, then `left right` per line, in the
 * byte-level mapping). The split pattern is GPT-2's.
 *
 * @param text The file's text.
 * @param source File name.
 * @returns The merge list.
 */
export function parseMergesTxt(text: string, source: string): MergeList {
  const merges: (readonly [Uint8Array, Uint8Array])[] = [];
  const lines = text.split("\n");
  lines.forEach((raw, i) => {
    const line = raw.replace(/\r$/, "");
    if (line === "" || (i === 0 && line.startsWith("#version"))) return;
    merges.push(decodePair(splitMergeLine(line, source, i + 1), source, String(i + 1)));
  });
  if (merges.length === 0) throw new MergeFormatError(`${source}: no merges`);
  return { merges, pattern: "gpt2", source };
}

interface PreTok {
  type?: string;
  pretokenizers?: PreTok[];
  pattern?: { Regex?: string; String?: string };
  use_regex?: boolean;
}

/**
 * Parses a Hugging Face `tokenizer.json`: `model.type` must be `BPE` with byte-level tokens;
 * the split pattern is the `Split` pre-tokenizer's regex, else GPT-2's for a `ByteLevel`
 * pre-tokenizer with `use_regex`.
 *
 * @param text The file's text.
 * @param source File name.
 * @returns The merge list.
 */
export function parseTokenizerJson(text: string, source: string): MergeList {
  let json: { model?: { type?: string; merges?: unknown }; pre_tokenizer?: PreTok | null };
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new MergeFormatError(`${source}: not valid JSON (${(e as Error).message})`);
  }
  const model = json.model;
  if (!model || model.type !== "BPE" || !Array.isArray(model.merges)) {
    throw new MergeFormatError(
      `${source}: expected a tokenizer.json with model.type "BPE" and model.merges ` +
        `(got model.type ${JSON.stringify(model?.type)})`,
    );
  }
  const merges = (model.merges as unknown[]).map((m, i) => {
    const pair = typeof m === "string"
      ? splitMergeLine(m, source, i + 1)
      : Array.isArray(m) && m.length === 2 && m.every((x) => typeof x === "string")
      ? m as [string, string]
      : undefined;
    if (!pair) {
      throw new MergeFormatError(`${source}: model.merges[${i}] is not a merge: ${String(m)}`);
    }
    return decodePair(pair, source, `model.merges[${i}]`);
  });
  if (merges.length === 0) throw new MergeFormatError(`${source}: model.merges is empty`);
  const flat: PreTok[] = [];
  const walk = (p: PreTok | null | undefined) => {
    if (!p) return;
    if (p.type === "Sequence") p.pretokenizers?.forEach(walk);
    else flat.push(p);
  };
  walk(json.pre_tokenizer);
  const split = flat.find((p) => p.type === "Split");
  let pattern: string | undefined;
  if (split) {
    pattern = split.pattern?.Regex;
    if (pattern === undefined) {
      throw new MergeFormatError(`${source}: Split pre-tokenizer without a Regex pattern`);
    }
  } else if (flat.some((p) => p.type === "ByteLevel" && p.use_regex !== false)) pattern = "gpt2";
  else {
    throw new MergeFormatError(
      `${source}: unsupported pre-tokenizer ${JSON.stringify(json.pre_tokenizer)} ` +
        "(supported: ByteLevel with use_regex, or a Split regex)",
    );
  }
  return { merges, pattern, source };
}

/**
 * Parses a tiktoken rank file (`base64token rank` per line) and derives the merges.
 *
 * @param text The file's text.
 * @param source File name.
 * @param pattern Split pattern (name or regex source).
 * @returns The merge list.
 */
export function parseTiktoken(text: string, source: string, pattern: string): MergeList {
  const tokens: Uint8Array[] = [];
  text.split("\n").forEach((raw, i) => {
    const line = raw.trim();
    if (line === "") return;
    const m = /^([A-Za-z0-9+/]+=*) (\d+)$/.exec(line);
    if (!m) {
      throw new MergeFormatError(
        `${source}:${i + 1}: expected "base64token rank", got ${JSON.stringify(line)}`,
      );
    }
    const rank = Number(m[2]);
    if (tokens[rank] !== undefined) {
      throw new MergeFormatError(`${source}:${i + 1}: rank ${rank} appears twice`);
    }
    tokens[rank] = Uint8Array.from(atob(m[1]!), (c) => c.charCodeAt(0));
  });
  return { merges: mergesFromRanks(tokens, source), pattern, source };
}

/**
 * Derives the ordered merge list from tokens indexed by rank.
 *
 * @example
 * ```ts
 * import { mergesFromRanks } from "./merges.ts";
 * import { strictEqual as assertEquals } from "node:assert/strict";
 * const bytes = Array.from({ length: 256 }, (_, b) => new Uint8Array([b]));
 * const enc = new TextEncoder();
 * const merges = mergesFromRanks([...bytes, enc.encode("ab"), enc.encode("abc")], "x");
 * assertEquals(new TextDecoder().decode(merges[1]![0]), "ab");
 * ```
 * @param tokens Token bytes by rank (holes allowed: unused ranks).
 * @param source File name (for messages).
 * @param unreachable When given, a token that BPE cannot reach from two lower-ranked tokens is
 *   left out (its rank pushed here) instead of being an error; later tokens then cannot use it.
 * @returns The merges in rank order.
 * @throws {MergeFormatError} When a single byte is missing or (without `unreachable`) a token
 *   cannot be split into two lower-ranked parts.
 */
export function mergesFromRanks(
  tokens: readonly (Uint8Array | undefined)[],
  source: string,
  unreachable?: number[],
): (readonly [Uint8Array, Uint8Array])[] {
  const rank = new Map<string, number>();
  tokens.forEach((t, r) => {
    if (t) rank.set(latin1(t), r);
  });
  for (let b = 0; b < 256; b++) {
    if (!rank.has(String.fromCharCode(b))) {
      throw new MergeFormatError(`${source}: byte ${b} has no rank (not a byte-level BPE)`);
    }
  }
  const merges: (readonly [Uint8Array, Uint8Array])[] = [];
  tokens.forEach((t, r) => {
    if (!t || t.length < 2) return;
    let parts: string[] = Array.from(t, (b) => String.fromCharCode(b));
    while (parts.length > 2) {
      let best = -1, bestRank = Infinity;
      for (let i = 0; i + 1 < parts.length; i++) {
        const q = rank.get(parts[i]! + parts[i + 1]!);
        if (q !== undefined && q < r && q < bestRank) {
          bestRank = q;
          best = i;
        }
      }
      if (best < 0) break;
      parts = [...parts.slice(0, best), parts[best]! + parts[best + 1]!, ...parts.slice(best + 2)];
    }
    if (parts.length !== 2 && unreachable) {
      unreachable.push(r);
      rank.delete(latin1(t));
      return;
    }
    if (parts.length !== 2) {
      throw new MergeFormatError(
        `${source}: the token of rank ${r} cannot be built from two lower-ranked tokens`,
      );
    }
    const enc = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));
    merges.push([enc(parts[0]!), enc(parts[1]!)]);
  });
  return merges;
}

/**
 * Writes a merge list as a GPT-2 style `merges.txt` (byte-level mapped, `#version: 0.2` first).
 *
 * @example
 * ```ts
 * import { formatMergesTxt, parseMergesTxt } from "./merges.ts";
 * import { strictEqual as assertEquals } from "node:assert/strict";
 * const text = "#version: 0.2\nĠ t\nĠt he\n";
 * assertEquals(formatMergesTxt(parseMergesTxt(text, "m.txt")), text);
 * ```
 * @param list The merge list.
 * @returns The file's text.
 */
export function formatMergesTxt(list: MergeList): string {
  const map = bytesToUnicode();
  const s = (b: Uint8Array) => Array.from(b, (x) => map[x]!).join("");
  return "#version: 0.2\n" + list.merges.map(([l, r]) => `${s(l)} ${s(r)}\n`).join("");
}
