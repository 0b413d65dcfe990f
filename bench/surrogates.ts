/**
 * `deno task surrogates`: rebuilds the surrogate models under `runners/surrogates/` from the
 * run tables, deterministically from a seed, with their validation cards, and the continuous
 * task cards of the models that pass their gates (reference values frozen from the model).
 *
 * Per (table, fidelity, metric): an MLP ensemble (numerics/mlp.ts) is fitted on a random 80% of the
 * runs and scored on the other 20%, fitted without the runs whose largest domain weight is in the
 * top decile and scored on them (extrapolation), and, for RegMix at 1M, fitted on the 512 train
 * runs and scored by how it ranks the 256 60M runs. The final model is fitted on every run,
 * written as ONNX, and checked against the TypeScript forward pass under onnxruntime-web.
 *
 * Gates: Spearman ρ ≥ 0.90 (random) and ≥ 0.75 (extrapolation); top-10% recall ≥ 0.6 (random);
 * RegMix: 60M ρ ≥ the table's own 1M-vs-60M ρ − 0.05. Reference values of passing models:
 * f₀ = f(uniform) by the model; f* = the better of the table's best run and the best of a
 * Dirichlet search (1e6 samples) refined locally on the model. The search trusts the model only
 * near its data: candidates farther (L1) from every table mixture than the 95th percentile of
 * the table's leave-one-out nearest-neighbour distances are dropped, and candidates are ranked by
 * the mean worsened by one ensemble spread; f* is the model's mean at the chosen mixture.
 *
 * Usage: `deno task surrogates [--seed N] [--samples N] [--only ID,…] [--workers N]`
 *
 * @module
 */

import { parseArgs } from "node:util";
import { spearman, topRecall } from "../numerics/stats/correlation.ts";
import {
  MLP_DEFAULTS,
  type MlpEnsemble,
  type MlpOptions,
  predictEnsemble,
} from "../numerics/mlp.ts";
import { deriveSeed, Rng } from "../numerics/rng.ts";
import { type CellRequest, runCells } from "../harness/scheduler.ts";
import type { RunTable } from "../core/table.ts";
import { TASK_SCHEMA, type TaskCard } from "../core/task.ts";
import type { Run } from "../core/types.ts";
import { ensembleToOnnx, OPSET } from "../runners/onnx_writer.ts";
import { openSession } from "../runners/ort_session.ts";
import type { SurrogateSession } from "../runners/session.ts";
import { scoreTopK } from "../numerics/topk.ts";
import { sessionScorer } from "../runners/score.ts";
import { nearestDistance } from "../runners/surrogate.ts";
import {
  type Gate,
  type HeldOutScores,
  sha256,
  SURROGATE_SCHEMA,
  type SurrogateCard,
  type SurrogateReference,
} from "../runners/surrogate_card.ts";
import { loadTable } from "../datasets/registry.ts";
import { dirichlet } from "../numerics/stats/gamma.ts";
import type { FitJob } from "./_fit_worker.ts";

/** One surrogate to build and the continuous task it serves. */
export interface SurrogateSpec {
  /** Continuous task id. */
  readonly task: string;
  readonly table: string;
  readonly fidelity: string;
  readonly metric: string;
  readonly title: string;
  readonly description: string;
  readonly budget: number;
  readonly checkpoints: readonly number[];
  readonly costUnit: string;
  /** RegMix check: train on this split, rank the runs of `target`. */
  readonly transfer?: { readonly trainSplit: string; readonly target: string };
}

