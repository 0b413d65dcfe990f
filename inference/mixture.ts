/**
 * Known mixtures for the inference track: byte budgets per domain, text drawn evenly across each
 * domain's bytes, and seeded random proportions over 3–8 domains.
 *
 * @module
 */

import { Rng } from "../numerics/rng.ts";

/**
 * Takes `total` bytes from `bytes` as `block`-byte pieces spread evenly over it (the first piece
 * at the start), each piece moved forward to the next UTF-8 character start and cut back to the
 * last character start, so that no UTF-8 sequence is split (pieces may be a few bytes short).
 *
 * @example
 * ```ts
 * import { spreadBytes } from "./mixture.ts";
 * import { strictEqual as assertEquals } from "node:assert/strict";
 * const b = new TextEncoder().encode("ab\ncd\nef\ngh\n");
 * assertEquals(new TextDecoder().decode(spreadBytes(b, 6, 3)), "ab\ngh\n");
 * ```
 * @param bytes Source bytes.
 * @param total Bytes wanted (at most bytes.length).
 * @param block Piece size. @default {1024}
 * @returns The pieces joined.
 */
export function spreadBytes(bytes: Uint8Array, total: number, block = 1024): Uint8Array {
  const count = Math.max(0, Math.round(total / block));
  if (count === 0) return new Uint8Array(0);
  const stride = count > 1 ? (bytes.length - block) / (count - 1) : 0;
  const out: number[] = [];
  for (let k = 0; k < count; k++) {
    let s = Math.floor(k * stride), e = Math.min(bytes.length, s + block);
    while (s < e && (bytes[s]! & 0xc0) === 0x80) s++;
    while (e < bytes.length && e > s && (bytes[e]! & 0xc0) === 0x80) e--;
    for (let j = s; j < e; j++) out.push(bytes[j]!);
  }
  return Uint8Array.from(out);
}

/**
 * Every other `piece`-byte block of `bytes` (parity 0: blocks 0, 2, 4, …; 1: blocks 1, 3, …), so
 * that tokenizer training text and category samples are disjoint but spread over the same source.
 *
 * @param bytes Source bytes.
 * @param piece Block size.
 * @param parity 0 or 1.
 * @returns The blocks joined.
 */
export function alternate(bytes: Uint8Array, piece: number, parity: 0 | 1): Uint8Array {
  const parts: Uint8Array[] = [];
  for (let s = parity * piece; s < bytes.length; s += 2 * piece) {
    parts.push(bytes.subarray(s, Math.min(bytes.length, s + piece)));
  }
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/**
 * Every other piece of `bytes`, pieces being at least `piece` bytes long and ending at the next
 * space or newline (parity 0: pieces 0, 2, 4, …; 1: pieces 1, 3, …): a fine interleaving of
 * tokenizer training text and category samples that cuts no word and no UTF-8 sequence, so that
 * both halves follow the source's distribution as closely as disjoint halves can.
 *
 * @example
 * ```ts
 * import { interleave } from "./mixture.ts";
 * import { strictEqual as assertEquals } from "node:assert/strict";
 * const b = new TextEncoder().encode("aa bb\ncc dd ee");
 * assertEquals(new TextDecoder().decode(interleave(b, 1, 2)), "bb\ndd ");
 * ```
 * @param bytes Source bytes.
 * @param parity 0 or 1.
 * @param piece Smallest piece size. @default {128}
 * @returns The pieces joined.
 */
export function interleave(bytes: Uint8Array, parity: 0 | 1, piece = 128): Uint8Array {
  const out = new Uint8Array(bytes.length);
  let o = 0, k = 0;
  for (let s = 0; s < bytes.length; k++) {
    let e = Math.min(bytes.length, s + piece);
    while (e < bytes.length && bytes[e - 1] !== 32 && bytes[e - 1] !== 10) e++;
    if ((k & 1) === parity) {
      out.set(bytes.subarray(s, e), o);
      o += e - s;
    }
    s = e;
  }
  return out.slice(0, o);
}

/**
 * The tokenizer training text of a known mixture: byte budget `total`, domain i contributes
 * α_i · total bytes spread over its source ({@linkcode spreadBytes}).
 *
 * @param sources Source bytes per domain of the mixture (same order as `alpha`).
 * @param alpha Byte proportions.
 * @param total Byte budget.
 * @returns One text per domain (concatenate or count them together).
 */
export function mixtureTexts(
  sources: readonly Uint8Array[],
  alpha: readonly number[],
  total: number,
): string[] {
  const dec = new TextDecoder();
  return sources.map((b, i) => dec.decode(spreadBytes(b, Math.min(b.length, alpha[i]! * total))));
}

/** One known mixture. */
export interface KnownMixture {
  /** Domains in the mixture. */
  readonly domains: readonly string[];
  /** Byte proportions (sum 1). */
  readonly alpha: readonly number[];
}

/**
 * Seeded random mixtures: k uniform in [minK, maxK] domains drawn without replacement, proportions
 * from a flat Dirichlet with a floor of `floor` per domain (renormalised).
 *
 * @param names Domain names.
 * @param count Number of mixtures.
 * @param seed Seed.
 * @param minK Fewest domains. @default {3}
 * @param maxK Most domains. @default {names.length}
 * @param floor Smallest proportion before renormalising. @default {0.02}
 * @returns The mixtures.
 */
export function randomMixtures(
  names: readonly string[],
  count: number,
  seed: number,
  minK = 3,
  maxK: number = names.length,
  floor = 0.02,
): KnownMixture[] {
  const rng = new Rng(seed);
  const out: KnownMixture[] = [];
  for (let j = 0; j < count; j++) {
    const k = minK + rng.int(maxK - minK + 1);
    const chosen = rng.shuffle([...names]).slice(0, k);
    const e = chosen.map(() => -Math.log(1 - rng.next()));
    const se = e.reduce((a, b) => a + b);
    const g = e.map((x) => Math.max(x / se, floor));
    const s = g.reduce((a, b) => a + b);
    out.push({ domains: chosen, alpha: g.map((x) => x / s) });
  }
  return out;
}
