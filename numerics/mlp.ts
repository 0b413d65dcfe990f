/**
 * Small multilayer perceptrons and deep ensembles of them, trained with Adam (decoupled weight
 * decay, cosine learning-rate decay) on mixtures, deterministic from a seed. The fitted ensemble
 * keeps float32 weights, so that this file's forward pass and an ONNX runtime's agree to float32
 * rounding; the ensemble spread (standard deviation over members) is the model's own uncertainty.
 *
 * Inputs are the mixture weights, optionally with log features `log(w + ε)`, standardised;
 * the output scaling is folded into the last layer after training.
 *
 * @example Fit a 3-member ensemble to a linear function of 3-domain mixtures
 * ```ts
 * import { fitEnsemble, predictEnsemble } from "./mlp.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * const xs = [[1, 0, 0], [0, 1, 0], [0, 0, 1], [0.5, 0.5, 0], [0, 0.5, 0.5], [0.2, 0.3, 0.5]];
 * const ys = xs.map((w) => [1 + w[0]! - w[2]!]);
 * const ens = fitEnsemble(xs, ys, { members: 3, hidden: [8], epochs: 400, seed: 1 });
 * const { mean } = predictEnsemble(ens, new Float64Array([0.3, 0.3, 0.4]));
 * assertEquals(Math.abs(mean[0]! - 0.9) < 0.1, true);
 * ```
 *
 * @module
 */

import { deriveSeed, Rng } from "./rng.ts";
/** A mixture: weights over domains. */
type Mixture = readonly number[];

/** Hidden-layer activation. */
export type Activation = "tanh" | "silu";

/** Input features computed from a mixture. */
export type Features = "linear" | "linear+log";

/** Options of {@linkcode fitEnsemble}. */
export interface MlpOptions {
  /** Hidden layer widths. @default {[64, 64]} */
  hidden?: readonly number[];
  /** Hidden-layer activation. @default {"silu"} */
  activation?: Activation;
  /** Input features: the weights, or the weights and log(w + ε). @default {"linear+log"} */
  features?: Features;
  /** ε of the log features. @default {1e-3} */
  logEpsilon?: number;
  /** Ensemble members. @default {5} */
  members?: number;
  /** Passes over the data. @default {300} */
  epochs?: number;
  /** Rows per Adam step. @default {32} */
  batchSize?: number;
  /** Peak learning rate (cosine-decayed to 1% of it). @default {1e-3} */
  learningRate?: number;
  /** Decoupled weight decay per step, relative to the learning rate. @default {0.01} */
  weightDecay?: number;
  /**
   * Smallest standard deviation a feature is scaled by: a domain whose weight barely varies in
   * the training runs would otherwise get a huge scale, and mixtures that vary it would give
   * extreme activations (and float32 runtimes lose digits there). @default {0.01}
   */
  minFeatureSd?: number;
  /** Seed of initialisation and batch order. @default {0} */
  seed?: number;
}

/** Every option resolved. */
export type ResolvedMlpOptions = Required<MlpOptions>;

/** Defaults of {@linkcode MlpOptions}. */
export const MLP_DEFAULTS: ResolvedMlpOptions = {
  hidden: [64, 64],
  activation: "silu",
  features: "linear+log",
  logEpsilon: 1e-3,
  members: 5,
  epochs: 300,
  batchSize: 32,
  learningRate: 1e-3,
  weightDecay: 0.01,
  minFeatureSd: 0.01,
  seed: 0,
};

/** One dense layer: `out = in · weight + bias`, weight row-major `[inputs][outputs]`. */
export interface DenseLayer {
  /** Input width. */
  readonly inputs: number;
  /** Output width. */
  readonly outputs: number;
  /** Row-major `[inputs][outputs]` weights (float32 values). */
  readonly weight: Float32Array;
  /** Biases (float32 values). */
  readonly bias: Float32Array;
}

/** A fitted ensemble: members share the feature map and layer widths. */
export interface MlpEnsemble {
  /** Mixture length (domains). */
  readonly inputs: number;
  /** Outputs per row (metrics). */
  readonly outputs: number;
  /** Feature map applied to mixtures. */
  readonly features: Features;
  /** ε of the log features. */
  readonly logEpsilon: number;
  /** Hidden activation. */
  readonly activation: Activation;
  /** Members, each a list of layers (activation between layers, none after the last). */
  readonly members: readonly (readonly DenseLayer[])[];
  /** Subtracted from the features before the first layer (float32 values). */
  readonly featureShift: Float32Array;
  /** Multiplies the shifted features (1 / their standard deviation, float32 values). */
  readonly featureScale: Float32Array;
  /** Added to every member's output (the training targets' mean, float32 values). */
  readonly offset: Float32Array;
}

