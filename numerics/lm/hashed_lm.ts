/**
 * A byte-level language model of hashed n-gram contexts, trained with (lazy) Adam.
 *
 * The next byte is factorised into its 8 bits, high bit first (a binary-tree softmax over the
 * 256 byte values, as in the context-mixing compressors of the PAQ family, Mahoney 2005):
 * P(y | ctx) = Π_i σ(±z_i). The logit of bit i is a sum over the context orders k (by default
 * 0 … 4) of one learned weight, looked up in the order's table at a hash of the last k bytes and
 * of the bits of y already known:
 * z_i = Σ_k w_k[h(ctx_k, node_i)]. The model is thus log-linear in hashed n-gram features; its
 * parameters are shared by every domain it is trained on, and the tables are of fixed size, so
 * domains compete for capacity through hash collisions and through shared low-order contexts.
 *
 * Table layout: each order owns 2^bits weights in 16-weight slots. The first nibble's 15 tree
 * nodes live in the slot of h(ctx_k); the second nibble's in the slot of h(ctx_k, high nibble).
 * In memory a slot is one 256-byte record: its 16 weights, their 16 accumulated gradients, then
 * their 16 first and 16 second Adam moments, so everything a byte reads and writes in one slot
 * (forward, backward and the lazy Adam step) lies in four consecutive cache lines.
 * Node 0 of a slot is never a tree node: its gradient cell holds the bit mask of the slot's nodes
 * with a gradient in the current batch, and a list of touched slots drives the lazy Adam step.
 * Weight j (slot j >> 4, node j & 15) is addressed as {@linkcode HashedLm.weight}.
 *
 * Optimiser: Adam (Kingma and Ba, 2015) with bias correction, applied lazily: only weights with a
 * gradient in the batch are updated and only their moments decay (the "LazyAdam" of TensorFlow
 * Addons), since a dense update of millions of weights per step would dominate the cost. The loss
 * is the mean over the batch's predicted bytes of −log P(y | ctx), in nats.
 *
 * @example
 * ```ts
 * import { HashedLm } from "./hashed_lm.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * const lm = new HashedLm({ tableBits: 12 });
 * const text = new TextEncoder().encode("abababababababab");
 * const before = lm.loss(text, 0, text.length);
 * for (let s = 0; s < 20; s++) {
 *   lm.accumulate(text, 0, text.length);
 *   lm.adamStep(0.1, 1 / text.length);
 * }
 * assertEquals(lm.loss(text, 0, text.length) < before / 2, true);
 * ```
 *
 * @module
 */

import { fmix32 } from "../rng.ts";

/** Options of {@linkcode HashedLm}. */
export interface HashedLmOptions {
  /** log2 of each order's table size (≥ 8). */
  tableBits: number;
  /** Context orders (bytes of context), each with its own table. @default {[0, 1, 2, 3, 4]} */
  orders?: readonly number[];
  /** Adam β₁. @default {0.9} */
  beta1?: number;
  /** Adam β₂. @default {0.99} */
  beta2?: number;
  /** Adam ε. @default {1e-8} */
  epsilon?: number;
}

const LN2 = Math.LN2;

const fmix = fmix32;

/** The hashed byte model with its Adam state. */
export class HashedLm {
  /**
   * Per slot, 64 floats: 16 weights, their 16 accumulated gradients (sums over predicted bytes),
   * 16 Adam first moments, 16 second moments.
   */
  readonly data: Float32Array;
  /** Context orders. */
  readonly orders: readonly number[];
  /** log2 of each order's table size. */
  readonly tableBits: number;
  #b1: number;
  #b2: number;
  #eps: number;
  #t = 0;
  #touched: Int32Array;
  #nTouched = 0;
  #ctxMask: Uint32Array;
  #salt: Uint32Array;
  #base: Int32Array;
  #slotMask: number;
  #a: Int32Array;
  #b: Int32Array;
  #size: number;

