/**
 * The exponential mixing law of Data Mixing Laws (Ye et al., 2024, arXiv:2403.16952, §3):
 * `L(r) = exp(a) + exp(b + tᵀr)`, and Olmix's log-linear form `exp(a) + exp(tᵀr)` (Chen et al.,
 * 2026, arXiv:2602.12237; b absorbed into t since Σr = 1). Fitted as the reference code does:
 * Huber loss summed over runs, L-BFGS with a strong-Wolfe line search from a grid of starts, the
 * best start kept (methods.md §3 and §15).
 *
 * The optimiser path follows the reference's: `steps` outer rounds (its `max_step`) of at most
 * `iterationsPerStep` L-BFGS iterations (its `max_iter`), the L-BFGS memory kept across rounds
 * as PyTorch's `LBFGS.step` keeps it (numerics/optim/lbfgs.ts `lbfgsSession`).
 *
 * Non-convergence: with n ≈ 2m parameters per law (Olmix's 64-domain superswarm: 65
 * parameters, 32–128 runs) neither the reference nor this fit reaches a stationary point
 * within its rounds; the methods.md §23 audit found that thousands more iterations move both to
 * a worse held-out fit. The round budget therefore acts as an (unstated, in the reference)
 * early-stopping regulariser; this module keeps the reference's budget (DML 50 × 20, Olmix
 * 100 × 20) rather than iterating to convergence, and reports on each law whether the gradient
 * tolerance was reached (`converged`).
 *
 * Departures: the reference optimises every start of its grid (6000 for DML, 300 for Olmix);
 * here every start's loss is evaluated and only the `refine` best starts (default 8) are
 * optimised (`refine: Infinity` restores the full grid; the README's "Per-metric laws" section
 * reports the measured effect). The line search is Nocedal and Wright's strong-Wolfe search
 * with a unit first trial step, not PyTorch's (lr 0.01 first trial, 25 evaluations per round),
 * and the arithmetic is float64 (the reference: float32). `restartEachStep: true` gives the
 * earlier mixbench path (memory cleared every round).
 *
 * Warm starts (issue 11, the fast mode of `dml` and `olmix`; not in the reference): `warm` laws
 * are refined before the screened starts (for `warmSteps` rounds, by default the full budget),
 * `grid` replaces the drawn grid by given starts (an earlier fit's `shortlist`, the best screened
 * starts it kept), and `refine: 0` draws no grid. Without these options the fit is the one
 * described above, bit for bit.
 *
 * Speed, with the same arithmetic (tests/methods/exp_law_test.ts checks bit-identical laws
 * against tests/methods/_exp_law_reference.ts, the transcription used before): the screening
 * visits the starts in the order of their loss on the first eight runs and stops a start's sum as
 * soon as it exceeds the `refine`-th best full loss so far (a sum of non-negative terms never
 * decreases), which selects the same starts in the same order; the objective's two
 * matrix–vector products run in WebAssembly SIMD with the reference's summation order
 * (numerics/linalg/ordered_matvec.ts); the start grid's buffers are reused across fits.
 *
 * @module
 */

import { huber } from "../numerics/stats/huber.ts";
import { lbfgsSession } from "../numerics/optim/lbfgs.ts";
import { type OrderedMatVec, orderedMatVec } from "../numerics/linalg/ordered_matvec.ts";
import type { Rng } from "../numerics/rng.ts";
import type { Mixture } from "../core/types.ts";

/** Fitted parameters of an exponential law. */
export interface ExpLaw {
  /** log c: the asymptote is exp(a). */
  readonly a: number;
  /** log k (0 in the Olmix form). */
  readonly b: number;
  /** Per-domain exponents. */
  readonly t: readonly number[];
  /** Huber loss (sum) at the fitted parameters. */
  readonly loss: number;
  /** Whether L-BFGS reached its gradient tolerance (1e-6) within the rounds. */
  readonly converged: boolean;
  /**
   * With the `shortlist` option: the best screened starts (rows of [a, b, t…], best first), a
   * later fit's `grid`.
   */
  readonly shortlist?: Float64Array;
}