/** Predictions of an ensemble, row-major `[rows][outputs]`. */
export interface EnsemblePrediction {
  /** Mean over members. */
  readonly mean: Float64Array;
  /** Standard deviation over members (population, divided by the member count). */
  readonly spread: Float64Array;
}

/** Number of features of a feature map over `m` domains. */
export function featureCount(features: Features, m: number): number {
  return features === "linear" ? m : 2 * m;
}

/**
 * Trains an ensemble of MLPs on mixtures with Adam; every member starts from its own seeded
 * initialisation and sees its own batch order. Same inputs and options → identical weights.
 *
 * @param mixtures Training mixtures (each of the same length).
 * @param targets One row of outputs per mixture.
 * @param options Architecture and training settings.
 * @returns The fitted ensemble with float32 weights.
 * @throws {TypeError} When inputs are empty or ragged.
 */
export function fitEnsemble(
  mixtures: readonly Mixture[],
  targets: readonly (readonly number[])[],
  options: MlpOptions = {},
): MlpEnsemble {
  const o: ResolvedMlpOptions = { ...MLP_DEFAULTS, ...options };
  const n = mixtures.length;
  if (n === 0 || targets.length !== n) {
    throw new TypeError(`Cannot fit an MLP on "${n}" mixtures and "${targets.length}" targets`);
  }
  const m = mixtures[0]!.length;
  const k = targets[0]!.length;
  const f = featureCount(o.features, m);
  const x = new Float64Array(n * f);
  const feat = new Float64Array(f);
  for (let r = 0; r < n; r++) {
    if (mixtures[r]!.length !== m || targets[r]!.length !== k) {
      throw new TypeError(`Cannot fit an MLP: row ${r} has a different width`);
    }
    featurize(mixtures[r]!, 0, m, o.features, o.logEpsilon, feat);
    x.set(feat, r * f);
  }
  const [xMean, xScale] = columnScale(x, n, f, o.minFeatureSd);
  const featureShift = Float32Array.from(xMean);
  const featureScale = Float32Array.from(xScale, (s) => 1 / s);
  for (let r = 0; r < n; r++) {
    for (let j = 0; j < f; j++) {
      x[r * f + j] = (x[r * f + j]! - featureShift[j]!) * featureScale[j]!;
    }
  }
  const y = new Float64Array(n * k);
  for (let r = 0; r < n; r++) for (let j = 0; j < k; j++) y[r * k + j] = targets[r]![j]!;
  const [yMean, yScale] = columnScale(y, n, k);
  for (let r = 0; r < n; r++) {
    for (let j = 0; j < k; j++) y[r * k + j] = (y[r * k + j]! - yMean[j]!) / yScale[j]!;
  }
  const widths = [f, ...o.hidden, k];
  const members: DenseLayer[][] = [];
  for (let e = 0; e < o.members; e++) {
    const net = trainMember(x, y, n, widths, o, new Rng(deriveSeed("mlp", o.seed, e)));
    members.push(foldScales(net, yScale));
  }
  return {
    inputs: m,
    outputs: k,
    features: o.features,
    logEpsilon: o.logEpsilon,
    activation: o.activation,
    members,
    featureShift,
    featureScale,
    offset: Float32Array.from(yMean),
  };
}

/**
 * The TypeScript forward pass of an ensemble: mean and spread over members.
 *
 * @param ensemble A fitted ensemble.
 * @param rows Row-major mixtures, `rows.length / ensemble.inputs` of them.
 * @returns Mean and spread, row-major `[rows][outputs]`.
 */
export function predictEnsemble(
  ensemble: MlpEnsemble,
  rows: ArrayLike<number>,
): EnsemblePrediction {
  const m = ensemble.inputs, k = ensemble.outputs, e = ensemble.members.length;
  const n = Math.floor(rows.length / m);
  const f = featureCount(ensemble.features, m);
  const mean = new Float64Array(n * k);
  const spread = new Float64Array(n * k);
  const outs = new Float64Array(e * k);
  const widest = Math.max(f, ...ensemble.members[0]!.map((l) => l.outputs));
  const feat = new Float64Array(f);
  const a = new Float64Array(widest), b = new Float64Array(widest);
  for (let r = 0; r < n; r++) {
    featurize(rows, r * m, m, ensemble.features, ensemble.logEpsilon, feat);
    for (let j = 0; j < f; j++) {
      feat[j] = (feat[j]! - ensemble.featureShift[j]!) * ensemble.featureScale[j]!;
    }
    ensemble.members.forEach((layers, i) => {
      a.set(feat);
      let cur = a, next = b;
      layers.forEach((l, li) => {
        dense(l, cur, next);
        if (li < layers.length - 1) activate(ensemble.activation, next, l.outputs);
        [cur, next] = [next, cur];
      });
      for (let j = 0; j < k; j++) outs[i * k + j] = cur[j]!;
    });
    for (let j = 0; j < k; j++) {
      let s = 0;
      for (let i = 0; i < e; i++) s += outs[i * k + j]!;
      const mu = s / e;
      let v = 0;
      for (let i = 0; i < e; i++) v += (outs[i * k + j]! - mu) ** 2;
      mean[r * k + j] = mu + ensemble.offset[j]!;
      spread[r * k + j] = Math.sqrt(v / e);
    }
  }
  return { mean, spread };
}