  /** @param options Table size, orders and Adam constants. */
  constructor(options: HashedLmOptions) {
    const bits = options.tableBits;
    if (!Number.isInteger(bits) || bits < 8 || bits > 26) {
      throw new RangeError(`HashedLm: tableBits must be an integer in 8 … 26, got "${bits}"`);
    }
    const orders = options.orders ?? [0, 1, 2, 3, 4];
    if (orders.length === 0 || orders.some((k) => !Number.isInteger(k) || k < 0 || k > 4)) {
      throw new RangeError(`HashedLm: orders must be integers in 0 … 4, got "${orders}"`);
    }
    this.orders = [...orders];
    this.tableBits = bits;
    const size = orders.length << bits;
    this.#size = size;
    this.data = new Float32Array(4 * size);
    this.#touched = new Int32Array(1024);
    this.#b1 = options.beta1 ?? 0.9;
    this.#b2 = options.beta2 ?? 0.99;
    this.#eps = options.epsilon ?? 1e-8;
    const n = orders.length;
    this.#ctxMask = new Uint32Array(n);
    this.#salt = new Uint32Array(n);
    this.#base = new Int32Array(n);
    orders.forEach((k, o) => {
      this.#ctxMask[o] = k === 4 ? 0xffffffff : (1 << (8 * k)) - 1;
      this.#salt[o] = fmix(0x9e3779b9 + k) | 1;
      this.#base[o] = o << (bits + 2);
    });
    this.#slotMask = (1 << (bits - 4)) - 1;
    this.#a = new Int32Array(n);
    this.#b = new Int32Array(n);
  }

  /** Number of weights. */
  get size(): number {
    return this.#size;
  }

  /** Weight j. */
  weight(j: number): number {
    return this.data[4 * (j & ~15) + (j & 15)]!;
  }

  /** Sets weight j. */
  setWeight(j: number, x: number): void {
    this.data[4 * (j & ~15) + (j & 15)] = x;
  }

  /** Accumulated gradient of weight j (node j & 15 ≠ 0; node 0 of a slot is bookkeeping). */
  gradient(j: number): number {
    return this.data[4 * (j & ~15) + 16 + (j & 15)]!;
  }

  /** Adam steps taken. */
  get steps(): number {
    return this.#t;
  }