/** The built-in surrogates. */
export const SURROGATE_SPECS: readonly SurrogateSpec[] = [
  {
    task: "regmix-pile/pile-cc@1M",
    table: "regmix_pile",
    fidelity: "1M",
    metric: "pile_cc_loss",
    title: "Pile-CC validation loss of 1M-param proxies, any mixture (surrogate)",
    description: "Propose any mixture of the 17 Pile domains; a mixture among RegMix's 768 1M " +
      "runs returns its table value, any other the surrogate's prediction (an MLP ensemble " +
      "fitted to the 768 runs). Minimise Pile-CC validation loss. Budget in 1M runs.",
    budget: 272,
    checkpoints: [4, 8, 17, 34, 68, 136, 272],
    costUnit: "1M runs",
    transfer: { trainSplit: "train", target: "60M" },
  },
  {
    task: "regmix-pile/pile-cc@60M",
    table: "regmix_pile",
    fidelity: "60M",
    metric: "pile_cc_loss",
    title: "Pile-CC validation loss of 60M-param proxies, any mixture (surrogate)",
    description: "Propose any mixture of the 17 Pile domains; a mixture among RegMix's 256 60M " +
      "runs returns its table value, any other the surrogate's prediction (an MLP ensemble " +
      "fitted to the 256 runs). Minimise Pile-CC validation loss. Budget in 60M runs.",
    budget: 64,
    checkpoints: [2, 4, 8, 16, 32, 64],
    costUnit: "60M runs",
  },
  ...["0.5B", "3B", "7B"].map((f, i): SurrogateSpec => ({
    task: `admire-ift/avg@${f}`,
    table: "admire_ift",
    fidelity: f,
    metric: "avg_id+ood",
    title: `Average of 17 IFT tasks at Qwen2.5-${f}, any mixture (surrogate)`,
    description: `Propose any mixture of the 19 Tülu-3 sources; a mixture among ADMIRE's ` +
      `${[256, 128, 76][i]} ${f} runs returns its table value, any other the surrogate's ` +
      `prediction (an MLP ensemble fitted to those runs). Maximise avg_id+ood. Budget in ${f} runs.`,
    budget: 24,
    checkpoints: [1, 2, 4, 8, 16, 24],
    costUnit: `${f} runs`,
  })),
  {
    task: "olmix/superswarm-bpb@30M",
    table: "olmix_superswarm",
    fidelity: "30M",
    metric: "mean_bpb",
    title: "Mean bits-per-byte over 110 tasks, any mixture of 64 domains (surrogate)",
    description: "Propose any mixture of Olmix's 64 domains; a mixture among the 512 superswarm " +
      "runs returns its table value, any other the surrogate's prediction (an MLP ensemble " +
      "fitted to the 512 runs). Minimise mean BPB. Budget in 30M runs.",
    budget: 128,
    checkpoints: [8, 16, 32, 64, 128],
    costUnit: "30M runs",
  },
];

/** Training options of every built-in surrogate. */
export const SURROGATE_MLP: Required<Omit<MlpOptions, "seed">> = {
  ...MLP_DEFAULTS,
  hidden: [64, 64],
  activation: "silu",
  features: "linear+log",
  members: 5,
  epochs: 300,
  batchSize: 32,
  learningRate: 1e-3,
  weightDecay: 0.01,
};

/** Gate thresholds. */
export const GATES = {
  randomSpearman: 0.9,
  extrapolationSpearman: 0.75,
  recall10: 0.6,
  transferMargin: 0.05,
} as const;

/** Ensemble spreads added to the mean (worse direction) when searching f*. */
export const KAPPA = 1;

/** Decimals at which a proposal matches a table run. */
export const MATCH_DECIMALS = 4;

/** Options of {@linkcode buildSurrogates}. */
export interface BuildOptions {
  /** Seed of every split, initialisation and search. @default {1} */
  seed?: number;
  /** Dirichlet samples of the f* search. @default {1000000} */
  samples?: number;
  /** Task ids to build (default: all). */
  only?: readonly string[];
  /** Parallel fitting workers. @default {navigator.hardwareConcurrency} */
  workers?: number;
  /** Output folder of models and cards. @default {runners/surrogates/ of the suite} */
  outDir?: string;
  /** Folder of task cards; none written when empty. @default {datasets/tasks/ of the suite} */
  taskDir?: string;
  /** Training options (tests use smaller ones). @default {SURROGATE_MLP} */
  mlp?: Required<Omit<MlpOptions, "seed">>;
  /** Progress lines. @default {() => {}} */
  log?: (line: string) => void;
}

/** File-system-safe base name of a surrogate: `table-fidelity-metric`. */
export function surrogateName(spec: { table: string; fidelity: string; metric: string }): string {
  return `${spec.table}-${spec.fidelity}-${spec.metric}`.replace(/[^A-Za-z0-9_.-]/g, "_");
}

