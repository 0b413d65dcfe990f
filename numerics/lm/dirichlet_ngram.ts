/**
 * Count-based byte n-gram models with nested Dirichlet smoothing, the reference models of
 * ../shared/docs/corpus.md §3 (A = 2):
 * P1(c) = (n(c)+1)/(N+256), P2(c|b) = (n(bc)+A·P1(c))/(n(b)+A),
 * P3(c|ab) = (n(abc)+A·P2(c|b))/(n(ab)+A).
 *
 * @example
 * ```ts
 * import { DirichletNgram } from "./dirichlet_ngram.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * const m = new DirichletNgram(2);
 * m.count(new TextEncoder().encode("abababab"));
 * const bits = m.crossEntropy(new TextEncoder().encode("abab"));
 * assertEquals(bits < 2, true);
 * ```
 *
 * @module
 */

/** A bigram (order 2) or trigram (order 3) byte model with Dirichlet smoothing. */
export class DirichletNgram {
  /** 2 or 3. */
  readonly order: 2 | 3;
  /** Smoothing strength A. */
  readonly a: number;
  #n1 = new Float64Array(256);
  #n = 0;
  #n2 = new Float64Array(65536);
  #c2 = new Float64Array(256);
  #n3 = new Map<number, number>();
  #c3 = new Float64Array(65536);

  /**
   * @param order 2 (bigram) or 3 (trigram).
   * @param a Smoothing strength. @default {2}
   */
  constructor(order: 2 | 3, a = 2) {
    this.order = order;
    this.a = a;
  }

  /** Adds the counts of a text (contexts do not cross texts). */
  count(bytes: Uint8Array): void {
    for (let t = 0; t < bytes.length; t++) {
      const c = bytes[t]!;
      this.#n1[c]!++;
      this.#n++;
      if (t >= 1) {
        const b = bytes[t - 1]!;
        this.#n2[(b << 8) | c]!++;
        this.#c2[b]!++;
      }
      if (t >= 2 && this.order === 3) {
        const ab = (bytes[t - 2]! << 8) | bytes[t - 1]!;
        const k = ab * 256 + c;
        this.#n3.set(k, (this.#n3.get(k) ?? 0) + 1);
        this.#c3[ab]!++;
      }
    }
  }

  /** Cross-entropy in bits/byte of a text (the first bytes use the lower orders). */
  crossEntropy(bytes: Uint8Array): number {
    let bits = 0;
    for (let t = 0; t < bytes.length; t++) {
      const c = bytes[t]!;
      let p = (this.#n1[c]! + 1) / (this.#n + 256);
      if (t >= 1) {
        const b = bytes[t - 1]!;
        p = (this.#n2[(b << 8) | c]! + this.a * p) / (this.#c2[b]! + this.a);
      }
      if (t >= 2 && this.order === 3) {
        const ab = (bytes[t - 2]! << 8) | bytes[t - 1]!;
        p = ((this.#n3.get(ab * 256 + c) ?? 0) + this.a * p) / (this.#c3[ab]! + this.a);
      }
      bits -= Math.log2(p);
    }
    return bits / bytes.length;
  }
}