/** Options of {@linkcode fitExpLaw}. */
export interface ExpLawOptions {
  /** Whether b is free (DML) or fixed at 0 (Olmix log-linear). @default {true} */
  withB?: boolean;
  /** Huber δ. @default {0.05} (DML mixing law; Olmix uses 0.02) */
  delta?: number;
  /** Grid of a = log c starts. @default {linspace(−2, 1.5, 10)} */
  aGrid?: readonly number[];
  /** Grid of b = log k starts (ignored without b). @default {linspace(−10, 1, 20)} */
  bGrid?: readonly number[];
  /** Random t starts per (a, b). @default {30} */
  tStarts?: number;
  /** Index of the domain the metric belongs to (its t start is −U(0,1)); −1 for none. @default {-1} */
  own?: number;
  /** Outer L-BFGS rounds per start (the reference's max_step). @default {50} */
  steps?: number;
  /** L-BFGS iterations per round (the reference's max_iter). @default {20} */
  iterationsPerStep?: number;
  /** Starts optimised after screening the grid by their initial loss. @default {8} */
  refine?: number;
  /** Clear the L-BFGS memory at every round (mixbench before methods.md §23). @default {false} */
  restartEachStep?: boolean;
  /**
   * Laws to refine before the screened starts (warm starts, e.g. the previous checkpoint's law of
   * the same metric), in order; their `b` is ignored in the Olmix form. The grid is drawn from
   * `rng` as without them. @default {[]}
   */
  warm?: readonly Pick<ExpLaw, "a" | "b" | "t">[];
  /**
   * Starts to screen instead of drawing the grid (rows of [a, b, t…], e.g. an earlier fit's
   * `shortlist`); `rng` is not used. @default {the grid drawn from rng}
   */
  grid?: Float64Array;
  /** Return the best this many screened starts as the law's `shortlist`. @default {0} */
  shortlist?: number;
  /** Outer L-BFGS rounds of each warm start. @default {steps} */
  warmSteps?: number;
}

/** Predicts with a fitted law. */
export function predictExpLaw(law: Pick<ExpLaw, "a" | "b" | "t">, r: Mixture): number {
  let z = law.b;
  for (let j = 0; j < r.length; j++) z += law.t[j]! * r[j]!;
  return Math.exp(law.a) + Math.exp(z);
}

/**
 * Fits an exponential law to (mixture, loss) pairs.
 *
 * @example
 * ```ts
 * import { fitExpLaw, predictExpLaw } from "./_exp_law.ts";
 * import { Rng } from "../numerics/rng.ts";
 * import { ok } from "node:assert/strict";
 * const xs = [[1, 0], [0.5, 0.5], [0, 1], [0.25, 0.75], [0.75, 0.25]];
 * const ys = xs.map(([p]) => 1 + Math.exp(0.5 - 2 * p!));
 * const law = fitExpLaw(xs, ys, new Rng(0), { refine: 8 });
 * ok(Math.abs(predictExpLaw(law, [0.6, 0.4]) - (1 + Math.exp(0.5 - 1.2))) < 1e-3);
 * ```
 * @param xs Mixtures.
 * @param ys Loss-like values (lower is better).
 * @param rng Random stream for the t starts.
 * @param options Form, Huber δ, start grid and effort.
 * @returns The best fit.
 */