/** File name of a continuous task card: `family/name@F` → `family/name_at_F.json`. */
export function taskFileName(id: string): string {
  return `${id.replace("@", "_at_")}.json`;
}

interface Plan {
  spec: SurrogateSpec;
  table: RunTable;
  runs: Run[];
  seed: number;
  random: { train: number[]; test: number[] };
  extrap: { train: number[]; test: number[]; cut: number };
  transfer?: { train: Run[]; test: Run[] };
}

/**
 * Builds the surrogates, their cards and the continuous task cards of those that pass.
 *
 * @param options Seed, sample count, selection, folders.
 * @returns The cards written.
 */
export async function buildSurrogates(options: BuildOptions = {}): Promise<SurrogateCard[]> {
  const seed = options.seed ?? 1;
  const log = options.log ?? (() => {});
  const mlp = options.mlp ?? SURROGATE_MLP;
  const outDir = options.outDir ?? new URL("../runners/surrogates", import.meta.url).pathname;
  const taskDir = options.taskDir ?? new URL("../datasets/tasks", import.meta.url).pathname;
  const specs = SURROGATE_SPECS.filter((s) => !options.only || options.only.includes(s.task));
  const plans: Plan[] = [];
  for (const spec of specs) plans.push(plan(spec, await loadTable(spec.table), seed));
  // Every fit of every plan, run in a worker pool.
  const jobs: { key: string; runs: Run[]; metric: string; seed: number }[] = [];
  for (const p of plans) {
    const pick = (idx: number[]) => idx.map((i) => p.runs[i]!);
    const key = p.spec.task;
    jobs.push({
      key: `${key}|random`,
      runs: pick(p.random.train),
      metric: p.spec.metric,
      seed: p.seed,
    });
    jobs.push({
      key: `${key}|extrap`,
      runs: pick(p.extrap.train),
      metric: p.spec.metric,
      seed: p.seed,
    });
    if (p.transfer) {
      jobs.push({
        key: `${key}|transfer`,
        runs: p.transfer.train,
        metric: p.spec.metric,
        seed: p.seed,
      });
    }
    jobs.push({ key: `${key}|final`, runs: p.runs, metric: p.spec.metric, seed: p.seed });
  }
  const fits = new Map<string, MlpEnsemble>();
  const requests: CellRequest[] = jobs.map((j) => ({
    key: j.key,
    payload: {
      mixtures: new Float64Array(j.runs.flatMap((r) => [...r.mixture])),
      m: j.runs[0]!.mixture.length,
      targets: Float64Array.from(j.runs, (r) => r.metrics[j.metric]!),
      options: { ...mlp, seed: j.seed },
    } satisfies FitJob,
  }));
  await runCells(requests, {
    workerUrl: new URL("./_fit_worker.ts", import.meta.url),
    concurrency: options.workers ?? navigator.hardwareConcurrency,
    hardLimitMs: 6 * 3600_000,
    onFailure: (_req, error) => {
      throw error;
    },
    onResult: (req, reply) => {
      fits.set(req.key, reply as MlpEnsemble);
      log(`fitted ${req.key}`);
    },
  });
  await Deno.mkdir(outDir, { recursive: true });
  const cards: SurrogateCard[] = [];
  for (const p of plans) {
    const card = await finish(p, fits, mlp, seed, options.samples ?? 1_000_000, outDir);
    cards.push(card);
    log(
      `${p.spec.task}: ${card.gates.pass ? "pass" : "FAIL"} ` +
        card.gates.checks.map((g) => `${g.name} ${g.value.toFixed(3)}`).join(", "),
    );
    if (card.gates.pass && taskDir) await writeTaskCard(p.spec, card, taskDir, outDir);
  }
  return cards;
}