  /**
   * Forward (and, when `train`, backward) over bytes [start, end) of `bytes`; the context before
   * `start` is zero bytes. Returns the summed loss in nats.
   */
  #run(bytes: Uint8Array, start: number, end: number, train: boolean): number {
    const wg = this.data;
    const n = this.orders.length;
    const ctxMask = this.#ctxMask, salt = this.#salt, base = this.#base;
    const slotMask = this.#slotMask;
    const a = this.#a, b = this.#b;
    let ctx = 0;
    let loss = 0;
    let touched = this.#touched;
    let nt = this.#nTouched;
    if (train && touched.length < nt + (end - start) * 2 * n) {
      const grown = new Int32Array(Math.max(touched.length * 2, nt + (end - start) * 2 * n));
      grown.set(touched.subarray(0, nt));
      touched = this.#touched = grown;
    }
    for (let t = start; t < end; t++) {
      const y = bytes[t]!;
      const hi = Math.imul((y >>> 4) + 1, 0x6b43a9b5);
      for (let o = 0; o < n; o++) {
        const h = fmix(Math.imul((ctx & ctxMask[o]!) >>> 0, salt[o]!) ^ salt[o]!);
        a[o] = base[o]! + ((h & slotMask) << 6);
        // Multiply-shift hash of (h, high nibble) for the second slot.
        b[o] = base[o]! + (((Math.imul(h ^ hi, 0x9e3779b1) >>> 12) & slotMask) << 6);
      }
      let node = 1;
      let prob = 1;
      // Bit masks of the tree nodes visited in each nibble's slots (the same in every order).
      let visited = 0;
      for (let i = 7; i >= 0; i--) {
        const slot = i >= 4 ? a : b;
        if (i === 3) node = 1;
        let z = 0;
        for (let o = 0; o < n; o++) z += wg[slot[o]! + node]!;
        const bit = (y >>> i) & 1;
        const p1 = 1 / (1 + Math.exp(-z));
        prob *= bit ? p1 : 1 - p1;
        if (train) {
          const d = p1 - bit;
          for (let o = 0; o < n; o++) {
            const q = slot[o]! + 16 + node;
            wg[q] = wg[q]! + d;
          }
          visited |= 1 << node;
          if (i === 4 || i === 0) {
            // Mark the nibble's nodes in each slot once; list a slot the first time it is marked.
            for (let o = 0; o < n; o++) {
              const sp = slot[o]!;
              const mask = wg[sp + 16]!;
              if (mask === 0) touched[nt++] = sp;
              wg[sp + 16] = mask | visited;
            }
            visited = 0;
          }
        }
        node = (node << 1) | bit;
      }
      // P(y) ≥ σ(−|z|)^8 > 0 for finite weights; one log per byte.
      loss -= Math.log(prob);
      ctx = ((ctx << 8) | y) >>> 0;
    }
    this.#nTouched = nt;
    return loss;
  }

  /**
   * Loss of bytes [start, end) (context before `start` is zero bytes), in nats summed over bytes.
   *
   * @param bytes The text.
   * @param start First predicted byte.
   * @param end One past the last predicted byte.
   * @returns Σ −ln P(y_t | ctx_t).
   */
  loss(bytes: Uint8Array, start: number, end: number): number {
    return this.#run(bytes, start, end, false);
  }

  /**
   * Adds the gradient of the summed loss of bytes [start, end) to {@linkcode HashedLm.g}.
   *
   * @returns The summed loss (nats) before the update.
   */
  accumulate(bytes: Uint8Array, start: number, end: number): number {
    return this.#run(bytes, start, end, true);
  }

  /** Weights with an accumulated gradient since the last step (weight indices, a copy). */
  touched(): Int32Array {
    const out: number[] = [];
    for (let k = 0; k < this.#nTouched; k++) {
      const sp = this.#touched[k]!;
      const mask = this.data[sp + 16]!;
      for (let node = 1; node < 16; node++) if (mask & (1 << node)) out.push((sp >>> 2) | node);
    }
    return Int32Array.from(out);
  }

  /** Clears the accumulated gradient without stepping. */
  clearGradient(): void {
    const wg = this.data, touched = this.#touched;
    for (let k = 0; k < this.#nTouched; k++) {
      const sp = touched[k]!;
      for (let q = 16; q < 32; q++) wg[sp + q] = 0;
    }
    this.#nTouched = 0;
  }

  /**
   * One lazy Adam step on the accumulated gradient times `scale` (e.g. 1 / bytes in the batch),
   * then clears it.
   *
   * @param lr Learning rate of this step.
   * @param scale Factor applied to the accumulated gradient.
   */
  adamStep(lr: number, scale: number): void {
    const t = ++this.#t;
    const b1 = this.#b1, b2 = this.#b2, eps = this.#eps;
    const step = lr * Math.sqrt(1 - Math.pow(b2, t)) / (1 - Math.pow(b1, t));
    const epsHat = eps * Math.sqrt(1 - Math.pow(b2, t));
    const d = this.data;
    const touched = this.#touched;
    for (let k = 0; k < this.#nTouched; k++) {
      const sp = touched[k]!;
      let mask = d[sp + 16]! | 0;
      d[sp + 16] = 0;
      // Visit the set bits of the mask, lowest first (the same order as a scan of nodes 1 … 15).
      while (mask !== 0) {
        const low = mask & -mask;
        mask ^= low;
        const p = sp + 31 - Math.clz32(low);
        const gj = d[p + 16]! * scale;
        d[p + 16] = 0;
        const mj = b1 * d[p + 32]! + (1 - b1) * gj;
        const vj = b2 * d[p + 48]! + (1 - b2) * gj * gj;
        d[p + 32] = mj;
        d[p + 48] = vj;
        d[p] = d[p]! - step * mj / (Math.sqrt(vj) + epsHat);
      }
    }
    this.#nTouched = 0;
  }

  /**
   * Sets the weights to Σ_d c_d · (weights of `states[d]`), in the order of `states`, skipping
   * zero coefficients; gradients are cleared and moments left as they are. This is the parameter
   * average of model merging.
   *
   * @param states Checkpoints of models of this shape.
   * @param coefficients One factor per checkpoint.
   * @throws {RangeError} When the shapes or counts differ.
   */
  setWeightedSum(states: readonly HashedLmState[], coefficients: readonly number[]): void {
    if (states.length !== coefficients.length) {
      throw new RangeError(
        `HashedLm: ${states.length} checkpoints but ${coefficients.length} coefficients`,
      );
    }
    for (const s of states) {
      if (s.data.length !== this.data.length) {
        throw new RangeError(
          `HashedLm: checkpoint has ${s.data.length / 4} weights, the model ${this.#size}`,
        );
      }
    }
    this.clearGradient();
    const data = this.data;
    for (let sp = 0; sp < data.length; sp += 64) data.fill(0, sp, sp + 16);
    states.forEach((s, d) => {
      const c = coefficients[d]!;
      if (c === 0) return;
      const e = s.data;
      for (let sp = 0; sp < data.length; sp += 64) {
        for (let q = sp; q < sp + 16; q++) data[q] = data[q]! + c * e[q]!;
      }
    });
  }

  /** A copy of the weights, moments and step count (for checkpoint/restore; clears the gradient). */
  checkpoint(): HashedLmState {
    this.clearGradient();
    return { data: this.data.slice(), t: this.#t };
  }

  /**
   * Restores a checkpoint taken from a model of the same shape; clears the gradient.
   *
   * @throws {RangeError} When the shapes differ.
   */
  restore(state: HashedLmState): void {
    if (state.data.length !== this.data.length) {
      throw new RangeError(
        `HashedLm: checkpoint has ${state.data.length / 4} weights, the model ${this.#size}`,
      );
    }
    this.clearGradient();
    this.data.set(state.data);
    this.#t = state.t;
  }
}