export function fitExpLaw(
  xs: readonly Mixture[],
  ys: readonly number[],
  rng: Rng,
  options: ExpLawOptions = {},
): ExpLaw {
  const withB = options.withB ?? true;
  const delta = options.delta ?? 0.05;
  const aGrid = options.aGrid ?? linspace(-2, 1.5, 10);
  const bGrid = withB ? options.bGrid ?? linspace(-10, 1, 20) : [0];
  const tStarts = options.tStarts ?? 30;
  const own = options.own ?? -1;
  const steps = options.steps ?? 50;
  const warmSteps = options.warmSteps ?? steps;
  const perStep = options.iterationsPerStep ?? 20;
  const refine = options.refine ?? 8;
  const m = xs[0]!.length;
  const p = m + 2;
  if (!(delta > 0 && delta < Infinity)) huber(0, delta); // the same error as huber() gives
  const data = lawData(xs, ys, withB, delta);
  const fg = (theta: Float64Array, grad: Float64Array): number =>
    lossAndGradient(data, theta, grad);

  // The grid, in the reference's order (a slowest, then b, then the random t draws); not drawn
  // when no screened start is refined (refine 0: warm starts only).
  const shortlist = options.shortlist ?? 0;
  const given = options.grid;
  if (given && given.length % p !== 0) {
    throw new RangeError(`Start grid of ${given.length} values is not made of rows of ${p}`);
  }
  const perAB = tStarts > 0 && Math.max(refine, shortlist) !== 0 && !given ? Math.ceil(tStarts) : 0; // the loop's iterations
  const count = given ? given.length / p : aGrid.length * bGrid.length * perAB;
  const starts = given ?? scratchStarts(count * p);
  if (!given) drawGrid(starts, rng, { aGrid, bGrid, perAB, m, own });
  // The best max(refine, shortlist) in order; its first `refine` are the best `refine`.
  const ranked = screen(data, starts, count, Math.max(refine, shortlist));
  const screened = ranked.slice(0, refine);
  const warm = (options.warm ?? []).map((law) => {
    if (law.t.length !== m) {
      throw new RangeError(`Warm-start law has ${law.t.length} exponents for ${m} domains`);
    }
    return Float64Array.of(law.a, withB ? law.b : 0, ...law.t);
  });

  const scratch = new Float64Array(p);
  const restart = options.restartEachStep ?? false;
  let best: ExpLaw | undefined;
  for (const start of [...warm, ...screened]) {
    let cur: Float64Array = typeof start === "number"
      ? starts.slice(start * p, start * p + p)
      : start;
    let curLoss = fg(cur, scratch);
    // A warm start whose loss is not finite on these runs is dropped (screened starts are finite).
    if (typeof start !== "number" && !Number.isFinite(curLoss)) continue;
    let converged = false;
    let session = lbfgsSession(fg, cur);
    const rounds = typeof start === "number" ? steps : warmSteps;
    for (let s = 0; s < rounds; s++) {
      if (restart && s > 0) session = lbfgsSession(fg, cur);
      const r = session.run(perStep);
      if (!(r.value < curLoss) || !Number.isFinite(r.value)) break;
      converged = r.converged && r.message.startsWith("Gradient");
      cur = r.x;
      curLoss = r.value;
      if (converged) break;
    }
    if (!best || curLoss < best.loss) {
      best = {
        a: cur[0]!,
        b: withB ? cur[1]! : 0,
        t: Array.from(cur.subarray(2)),
        loss: curLoss,
        converged,
      };
    }
  }
  if (!best) {
    throw new RangeError("Cannot fit the exponential law: every start gave a non-finite loss");
  }
  if (shortlist > 0) {
    const kept = ranked.slice(0, shortlist);
    const rows = new Float64Array(kept.length * p);
    kept.forEach((k, i) => rows.set(starts.subarray(k * p, k * p + p), i * p));
    best = { ...best, shortlist: rows };
  }
  return best;
}

/**
 * Writes the start grid into `starts`, in the reference's order (a slowest, then b, then the
 * random t draws): per start [a, b, t…] with t_j = 0.1·u_j and t_own = −u_own for m draws u of
 * `rng.next()`. Its own function, with a branch-free scaling loop: inlined in `fitExpLaw` the loop
 * ran several times slower.
 */
function drawGrid(
  starts: Float64Array,
  rng: Rng,
  g: { aGrid: readonly number[]; bGrid: readonly number[]; perAB: number; m: number; own: number },
): void {
  const { aGrid, bGrid, perAB, m, own } = g;
  const p = m + 2;
  const hasOwn = own >= 0 && own < m;
  let at = 0;
  for (let ai = 0; ai < aGrid.length; ai++) {
    const a = aGrid[ai]!;
    for (let bi = 0; bi < bGrid.length; bi++) {
      const b = bGrid[bi]!;
      for (let s = 0; s < perAB; s++, at += p) {
        starts[at] = a;
        starts[at + 1] = b;
        drawStart(starts, rng, at + 2, at + p, hasOwn ? own : -1);
      }
    }
  }
}

/**
 * One start's t: m draws of `rng.next()` into `starts[from..to)`, scaled by 0.1, the own entry
 * (`own` ≥ 0) by −1 instead. A function of its own: as the innermost loop of `drawGrid`'s nest,
 * V8's on-stack replacement left its optimised code at every exit of the loop (hundreds of times
 * per cell).
 */