function plan(spec: SurrogateSpec, table: RunTable, seed: number): Plan {
  const runs = table.runs.filter((r) => r.fidelity === spec.fidelity);
  const s = deriveSeed("surrogate", spec.table, spec.fidelity, spec.metric, seed);
  const order = new Rng(deriveSeed(s, "split")).shuffle(runs.map((_, i) => i));
  const nTest = Math.round(0.2 * runs.length);
  const random = {
    test: order.slice(0, nTest).sort((a, b) => a - b),
    train: order.slice(nTest).sort((a, b) => a - b),
  };
  // Extrapolation: hold out the ceil(10%) runs with the largest dominant weight (ties: later row).
  const dominant = runs.map((r) => Math.max(...r.mixture));
  const byDominant = runs.map((_, i) => i).sort((a, b) => dominant[b]! - dominant[a]! || b - a);
  const nEx = Math.ceil(0.1 * runs.length);
  const exTest = byDominant.slice(0, nEx).sort((a, b) => a - b);
  const exSet = new Set(exTest);
  const extrap = {
    test: exTest,
    train: runs.map((_, i) => i).filter((i) => !exSet.has(i)),
    cut: Math.min(...exTest.map((i) => dominant[i]!)),
  };
  const t = spec.transfer;
  return {
    spec,
    table,
    runs,
    seed: s,
    random,
    extrap,
    ...(t
      ? {
        transfer: {
          train: runs.filter((r) => r.split === t.trainSplit),
          test: table.runs.filter((r) => r.fidelity === t.target),
        },
      }
      : {}),
  };
}

function scores(
  ens: MlpEnsemble,
  train: number,
  test: readonly Run[],
  metric: string,
  lowerIsBetter: boolean,
): HeldOutScores {
  const pred = predictEnsemble(ens, new Float64Array(test.flatMap((r) => [...r.mixture]))).mean;
  const truth = test.map((r) => r.metrics[metric]!);
  const mae = truth.reduce((s, v, i) => s + Math.abs(v - pred[i]!), 0) / truth.length;
  return {
    train,
    heldOut: test.length,
    spearman: round(spearman(truth, pred)),
    recall10: round(topRecall(truth, pred, 0.1, lowerIsBetter)),
    mae: round(mae),
  };
}

async function finish(
  p: Plan,
  fits: Map<string, MlpEnsemble>,
  mlp: Required<Omit<MlpOptions, "seed">>,
  seed: number,
  samples: number,
  outDir: string,
): Promise<SurrogateCard> {
  const { spec, table, runs } = p;
  const info = table.card.metrics.find((m) => m.name === spec.metric)!;
  const low = info.direction === "minimize";
  const pick = (idx: number[]) => idx.map((i) => runs[i]!);
  const random = scores(
    fits.get(`${spec.task}|random`)!,
    p.random.train.length,
    pick(p.random.test),
    spec.metric,
    low,
  );
  const extrapolation = {
    ...scores(
      fits.get(`${spec.task}|extrap`)!,
      p.extrap.train.length,
      pick(p.extrap.test),
      spec.metric,
      low,
    ),
    dominantWeightCut: round(p.extrap.cut),
  };
  const checks: Gate[] = [
    gate("random ρ", random.spearman, GATES.randomSpearman),
    gate("extrapolation ρ", extrapolation.spearman, GATES.extrapolationSpearman),
    gate("random top-10% recall", random.recall10, GATES.recall10),
  ];
  let transfer: SurrogateCard["validation"]["transfer"];
  if (p.transfer && spec.transfer) {
    const { train, test } = p.transfer;
    const s = scores(fits.get(`${spec.task}|transfer`)!, train.length, test, spec.metric, low);
    // The table's own values at the training fidelity for the same mixtures, in the same order.
    const own = new Map(runs.map((r) => [r.mixture.join(","), r.metrics[spec.metric]!]));
    const ownValues = test.map((r) => own.get(r.mixture.join(",")));
    if (ownValues.some((v) => v === undefined)) {
      throw new TypeError(
        `${spec.task}: the ${spec.transfer.target} mixtures are not all ${spec.fidelity} runs`,
      );
    }
    const tableSpearman = round(
      spearman(ownValues as number[], test.map((r) => r.metrics[spec.metric]!)),
    );
    transfer = {
      train: train.length,
      target: spec.transfer.target,
      heldOut: test.length,
      spearman: s.spearman,
      tableSpearman,
    };
    checks.push(
      gate(`${spec.transfer.target} ρ`, s.spearman, round(tableSpearman - GATES.transferMargin)),
    );
  }
  const final = fits.get(`${spec.task}|final`)!;
  const name = surrogateName(spec);
  const bytes = ensembleToOnnx(final, {
    name,
    docString: `mixbench surrogate of ${spec.table} ${spec.fidelity} ${spec.metric}`,
    metadata: {
      table: spec.table,
      tableSha256: table.sha256,
      fidelity: spec.fidelity,
      metric: spec.metric,
      seed: String(seed),
    },
  });
  await Deno.writeFile(`${outDir}/${name}.onnx`, bytes);
  const m = final.inputs;
  const session = await openSession(bytes, { inputs: m, outputs: 1, threads: 1 });
  try {
    const check = await onnxCheck(final, session, runs, p.seed);
    if (!(check.maxRelativeError <= 1e-5)) {
      throw new RangeError(
        `${spec.task}: ONNX and TypeScript outputs differ by ${check.maxRelativeError} (relative)`,
      );
    }
    const pass = checks.every((g) => g.pass);
    const card: SurrogateCard = {
      schema: SURROGATE_SCHEMA,
      id: `${spec.table}/${spec.fidelity}/${spec.metric}`,
      table: spec.table,
      tableSha256: table.sha256,
      fidelity: spec.fidelity,
      metric: spec.metric,
      direction: info.direction,
      bounds: { lower: info.lower, upper: info.upper },
      model: {
        file: `${name}.onnx`,
        sha256: await sha256(bytes),
        bytes: bytes.length,
        opset: OPSET,
        inputs: m,
        outputs: 1,
        members: final.members.length,
      },
      training: { seed, runs: runs.length, options: { ...mlp, seed: p.seed } },
      onnxCheck: check,
      validation: { random, extrapolation, seedNoise: null, ...(transfer ? { transfer } : {}) },
      gates: { checks, pass },
      ...(pass ? { reference: await reference(p, session, samples) } : {}),
    };
    await Deno.writeTextFile(`${outDir}/${name}.json`, JSON.stringify(card, null, 2) + "\n");
    return card;
  } finally {
    await session.close();
  }
}