/** A saved model state. */
export interface HashedLmState {
  /** Per slot: weights, (zero) gradients, Adam first and second moments (as HashedLm.data). */
  readonly data: Float32Array;
  /** Adam steps taken. */
  readonly t: number;
}

/** Nats to bits. */
export function natsToBits(nats: number): number {
  return nats / LN2;
}

/** Options of {@linkcode warmupCosine}. */
export interface ScheduleOptions {
  /** Peak learning rate. */
  peak: number;
  /** Warm-up steps (linear from peak / warmup to peak). */
  warmup: number;
  /** Total steps. */
  total: number;
  /** Final learning rate as a fraction of the peak. @default {0.1} */
  finalFraction?: number;
}

/**
 * Learning rate at step s (0-based): linear warm-up, then cosine decay to
 * `finalFraction · peak` at the last step.
 *
 * @example
 * ```ts
 * import { warmupCosine } from "./hashed_lm.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * const o = { peak: 1, warmup: 2, total: 10, finalFraction: 0 };
 * assertEquals(warmupCosine(0, o), 0.5);
 * assertEquals(warmupCosine(1, o), 1);
 * assertEquals(warmupCosine(9, o), 0);
 * ```
 */
export function warmupCosine(s: number, o: ScheduleOptions): number {
  if (s < o.warmup) return o.peak * (s + 1) / o.warmup;
  const f = o.finalFraction ?? 0.1;
  const span = Math.max(1, o.total - 1 - o.warmup);
  const x = Math.min(1, (s - o.warmup) / span);
  return o.peak * (f + (1 - f) * 0.5 * (1 + Math.cos(Math.PI * x)));
}