function drawStart(starts: Float64Array, rng: Rng, from: number, to: number, own: number): void {
  rng.fill(starts, from, to); // the draws of m calls of rng.next()
  const u = own >= 0 ? starts[from + own]! : 0;
  for (let k = from; k < to; k++) starts[k] = 0.1 * starts[k]!;
  if (own >= 0) starts[from + own] = -u;
}

/**
 * The runs of one fit laid out for the kernels: for the screening, full blocks of four runs
 * interleaved (`blocks[4·(q·m + j) + k]` = x of run 4q + k, domain j) and the remaining runs
 * row-major; for the optimisation, the matrix–vector products.
 */
interface LawData {
  readonly n: number;
  readonly m: number;
  readonly withB: boolean;
  readonly delta: number;
  readonly y: Float64Array;
  readonly blocks: Float64Array;
  /** Runs in full blocks (a multiple of 4). */
  readonly nb: number;
  /** x of runs nb…n−1, row-major. */
  readonly tail: Float64Array;
  /** X·t and Xᵀ·w in the reference's summation order. */
  readonly mv: OrderedMatVec;
  /** Scratch: exponents and gradient weights per run. */
  readonly z: Float64Array;
  readonly w: Float64Array;
}

function lawData(
  xs: readonly Mixture[],
  ys: readonly number[],
  withB: boolean,
  delta: number,
): LawData {
  const n = xs.length, m = xs[0]!.length;
  const nb = n - (n % 4);
  const blocks = new Float64Array(nb * m);
  for (let i = 0; i < nb; i++) {
    const r = xs[i]!, q = i >> 2, k = i & 3;
    for (let j = 0; j < m; j++) blocks[4 * (q * m + j) + k] = r[j]!;
  }
  const tail = new Float64Array((n - nb) * m);
  for (let i = nb; i < n; i++) tail.set(xs[i]!, (i - nb) * m);
  const mv = orderedMatVec(xs);
  const z = new Float64Array(n), w = new Float64Array(n);
  return { n, m, withB, delta, y: Float64Array.from(ys), blocks, nb, tail, mv, z, w };
}

/**
 * The Huber loss summed over runs and its gradient. The arithmetic is the reference's, operation
 * for operation (tests/methods/_exp_law_reference.ts): each run's exponent is summed over the
 * domains in order, the loss and each gradient entry are summed over the runs in order. The two
 * matrix–vector products run in numerics/linalg/ordered_matvec.ts (WebAssembly SIMD, the same
 * sums in the same order).
 */
function lossAndGradient(d: LawData, theta: Float64Array, grad: Float64Array): number {
  const { n, delta, y, z, w } = d;
  const a = theta[0]!, b = d.withB ? theta[1]! : 0;
  const ea = Math.exp(a);
  d.mv.times(theta, 2, b, z);
  // The exponentials first, in a loop of their own (its calls overlap; with the loss's branches
  // in the same loop they did not), then the same arithmetic as before on them.
  for (let i = 0; i < n; i++) z[i] = Math.exp(z[i]!);
  let loss = 0, g0 = 0, g1 = 0;
  for (let i = 0; i < n; i++) {
    const ez = z[i]!;
    const res = ea + ez - y[i]!;
    const abs = Math.abs(res);
    loss += abs <= delta ? 0.5 * res * res : delta * (abs - 0.5 * delta);
    const h = res > delta ? delta : res < -delta ? -delta : res;
    g0 += h * ea;
    g1 += h * ez;
    w[i] = h * ez;
  }
  d.mv.transposeTimes(w, grad, 2);
  grad[0] = g0;
  grad[1] = d.withB ? g1 : 0;
  return loss;
}

/**
 * Adds the Huber losses of the runs in blocks `from`…`to − 1` (runs 4·from…4·to − 1) to
 * `loss`, in run order, stopping early once the sum exceeds `bound` (the terms are ≥ 0 and a
 * rounded sum of non-negative terms never decreases, so the full sum would exceed it too).
 */