async function onnxCheck(
  ens: MlpEnsemble,
  session: SurrogateSession,
  runs: readonly Run[],
  seed: number,
): Promise<SurrogateCard["onnxCheck"]> {
  const m = ens.inputs;
  const rng = new Rng(deriveSeed(seed, "onnx-check"));
  const rows = new Float64Array((runs.length + 1000) * m);
  runs.forEach((r, i) => rows.set(r.mixture, i * m));
  const x = new Float64Array(m);
  for (let i = 0; i < 1000; i++) {
    rows.set(dirichlet(rng, new Array(m).fill(0.3), x), (runs.length + i) * m);
  }
  // Both sides see the same float32 inputs.
  const f32 = Float32Array.from(rows);
  const ts = predictEnsemble(ens, Float64Array.from(f32));
  const out = await session.run(f32, rows.length / m);
  let rel = 0, sp = 0;
  for (let i = 0; i < ts.mean.length; i++) {
    rel = Math.max(rel, Math.abs(out.mean[i]! - ts.mean[i]!) / Math.abs(ts.mean[i]!));
    sp = Math.max(sp, Math.abs(out.spread[i]! - ts.spread[i]!));
  }
  return { rows: ts.mean.length, maxRelativeError: sci(rel), maxSpreadError: sci(sp) };
}