/** Writes the features of `rows[offset … offset+m)` into `out`. */
export function featurize(
  rows: ArrayLike<number>,
  offset: number,
  m: number,
  features: Features,
  logEpsilon: number,
  out: Float64Array,
): void {
  for (let j = 0; j < m; j++) out[j] = rows[offset + j]!;
  if (features === "linear+log") {
    for (let j = 0; j < m; j++) out[m + j] = Math.log(rows[offset + j]! + logEpsilon);
  }
}

function dense(l: DenseLayer, input: Float64Array, out: Float64Array): void {
  const w = l.weight, no = l.outputs;
  for (let j = 0; j < no; j++) out[j] = l.bias[j]!;
  for (let i = 0; i < l.inputs; i++) {
    const xi = input[i]!;
    if (xi === 0) continue;
    const base = i * no;
    for (let j = 0; j < no; j++) out[j]! += xi * w[base + j]!;
  }
}

function activate(kind: Activation, v: Float64Array, n: number): void {
  if (kind === "tanh") { for (let i = 0; i < n; i++) v[i] = Math.tanh(v[i]!); }
  else for (let i = 0; i < n; i++) v[i] = v[i]! / (1 + Math.exp(-v[i]!));
}

function columnScale(
  v: Float64Array,
  n: number,
  w: number,
  floor = 1e-12,
): [Float64Array, Float64Array] {
  const mean = new Float64Array(w), scale = new Float64Array(w);
  for (let r = 0; r < n; r++) for (let j = 0; j < w; j++) mean[j]! += v[r * w + j]! / n;
  for (let r = 0; r < n; r++) {
    for (let j = 0; j < w; j++) scale[j]! += (v[r * w + j]! - mean[j]!) ** 2 / n;
  }
  for (let j = 0; j < w; j++) {
    const sd = Math.sqrt(scale[j]!);
    scale[j] = sd > 1e-12 ? Math.max(sd, floor) : 1;
  }
  return [mean, scale];
}

interface TrainLayer {
  inputs: number;
  outputs: number;
  w: Float64Array;
  b: Float64Array;
}

/**
 * Folds the output scaling into the last layer. Input standardisation and the output mean stay
 * apart (the ensemble's feature shift and scale, and offset): folded into weights they would
 * make large terms that cancel, and float32 runtimes would lose digits.
 */
function foldScales(net: TrainLayer[], yScale: Float64Array): DenseLayer[] {
  return net.map((l, li) => {
    const w = Float64Array.from(l.w), b = Float64Array.from(l.b);
    if (li === net.length - 1) {
      for (let i = 0; i < l.inputs; i++) {
        for (let j = 0; j < l.outputs; j++) w[i * l.outputs + j]! *= yScale[j]!;
      }
      for (let j = 0; j < l.outputs; j++) b[j]! *= yScale[j]!;
    }
    return {
      inputs: l.inputs,
      outputs: l.outputs,
      weight: Float32Array.from(w),
      bias: Float32Array.from(b),
    };
  });
}