function blockLoss(
  d: LawData,
  starts: Float64Array,
  at: number,
  from: number,
  to: number,
  loss: number,
  bound: number,
): number {
  const { m, delta, y, blocks } = d;
  const ea = Math.exp(starts[at]!), b = d.withB ? starts[at + 1]! : 0;
  for (let blk = from; blk < to; blk++) {
    const i = 4 * blk;
    let z0 = b, z1 = b, z2 = b, z3 = b;
    for (let j = 0, q = i * m, s = at + 2; j < m; j++, q += 4, s++) {
      const t = starts[s]!;
      z0 += t * blocks[q]!;
      z1 += t * blocks[q + 1]!;
      z2 += t * blocks[q + 2]!;
      z3 += t * blocks[q + 3]!;
    }
    loss += huberValue(ea + Math.exp(z0) - y[i]!, delta);
    loss += huberValue(ea + Math.exp(z1) - y[i + 1]!, delta);
    loss += huberValue(ea + Math.exp(z2) - y[i + 2]!, delta);
    loss += huberValue(ea + Math.exp(z3) - y[i + 3]!, delta);
    if (loss > bound) return loss;
  }
  return loss;
}

/**
 * `blockLoss(d, starts, at, 0, 2, 0, Infinity)` (the first eight runs) with the eight exponents
 * summed in one pass over the domains: eight independent sums, each in domain order, then the
 * eight Huber losses added in run order, as there.
 */
function headLoss(d: LawData, starts: Float64Array, at: number): number {
  const { m, delta, y, blocks } = d;
  const ea = Math.exp(starts[at]!), b = d.withB ? starts[at + 1]! : 0;
  let z0 = b, z1 = b, z2 = b, z3 = b, z4 = b, z5 = b, z6 = b, z7 = b;
  for (let j = 0, q = 0, r = 4 * m, s = at + 2; j < m; j++, q += 4, r += 4, s++) {
    const t = starts[s]!;
    z0 += t * blocks[q]!;
    z1 += t * blocks[q + 1]!;
    z2 += t * blocks[q + 2]!;
    z3 += t * blocks[q + 3]!;
    z4 += t * blocks[r]!;
    z5 += t * blocks[r + 1]!;
    z6 += t * blocks[r + 2]!;
    z7 += t * blocks[r + 3]!;
  }
  let loss = 0;
  loss += huberValue(ea + Math.exp(z0) - y[0]!, delta);
  loss += huberValue(ea + Math.exp(z1) - y[1]!, delta);
  loss += huberValue(ea + Math.exp(z2) - y[2]!, delta);
  loss += huberValue(ea + Math.exp(z3) - y[3]!, delta);
  loss += huberValue(ea + Math.exp(z4) - y[4]!, delta);
  loss += huberValue(ea + Math.exp(z5) - y[5]!, delta);
  loss += huberValue(ea + Math.exp(z6) - y[6]!, delta);
  loss += huberValue(ea + Math.exp(z7) - y[7]!, delta);
  return loss;
}

/** The Huber losses of the runs after the full blocks, added in order. */
function tailLoss(d: LawData, starts: Float64Array, at: number, loss: number): number {
  const { m, delta, y, tail, nb } = d;
  const ea = Math.exp(starts[at]!), b = d.withB ? starts[at + 1]! : 0;
  for (let i = nb, row = 0; i < d.n; i++, row += m) {
    let z = b;
    for (let j = 0; j < m; j++) z += starts[at + 2 + j]! * tail[row + j]!;
    loss += huberValue(ea + Math.exp(z) - y[i]!, delta);
  }
  return loss;
}

/**
 * The `refine` starts with the lowest initial loss, best first (ties in start order), leaving out
 * non-finite losses: the reference's "evaluate every start, stable-sort, keep the first
 * `refine`". For an integer `refine` below the number of starts, starts are visited in the order
 * of their loss on the first two blocks of runs, and a start's sum stops as soon as it exceeds the
 * `refine`-th best full loss found so far; the selection is the same.
 */