async function reference(
  p: Plan,
  session: SurrogateSession,
  samples: number,
): Promise<SurrogateReference> {
  const { spec, table, runs } = p;
  const info = table.card.metrics.find((m) => m.name === spec.metric)!;
  const sign = info.direction === "minimize" ? 1 : -1;
  const clip = (v: number) => Math.min(info.upper, Math.max(info.lower, v));
  const m = runs[0]!.mixture.length;
  // Candidates are ranked by a pessimistic score, the mean worsened by KAPPA ensemble spreads,
  // so that f* sits where the ensemble agrees; f* itself is the (clipped) mean there.
  const predict = async (rows: Float64Array, n: number) => {
    const { mean, spread } = await session.run(Float32Array.from(rows.subarray(0, n * m)), n);
    return {
      mean: Array.from(mean, clip),
      spread: Array.from(spread),
      pessimistic: Array.from(mean, (v, i) => v + sign * KAPPA * spread[i]!),
    };
  };
  const uniform = (await predict(new Float64Array(m).fill(1 / m), 1)).mean[0]!;
  let tableBest = runs[0]!;
  for (const r of runs) {
    if (sign * r.metrics[spec.metric]! < sign * tableBest.metrics[spec.metric]!) tableBest = r;
  }
  // Dirichlet scan: even rows RegMix-style around the tempered prior (strength 0.1 … 5), odd
  // rows flat over the simplex.
  const rng = new Rng(deriveSeed(p.seed, "reference-search"));
  const prior = table.card.domains.map((d) => d.prior);
  const tp = prior.map((x) => Math.sqrt(x));
  const ts = tp.reduce((a, b) => a + b, 0);
  const strengths = Array.from({ length: 15 }, (_, i) => 0.1 * 50 ** (i / 14));
  const alpha = new Float64Array(m), ones = new Float64Array(m).fill(1), x = new Float64Array(m);
  let drawn = 0;
  const sampler = (rows: Float64Array, count: number) => {
    for (let r = 0; r < count; r++, drawn++) {
      if (drawn % 2 === 0) {
        const s = strengths[rng.int(strengths.length)]!;
        for (let j = 0; j < m; j++) alpha[j] = (tp[j]! / ts) * s;
        rows.set(dirichlet(rng, alpha, x), r * m);
      } else rows.set(dirichlet(rng, ones, x), r * m);
    }
  };
  // Trust region: candidates farther (L1) from every table mixture than the 95th percentile of
  // the table's own leave-one-out nearest-neighbour distances are not trusted as f*.
  const trainRows = new Float64Array(runs.flatMap((r) => [...r.mixture]));
  const radius = trustRadius(trainRows, m);
  const base = sessionScorer(session, { spread: sign * KAPPA });
  const kept: number[] = []; // best values accepted so far (at most 16), best first
  const worst = sign * Infinity;
  const scorer = {
    inputs: m,
    async score(rows: Float64Array, count: number, out: Float64Array) {
      await base.score(rows, count, out);
      for (let r = 0; r < count; r++) {
        const v = out[r]!;
        if (kept.length === 16 && !(sign * v < sign * kept[15]!)) continue;
        if (nearestDistance(trainRows, rows.subarray(r * m, r * m + m)) > radius) {
          out[r] = worst;
          continue;
        }
        kept.push(v);
        kept.sort((a, b) => sign * (a - b));
        if (kept.length > 16) kept.pop();
      }
    },
  };
  const top = await scoreTopK(scorer, sampler, {
    total: samples,
    chunk: 16_384,
    k: 16,
    direction: info.direction,
  });
  // Local refinement: multiplicative log-normal steps around each of the best 16, σ 0.5 → 0.01.
  const steps = 40, batch = 64;
  const starts = top.mixtures.map((w) => Float64Array.from(w));
  const values = [...top.values];
  const rows = new Float64Array(starts.length * batch * m);
  for (let s = 0; s < steps; s++) {
    const sigma = 0.5 * (0.01 / 0.5) ** (s / (steps - 1));
    starts.forEach((w, i) => {
      for (let b = 0; b < batch; b++) {
        let sum = 0;
        const o = (i * batch + b) * m;
        for (let j = 0; j < m; j++) {
          const v = (w[j]! + 1e-6) * Math.exp(sigma * rng.normal());
          rows[o + j] = v;
          sum += v;
        }
        for (let j = 0; j < m; j++) rows[o + j]! /= sum;
      }
    });
    const pred = (await predict(rows, starts.length * batch)).pessimistic;
    starts.forEach((w, i) => {
      for (let b = 0; b < batch; b++) {
        const v = pred[i * batch + b]!;
        const o = (i * batch + b) * m;
        if (
          sign * v < sign * values[i]! &&
          nearestDistance(trainRows, rows.subarray(o, o + m)) <= radius
        ) {
          values[i] = v;
          w.set(rows.subarray((i * batch + b) * m, (i * batch + b + 1) * m));
        }
      }
    });
  }
  let bi = 0;
  values.forEach((v, i) => {
    if (sign * v < sign * values[bi]!) bi = i;
  });
  const mixture = Array.from(starts[bi]!, (v) => round(v, 8));
  const at = await predict(Float64Array.from(mixture), 1);
  const searchValue = at.mean[0]!;
  const tableValue = tableBest.metrics[spec.metric]!;
  const searchWins = sign * searchValue < sign * tableValue;
  return {
    uniform,
    tableBest: { value: tableValue, row: tableBest.row },
    searchBest: {
      value: searchValue,
      mixture,
      spread: round(at.spread[0]!, 10),
      ood: round(nearestDistance(trainRows, mixture)),
      trustRadius: round(radius),
      spreadPenalty: KAPPA,
      samples,
      refinementSteps: steps,
    },
    best: searchWins ? searchValue : tableValue,
    bestRow: searchWins ? -1 : tableBest.row,
  };
}

