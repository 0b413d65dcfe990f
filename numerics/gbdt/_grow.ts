/**
 * Leaf-wise (best-first) growth of one L2 regression tree on pre-binned features, with
 * per-leaf gradient histograms and the subtraction trick (the smaller child's histogram is
 * built from its rows, its sibling's is the parent's minus it). Leaves are numbered as
 * LightGBM numbers them (the left child keeps its parent's number), the best split of a leaf is
 * found by LightGBM's right-to-left scan with ties kept by the first found, and the leaf with
 * the largest gain is split next. Rows are partitioned on column-major bins; histograms are
 * built row by row from precomputed histogram positions.
 *
 * @module
 */

/** Bin indices of every training row, column-major (`bins[f * n + i]`). */
export type BinMatrix = Uint8Array | Uint16Array;

/** Limits on the tree, resolved from the public options. */
export interface GrowLimits {
  numLeaves: number;
  minDataInLeaf: number;
  minSumHessianInLeaf: number;
}

/** A grown tree in bin space; children ≥ 0 are nodes, < 0 are leaves (`~leaf`). */
export interface BinTree {
  numLeaves: number;
  feature: Int32Array;
  bin: Int32Array;
  left: Int32Array;
  right: Int32Array;
  /** −G/H of each leaf (no learning rate applied). */
  leafValue: Float64Array;
}

/** Grows trees on one binned training set; all buffers are allocated once. */
export class TreeGrower {
  readonly #n: number;
  readonly #d: number;
  readonly #bins: BinMatrix;
  readonly #slots: Uint16Array | Int32Array;
  readonly #numBins: Int32Array;
  readonly #offset: Int32Array;
  readonly #limits: GrowLimits;
  readonly #hists: Float64Array[];
  readonly #slot: Int32Array;
  readonly #order: Int32Array;
  readonly #tmp: Int32Array;
  readonly #start: Int32Array;
  readonly #count: Int32Array;
  readonly #sumG: Float64Array;
  readonly #gain: Float64Array;
  readonly #bestFeature: Int32Array;
  readonly #bestBin: Int32Array;
  readonly #bestLeftG: Float64Array;
  readonly #bestLeftC: Float64Array;
  readonly #parent: Int32Array;
  readonly #isLeft: Uint8Array;
  /** The last grown tree (overwritten by the next call to {@linkcode grow}). */
  readonly tree: BinTree;

  /**
   * @param bins Column-major bin indices, `n × numBins.length`.
   * @param numBins Number of bins of each feature.
   * @param limits Tree limits.
   */
  constructor(bins: BinMatrix, numBins: Int32Array, limits: GrowLimits) {
    const d = numBins.length;
    const n = bins.length / Math.max(1, d);
    const L = limits.numLeaves;
    this.#n = n;
    this.#d = d;
    this.#bins = bins;
    this.#numBins = numBins;
    this.#limits = limits;
    this.#offset = new Int32Array(d + 1);
    for (let f = 0; f < d; f++) this.#offset[f + 1] = this.#offset[f]! + 2 * numBins[f]!;
    // Row-major histogram positions (2 · (feature offset + bin)): a row's updates go to d
    // different features, so consecutive rows do not wait on each other's stores.
    const total = this.#offset[d]!;
    this.#slots = total <= 65536 ? new Uint16Array(n * d) : new Int32Array(n * d);
    for (let f = 0; f < d; f++) {
      for (let i = 0; i < n; i++) this.#slots[i * d + f] = this.#offset[f]! + 2 * bins[f * n + i]!;
    }
    this.#hists = Array.from({ length: L }, () => new Float64Array(this.#offset[d]!));
    this.#slot = new Int32Array(L);
    this.#order = new Int32Array(n);
    this.#tmp = new Int32Array(n);
    this.#start = new Int32Array(L);
    this.#count = new Int32Array(L);
    this.#sumG = new Float64Array(L);
    this.#gain = new Float64Array(L);
    this.#bestFeature = new Int32Array(L);
    this.#bestBin = new Int32Array(L);
    this.#bestLeftG = new Float64Array(L);
    this.#bestLeftC = new Float64Array(L);
    this.#parent = new Int32Array(L);
    this.#isLeft = new Uint8Array(L);
    this.tree = {
      numLeaves: 1,
      feature: new Int32Array(L - 1),
      bin: new Int32Array(L - 1),
      left: new Int32Array(L - 1),
      right: new Int32Array(L - 1),
      leafValue: new Float64Array(L),
    };
  }

  /** Row indices ordered by leaf; leaf `l` holds `order[start(l) … start(l) + count(l))`. */
  get order(): Int32Array {
    return this.#order;
  }

  /** First position of leaf `l` in {@linkcode order}. */
  start(l: number): number {
    return this.#start[l]!;
  }

  /** Number of training rows in leaf `l`. */
  count(l: number): number {
    return this.#count[l]!;
  }