/** Mini-batch AdamW on mean squared error; returns float64 layers. */
function trainMember(
  x: Float64Array,
  y: Float64Array,
  n: number,
  widths: readonly number[],
  o: ResolvedMlpOptions,
  rng: Rng,
): TrainLayer[] {
  const depth = widths.length - 1;
  const layers: TrainLayer[] = [];
  for (let l = 0; l < depth; l++) {
    const ni = widths[l]!, no = widths[l + 1]!;
    const w = new Float64Array(ni * no);
    const s = Math.sqrt(1 / ni);
    for (let i = 0; i < w.length; i++) w[i] = rng.normal() * s;
    layers.push({ inputs: ni, outputs: no, w, b: new Float64Array(no) });
  }
  const params = layers.flatMap((l) => [l.w, l.b]);
  const grads = params.map((p) => new Float64Array(p.length));
  const m1 = params.map((p) => new Float64Array(p.length));
  const m2 = params.map((p) => new Float64Array(p.length));
  const bs = Math.min(o.batchSize, n);
  // Activations per layer (post-activation), and deltas, for one batch.
  const acts = widths.map((w) => new Float64Array(bs * w));
  const pre = widths.map((w) => new Float64Array(bs * w));
  const deltas = widths.map((w) => new Float64Array(bs * w));
  const order = Array.from({ length: n }, (_, i) => i);
  const steps = o.epochs * Math.ceil(n / bs);
  const beta1 = 0.9, beta2 = 0.999, eps = 1e-8;
  const k = widths[depth]!;
  const f = widths[0]!;
  let t = 0;
  for (let epoch = 0; epoch < o.epochs; epoch++) {
    rng.shuffle(order);
    for (let start = 0; start < n; start += bs) {
      const b = Math.min(bs, n - start);
      const in0 = acts[0]!;
      for (let r = 0; r < b; r++) {
        in0.set(x.subarray(order[start + r]! * f, order[start + r]! * f + f), r * f);
      }
      for (let l = 0; l < depth; l++) {
        const L = layers[l]!;
        forwardBatch(L, acts[l]!, pre[l + 1]!, b);
        const a = acts[l + 1]!, z = pre[l + 1]!;
        const len = b * L.outputs;
        if (l < depth - 1) {
          if (o.activation === "tanh") { for (let i = 0; i < len; i++) a[i] = Math.tanh(z[i]!); }
          else for (let i = 0; i < len; i++) a[i] = z[i]! / (1 + Math.exp(-z[i]!));
        } else a.set(z.subarray(0, len));
      }
      // dLoss/dout for the mean squared error (mean over batch and outputs).
      const out = acts[depth]!, dOut = deltas[depth]!;
      for (let r = 0; r < b; r++) {
        const yr = order[start + r]! * k;
        for (let j = 0; j < k; j++) {
          dOut[r * k + j] = (2 * (out[r * k + j]! - y[yr + j]!)) / (b * k);
        }
      }
      for (let l = depth - 1; l >= 0; l--) {
        const L = layers[l]!;
        const gw = grads[2 * l]!, gb = grads[2 * l + 1]!;
        backwardBatch(L, acts[l]!, deltas[l + 1]!, gw, gb, l > 0 ? deltas[l]! : null, b);
        if (l > 0) {
          const d = deltas[l]!, a = acts[l]!, z = pre[l]!;
          const len = b * L.inputs;
          if (o.activation === "tanh") {
            for (let i = 0; i < len; i++) d[i]! *= 1 - a[i]! * a[i]!;
          } else {
            for (let i = 0; i < len; i++) {
              const s = 1 / (1 + Math.exp(-z[i]!));
              d[i]! *= s * (1 + z[i]! * (1 - s));
            }
          }
        }
      }
      t++;
      const lr = o.learningRate * (0.01 + 0.99 * 0.5 * (1 + Math.cos((Math.PI * (t - 1)) / steps)));
      const c1 = 1 - beta1 ** t, c2 = 1 - beta2 ** t;
      for (let p = 0; p < params.length; p++) {
        const P = params[p]!, G = grads[p]!, M = m1[p]!, V = m2[p]!;
        const decay = p % 2 === 0 ? 1 - lr * o.weightDecay : 1;
        for (let i = 0; i < P.length; i++) {
          const g = G[i]!;
          M[i] = beta1 * M[i]! + (1 - beta1) * g;
          V[i] = beta2 * V[i]! + (1 - beta2) * g * g;
          P[i] = P[i]! * decay - (lr * (M[i]! / c1)) / (Math.sqrt(V[i]! / c2) + eps);
        }
      }
    }
  }
  return layers;
}

function forwardBatch(L: TrainLayer, input: Float64Array, out: Float64Array, b: number): void {
  const ni = L.inputs, no = L.outputs, w = L.w;
  for (let r = 0; r < b; r++) {
    const o = r * no;
    for (let j = 0; j < no; j++) out[o + j] = L.b[j]!;
    for (let i = 0; i < ni; i++) {
      const xi = input[r * ni + i]!;
      const base = i * no;
      for (let j = 0; j < no; j++) out[o + j]! += xi * w[base + j]!;
    }
  }
}

function backwardBatch(
  L: TrainLayer,
  input: Float64Array,
  dOut: Float64Array,
  gw: Float64Array,
  gb: Float64Array,
  dIn: Float64Array | null,
  b: number,
): void {
  const ni = L.inputs, no = L.outputs, w = L.w;
  gw.fill(0);
  gb.fill(0);
  for (let r = 0; r < b; r++) {
    const o = r * no;
    for (let j = 0; j < no; j++) gb[j]! += dOut[o + j]!;
    for (let i = 0; i < ni; i++) {
      const xi = input[r * ni + i]!;
      const base = i * no;
      let s = 0;
      for (let j = 0; j < no; j++) {
        const d = dOut[o + j]!;
        gw[base + j]! += xi * d;
        s += d * w[base + j]!;
      }
      if (dIn) dIn[r * ni + i] = s;
    }
  }
}