async function writeTaskCard(
  spec: SurrogateSpec,
  card: SurrogateCard,
  taskDir: string,
  outDir: string,
): Promise<void> {
  const ref = card.reference!;
  const root = new URL("../", import.meta.url).pathname;
  const cardPath = `${outDir}/${surrogateName(spec)}.json`;
  const modelPath = cardPath.startsWith(root) ? cardPath.slice(root.length) : cardPath;
  const path = `${taskDir}/${taskFileName(spec.task)}`;
  const reference = { zero: ref.uniform, best: ref.best, bestRow: ref.bestRow };
  let version = 1;
  try {
    const old = JSON.parse(await Deno.readTextFile(path)) as TaskCard;
    version = JSON.stringify(old.reference) === JSON.stringify(reference) &&
        old.surrogate?.models[spec.fidelity] === modelPath
      ? old.version
      : old.version + 1;
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  const task: TaskCard = {
    schema: TASK_SCHEMA,
    id: spec.task,
    version,
    title: spec.title,
    description: spec.description,
    track: "optimize",
    table: spec.table,
    objective: spec.metric,
    direction: card.direction,
    runner: "surrogate",
    surrogate: { models: { [spec.fidelity]: modelPath }, matchDecimals: MATCH_DECIMALS },
    query: [{ fidelity: spec.fidelity, cost: 1 }],
    target: { fidelity: spec.fidelity },
    budget: spec.budget,
    checkpoints: spec.checkpoints,
    costUnit: spec.costUnit,
    reference,
  };
  await Deno.mkdir(path.slice(0, path.lastIndexOf("/")), { recursive: true });
  await Deno.writeTextFile(path, JSON.stringify(task, null, 2) + "\n");
}

/**
 * The 95th percentile of the leave-one-out nearest-neighbour L1 distances of row-major mixtures.
 *
 * @param rows Row-major mixtures.
 * @param m Mixture length.
 * @returns The distance.
 */
export function trustRadius(rows: Float64Array, m: number): number {
  const n = rows.length / m;
  const d = Array.from({ length: n }, (_, i) => {
    let best = Infinity;
    for (let k = 0; k < n; k++) {
      if (k === i) continue;
      let s = 0;
      for (let j = 0; j < m && s < best; j++) s += Math.abs(rows[i * m + j]! - rows[k * m + j]!);
      if (s < best) best = s;
    }
    return best;
  }).sort((a, b) => a - b);
  return d[Math.min(n - 1, Math.ceil(0.95 * n) - 1)]!;
}

function gate(name: string, value: number, threshold: number): Gate {
  return { name, value, threshold, pass: value >= threshold };
}

function round(x: number, digits = 6): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

function sci(x: number): number {
  return Number(x.toPrecision(3));
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      seed: { type: "string", default: "1" },
      samples: { type: "string", default: "1000000" },
      only: { type: "string" },
      workers: { type: "string" },
    },
  });
  const t0 = performance.now();
  const cards = await buildSurrogates({
    seed: Number(values.seed),
    samples: Number(values.samples),
    ...(values.only ? { only: values.only.split(",") } : {}),
    ...(values.workers ? { workers: Number(values.workers) } : {}),
    log: (l) => console.log(l),
  });
  console.log(
    `${cards.filter((c) => c.gates.pass).length} of ${cards.length} surrogates pass their gates ` +
      `(${((performance.now() - t0) / 1000).toFixed(0)} s)`,
  );
}