function screen(d: LawData, starts: Float64Array, count: number, refine: number): number[] {
  const p = d.m + 2;
  const blocksAll = d.nb >> 2;
  const full = (k: number, bound: number) => {
    const loss = blockLoss(d, starts, k * p, 0, blocksAll, 0, bound);
    return loss > bound ? loss : tailLoss(d, starts, k * p, loss);
  };
  if (!(Number.isInteger(refine) && refine >= 0 && refine < count)) {
    const all: { index: number; loss: number }[] = [];
    for (let k = 0; k < count; k++) all.push({ index: k, loss: full(k, Infinity) });
    return all.filter((s) => Number.isFinite(s.loss)).sort((u, v) => u.loss - v.loss)
      .slice(0, refine).map((s) => s.index);
  }
  if (refine === 0) return [];
  const head = Math.min(2, blocksAll);
  const partial = scratchPartial(count);
  const heap = scratchOrder(count);
  for (let k = 0; k < count; k++) {
    const v = head === 2
      ? headLoss(d, starts, k * p)
      : blockLoss(d, starts, k * p, 0, head, 0, Infinity);
    partial[k] = Number.isNaN(v) ? Infinity : v; // only orders the visits; NaN sums end non-finite
    heap[k] = k;
  }
  // Visits in (partial, index) order, popped from a binary heap: the loop below usually stops
  // after a small fraction of the starts, so sorting all of them is not needed.
  heapify(heap, partial);
  // The best `refine` so far, sorted by (loss, index).
  const topLoss: number[] = [], topIndex: number[] = [];
  for (let size = count; size > 0;) {
    const k = heap[0]!;
    heap[0] = heap[--size]!;
    siftDown(heap, size, 0, partial);
    const bound = topLoss.length === refine ? topLoss[refine - 1]! : Infinity;
    if (partial[k]! > bound) break; // partial sums only grow, and later starts' are no smaller
    let loss = blockLoss(d, starts, k * p, head, blocksAll, partial[k]!, bound);
    if (loss > bound) continue;
    loss = tailLoss(d, starts, k * p, loss);
    if (!Number.isFinite(loss)) continue;
    let pos = topLoss.length;
    while (
      pos > 0 && (topLoss[pos - 1]! > loss || (topLoss[pos - 1] === loss && topIndex[pos - 1]! > k))
    ) {
      pos--;
    }
    if (pos >= refine) continue;
    topLoss.splice(pos, 0, loss);
    topIndex.splice(pos, 0, k);
    if (topLoss.length > refine) {
      topLoss.pop();
      topIndex.pop();
    }
  }
  return topIndex;
}

// Buffers reused across fits (a DML fit draws 6000 starts; one allocation per fit of several
// megabytes kept the garbage collector busy). Fits never nest, so one set suffices.
let startsBuffer = new Float64Array(0);
let partialBuffer = new Float64Array(0);
let orderBuffer = new Uint32Array(0);

function scratchStarts(size: number): Float64Array {
  if (startsBuffer.length < size) startsBuffer = new Float64Array(size);
  return startsBuffer.subarray(0, size);
}

function scratchPartial(size: number): Float64Array {
  if (partialBuffer.length < size) partialBuffer = new Float64Array(size);
  return partialBuffer.subarray(0, size);
}

/** Whether start u is visited before start v: lower partial loss, then lower index. */
function before(u: number, v: number, key: Float64Array): boolean {
  const ku = key[u]!, kv = key[v]!;
  return ku < kv || (ku === kv && u < v);
}

/** Orders `heap` (start indices) as a binary min-heap under {@linkcode before}. */
function heapify(heap: Uint32Array, key: Float64Array): void {
  for (let i = (heap.length >> 1) - 1; i >= 0; i--) siftDown(heap, heap.length, i, key);
}

/** Restores the heap property below position `i` of `heap[0..size)`. */
function siftDown(heap: Uint32Array, size: number, i: number, key: Float64Array): void {
  const item = heap[i]!;
  for (;;) {
    let c = 2 * i + 1;
    if (c >= size) break;
    if (c + 1 < size && before(heap[c + 1]!, heap[c]!, key)) c++;
    if (!before(heap[c]!, item, key)) break;
    heap[i] = heap[c]!;
    i = c;
  }
  heap[i] = item;
}

function scratchOrder(size: number): Uint32Array {
  if (orderBuffer.length < size) orderBuffer = new Uint32Array(size);
  return orderBuffer.subarray(0, size);
}

function huberValue(r: number, delta: number): number {
  const abs = Math.abs(r);
  return abs <= delta ? 0.5 * r * r : delta * (abs - 0.5 * delta);
}

/** n evenly spaced values from lo to hi inclusive (numpy.linspace). */
export function linspace(lo: number, hi: number, n: number): number[] {
  return Array.from({ length: n }, (_, i) => (n === 1 ? lo : lo + (hi - lo) * i / (n - 1)));
}
