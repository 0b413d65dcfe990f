/**
 * Pre-tokenisation for byte-level BPE: the split patterns of the GPT-2 and tiktoken encodings and
 * the GPT-2 byte ↔ unicode mapping used by Hugging Face `tokenizer.json` and `merges.txt` files.
 *
 * The patterns are the published ones (GPT-2 `encoder.py`; tiktoken `openai_public.py` for
 * `cl100k_base` and `o200k_base`; Llama 3 uses the `cl100k_base` pattern), rewritten for
 * JavaScript regular expressions: inline case-insensitive groups `(?i:…)` are spelled out and
 * possessive quantifiers (`?+`, `++`) become greedy ones. Greedy and possessive matching differ
 * only when backtracking into the quantified run would let a later alternative match, which these
 * patterns' alternatives do not need on ordinary text.
 *
 * @module
 */

/** A named split pattern. */
export type PatternName = "gpt2" | "cl100k" | "o200k" | "llama3";

const CONTRACTIONS = "'(?:[sS]|[tT]|[rR][eE]|[vV][eE]|[mM]|[lL][lL]|[dD])";

/** The split patterns by name (JavaScript syntax; compiled with the `gu` flags). */
export const PATTERNS: Readonly<Record<PatternName, string>> = {
  gpt2: String.raw`'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`,
  cl100k: CONTRACTIONS +
    String
      .raw`|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`,
  o200k: String.raw`[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+` +
    `(?:${CONTRACTIONS})?` +
    String.raw`|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*` +
    `(?:${CONTRACTIONS})?` +
    String.raw`|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+`,
  llama3: "",
};
(PATTERNS as Record<PatternName, string>).llama3 = PATTERNS.cl100k;

/** The pattern names, for messages and option parsing. */
export const PATTERN_NAMES: readonly PatternName[] = ["gpt2", "cl100k", "o200k", "llama3"];

/** Thrown for an unknown or uncompilable split pattern. */
export class PatternError extends Error {
  override name = "PatternError";
}

/**
 * Whether a string is a known pattern name.
 *
 * @param s The candidate.
 * @returns True for `gpt2`, `cl100k`, `o200k`, `llama3`.
 */
export function isPatternName(s: string): s is PatternName {
  return (PATTERN_NAMES as readonly string[]).includes(s);
}

/**
 * Compiles a split pattern given by name or as a regular expression source (as found in a
 * `tokenizer.json` `Split` pre-tokenizer). Possessive quantifiers and the standard `(?i:…)`
 * contraction group are rewritten; anything JavaScript cannot compile is an error naming it.
 *
 * @example
 * ```ts
 * import { compilePattern, split } from "./pretokenize.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * assertEquals(split("Hello world's", compilePattern("gpt2")), ["Hello", " world", "'s"]);
 * ```
 * @param pattern A {@linkcode PatternName} or a regular-expression source.
 * @returns A global unicode regular expression.
 * @throws {PatternError} When the pattern cannot be compiled.
 */
export function compilePattern(pattern: string): RegExp {
  const src = isPatternName(pattern) ? PATTERNS[pattern] : pattern
    .replaceAll("(?i:'s|'t|'re|'ve|'m|'ll|'d)", `(?:${CONTRACTIONS})`)
    .replaceAll("(?i:[sdmt]|ll|ve|re)", "(?:[sdmtSDMT]|[lL][lL]|[vV][eE]|[rR][eE])")
    .replaceAll("?+", "?").replaceAll("++", "+").replaceAll("*+", "*");
  try {
    return new RegExp(src, "gu");
  } catch (e) {
    throw new PatternError(
      `unsupported pre-tokenisation pattern ${JSON.stringify(pattern)}: ${(e as Error).message}` +
        ` (known patterns: ${PATTERN_NAMES.join(", ")})`,
    );
  }
}

/**
 * Splits text into pre-tokens with a compiled pattern.
 *
 * @param text The text.
 * @param re A pattern from {@linkcode compilePattern}.
 * @returns The pre-tokens in order.
 */
export function split(text: string, re: RegExp): string[] {
  return text.match(new RegExp(re.source, re.flags)) ?? [];
}

/**
 * Counts the pre-tokens of a text as UTF-8 byte strings (one char per byte, `latin1`-style keys).
 *
 * @param text The text.
 * @param re A pattern from {@linkcode compilePattern}.
 * @param into A map to add to. @default {a new map}
 * @returns Map from pre-token bytes (as a latin1 string) to count.
 */
export function countWords(
  text: string,
  re: RegExp,
  into: Map<string, number> = new Map(),
): Map<string, number> {
  const enc = new TextEncoder();
  const cache = new Map<string, string>();
  for (const w of split(text, re)) {
    let k = cache.get(w);
    if (k === undefined) {
      k = latin1(enc.encode(w));
      cache.set(w, k);
    }
    into.set(k, (into.get(k) ?? 0) + 1);
  }
  return into;
}

/**
 * Bytes as a string with one char per byte (code points 0–255).
 *
 * @param b The bytes.
 * @returns The latin1 string.
 */
export function latin1(b: Uint8Array): string {
  let s = "";
  for (let i = 0; i < b.length; i += 4096) {
    s += String.fromCharCode(...b.subarray(i, i + 4096));
  }
  return s;
}

/**
 * The GPT-2 byte → unicode table (`bytes_to_unicode` in GPT-2's `encoder.py`): printable bytes
 * map to themselves, the other 68 to code points 256 upwards in byte order.
 *
 * @returns 256 single-character strings indexed by byte.
 */
export function bytesToUnicode(): string[] {
  const out: string[] = new Array(256);
  let n = 0;
  for (let b = 0; b < 256; b++) {
    const printable = (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174 && b <= 255);
    out[b] = String.fromCodePoint(printable ? b : 256 + n++);
  }
  return out;
}

/**
 * Decodes a byte-level (GPT-2 mapped) token string to its bytes.
 *
 * @example
 * ```ts
 * import { byteLevelDecoder } from "./pretokenize.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * assertEquals(byteLevelDecoder()("Ġthe"), new Uint8Array([32, 116, 104, 101]));
 * ```
 * @returns A function from token string to bytes, or undefined for a char outside the table.
 */
export function byteLevelDecoder(): (s: string) => Uint8Array | undefined {
  const inv = new Map<string, number>();
  bytesToUnicode().forEach((c, b) => inv.set(c, b));
  return (s: string) => {
    const out: number[] = [];
    for (const c of s) {
      const b = inv.get(c);
      if (b === undefined) return undefined;
      out.push(b);
    }
    return new Uint8Array(out);
  };
}