  /**
   * Grows one tree on the gradients (hessians are 1: L2 loss) and returns it.
   *
   * @param grad Gradient of every training row.
   * @returns The tree (a view on buffers reused by the next call).
   */
  grow(grad: Float64Array): BinTree {
    const n = this.#n, L = this.#limits.numLeaves, tree = this.tree;
    const order = this.#order;
    for (let i = 0; i < n; i++) order[i] = i;
    let G = 0;
    for (let i = 0; i < n; i++) G += grad[i]!;
    this.#start[0] = 0;
    this.#count[0] = n;
    this.#sumG[0] = G;
    this.#parent[0] = -1;
    this.#slot[0] = 0;
    let leaves = 1;
    if (this.#splittable(n) && L > 1) {
      this.#build(0, grad, 0);
      this.#findBest(0);
    } else {
      this.#gain[0] = -Infinity;
    }
    while (leaves < L) {
      let best = 0;
      for (let l = 1; l < leaves; l++) if (this.#gain[l]! > this.#gain[best]!) best = l;
      if (!(this.#gain[best]! > 0)) break;
      this.#split(best, leaves, leaves - 1, grad, leaves + 1 < L);
      leaves++;
    }
    tree.numLeaves = leaves;
    for (let l = 0; l < leaves; l++) tree.leafValue[l] = -this.#sumG[l]! / this.#count[l]!;
    return tree;
  }

  #splittable(count: number): boolean {
    const { minDataInLeaf, minSumHessianInLeaf } = this.#limits;
    return count >= 2 * minDataInLeaf && count >= 2 * minSumHessianInLeaf;
  }

  /** Splits leaf `l` (node number `node`); the right child becomes leaf `r`. */
  #split(l: number, r: number, node: number, grad: Float64Array, more: boolean): void {
    const tree = this.tree, f = this.#bestFeature[l]!, thr = this.#bestBin[l]!;
    tree.feature[node] = f;
    tree.bin[node] = thr;
    tree.left[node] = ~l;
    tree.right[node] = ~r;
    const p = this.#parent[l]!;
    if (p >= 0) {
      if (this.#isLeft[l]) tree.left[p] = node;
      else tree.right[p] = node;
    }
    this.#parent[l] = node;
    this.#isLeft[l] = 1;
    this.#parent[r] = node;
    this.#isLeft[r] = 0;

    const start = this.#start[l]!, count = this.#count[l]!;
    const order = this.#order, tmp = this.#tmp, bins = this.#bins, base = f * this.#n;
    let nl = 0, nr = 0;
    for (let k = start; k < start + count; k++) {
      const i = order[k]!;
      if (bins[base + i]! <= thr) order[start + nl++] = i;
      else tmp[nr++] = i;
    }
    for (let k = 0; k < nr; k++) order[start + nl + k] = tmp[k]!;
    const G = this.#sumG[l]!, leftG = this.#bestLeftG[l]!;
    this.#count[l] = nl;
    this.#sumG[l] = leftG;
    this.#start[r] = start + nl;
    this.#count[r] = nr;
    this.#sumG[r] = G - leftG;
    this.#gain[l] = -Infinity;
    this.#gain[r] = -Infinity;

    const small = nl <= nr ? l : r, large = nl <= nr ? r : l;
    if (!more || !this.#splittable(this.#count[large]!)) return;
    const parentSlot = this.#slot[l]!;
    this.#slot[small] = r; // slot r is free: slots 0 … r − 1 hold the other leaves
    this.#slot[large] = parentSlot;
    this.#build(small, grad, r);
    const ph = this.#hists[parentSlot]!, sh = this.#hists[r]!;
    for (let j = 0; j < ph.length; j++) ph[j] = ph[j]! - sh[j]!;
    if (this.#splittable(this.#count[small]!)) this.#findBest(small);
    this.#findBest(large);
  }

  /** Fills histogram slot `slot` from the rows of leaf `l`. */
  #build(l: number, grad: Float64Array, slot: number): void {
    const hist = this.#hists[slot]!;
    hist.fill(0);
    const start = this.#start[l]!, end = start + this.#count[l]!, d = this.#d;
    const order = this.#order, slots = this.#slots;
    for (let k = start; k < end; k++) {
      const i = order[k]!, g = grad[i]!, at = i * d;
      for (let f = 0; f < d; f++) {
        const j = slots[at + f]!;
        hist[j] = hist[j]! + g;
        hist[j + 1] = hist[j + 1]! + 1;
      }
    }
  }

  /** Best split of leaf `l` over all features (LightGBM's right-to-left scan, ties → first). */
  #findBest(l: number): void {
    const hist = this.#hists[this.#slot[l]!]!, numBins = this.#numBins, offset = this.#offset;
    const { minDataInLeaf, minSumHessianInLeaf } = this.#limits;
    const minC = Math.max(minDataInLeaf, minSumHessianInLeaf);
    const G = this.#sumG[l]!, C = this.#count[l]!;
    let best = (G * G) / C, bestF = -1, bestBin = 0, bestLG = 0, bestLC = 0;
    const parentGain = best;
    for (let f = 0; f < this.#d; f++) {
      const off = offset[f]!;
      let rg = 0, rc = 0;
      for (let t = numBins[f]! - 1; t >= 1; t--) {
        const j = off + 2 * t;
        rg += hist[j]!;
        rc += hist[j + 1]!;
        if (rc < minC) continue;
        const lc = C - rc;
        if (lc < minC) break;
        const lg = G - rg;
        const gain = (lg * lg) / lc + (rg * rg) / rc;
        if (gain > best) {
          best = gain;
          bestF = f;
          bestBin = t - 1;
          bestLG = lg;
          bestLC = lc;
        }
      }
    }
    this.#gain[l] = bestF < 0 ? -Infinity : best - parentGain;
    this.#bestFeature[l] = bestF;
    this.#bestBin[l] = bestBin;
    this.#bestLeftG[l] = bestLG;
    this.#bestLeftC[l] = bestLC;
  }
}
