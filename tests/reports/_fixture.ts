/**
 * A synthetic results folder with closed-form scores, covering every report panel: two optimise
 * tasks (one minimised, one maximised, with surrogate answers), a transfer task, a partly failed
 * method, an oracle, and Predict lines with a transfer set.
 *
 * score(method, checkpoint i, seed s, task t):
 *   good          0.6 + 0.05·i + 0.02·s − 0.1·t
 *   random-search 0.1 + 0.1·i + 0.03·s
 *   uniform       0.2
 *   flaky         0.5 (fails seed 1 of fx/max)
 *   best-of-pool  1
 */

import type { CheckpointRecord, ResultLine, TrajectoryStep } from "../../core/results.ts";
import type { PredictLine } from "../../core/predict.ts";
import type { RunMeta, TaskMeta } from "../../reports/meta.ts";
import { scoreSet } from "../../core/predict.ts";

const SEEDS = [0, 1, 2, 3];

function task(over: Partial<TaskMeta> & Pick<TaskMeta, "id">): TaskMeta {
  return {
    version: 1,
    title: over.id,
    track: "optimize",
    table: "fixture",
    tableSha256: "f".repeat(64),
    objective: "loss",
    direction: "minimize",
    costUnit: "runs",
    budget: 8,
    checkpoints: [1, 2, 4, 8],
    reference: { zero: 2, best: 1, bestRow: 0 },
    targetFidelity: "s",
    domains: ["a", "b", "c"],
    prior: [0.5, 0.3, 0.2],
    bestMixture: [0.1, 0.1, 0.8],
    targetPool: {
      size: 20,
      levels: [{ q: 0.5, value: 1.7 }, { q: 0.9, value: 1.3 }, { q: 1, value: 1 }],
    },
    ...over,
  };
}

/** run.json of the fixture. */
export const META: RunMeta = {
  schema: "mixbench.run/1",
  suite: "0.0.0",
  commit: "abc123",
  runtime: { deno: "2.9.6", v8: "1", os: "linux x86_64", onnxruntime: "1.30.0" },
  machine: { cpu: "Test CPU", cores: 2, device: "cpu", provider: "wasm" },
  command: "deno task bench --quick",
  seeds: SEEDS,
  tasks: [
    task({ id: "fx/min", noise: { sd: 0.05, groups: 3 } }),
    task({
      id: "fx/max",
      direction: "maximize",
      budget: 16,
      checkpoints: [2, 4, 8, 16],
      reference: { zero: 0.5, best: 0.9, bestRow: 3 },
      targetPool: {
        size: 30,
        levels: [{ q: 0.5, value: 0.6 }, { q: 0.9, value: 0.8 }, { q: 1, value: 0.9 }],
      },
      surrogate: { sha256: "e".repeat(64), card: { model: "mlp 3-16-1", trainedOn: "fixture" } },
    }),
    task({ id: "fx/transfer", track: "transfer", targetFidelity: "l" }),
  ],
  methods: [
    { id: "good", description: "", ranked: true },
    { id: "random-search", description: "", ranked: true },
    { id: "uniform", description: "", ranked: true },
    { id: "flaky", description: "", ranked: true },
    { id: "best-of-pool", description: "", ranked: false },
  ],
  predictTasks: [{
    id: "fx/predict",
    version: 1,
    title: "predict",
    table: "fixture",
    tableSha256: "f".repeat(64),
    objective: "loss",
    direction: "minimize",
    trainFidelity: "s",
    sets: [{ name: "test", fidelity: "s" }, { name: "big", fidelity: "l" }],
  }],
};

/** The closed-form score of the fixture. */
export function score(method: string, i: number, seed: number, t: number): number {
  switch (method) {
    case "good":
      return 0.6 + 0.05 * i + 0.02 * seed - 0.1 * t;
    case "random-search":
      return 0.1 + 0.1 * i + 0.03 * seed;
    case "uniform":
      return 0.2;
    case "flaky":
      return 0.5;
    default:
      return 1;
  }
}

function line(t: number, method: string, seed: number): ResultLine {
  const tm = META.tasks[t]!;
  const ref = tm.reference;
  const failed = method === "flaky" && tm.id === "fx/max" && seed === 1;
  const searches = method === "good" || method === "random-search";
  const trajectory: TrajectoryStep[] = [];
  if (searches && !failed) {
    for (let k = 1; k <= tm.budget; k++) {
      const surrogate = tm.id === "fx/max" && method === "good" && k % 2 === 0;
      trajectory.push({
        fidelity: "s",
        row: surrogate ? -1 : k,
        value: ref.zero,
        cost: 1,
        spent: k,
        ...(surrogate
          ? {
            source: {
              kind: "surrogate",
              ood: 0.1 * k,
              spread: 0.01 * k,
              clipped: k % 4 === 0 ? 1 : 0,
            },
          }
          : {}),
      });
    }
  }
  const checkpoints: CheckpointRecord[] = failed ? [] : tm.checkpoints.map((b, i) => {
    const s = score(method, i, seed, t);
    return {
      budget: b,
      spent: searches ? b : 0,
      evaluations: searches ? b : 0,
      mixture: method === "uniform" ? [0.333333, 0.333333, 0.333334] : [0.1, 0.1, 0.8],
      row: i,
      value: ref.zero - s * (ref.zero - ref.best),
      score: s,
    };
  });
  return {
    schema: "mixbench.result/2",
    suite: "0.0.0",
    task: { id: tm.id, version: 1 },
    method,
    versions: { method: "1", commit: "abc123", table: tm.tableSha256 },
    seed,
    runner: "replay",
    status: failed ? "failed" : "ok",
    ...(failed ? { error: { name: "RangeError", message: "flaky on purpose" } } : {}),
    budget: tm.budget,
    spent: searches && !failed ? tm.budget : 0,
    trajectory,
    checkpoints,
    timings: { totalMs: 1, methodMs: 1 },
  };
}

/** results.jsonl lines of the fixture (every cell). */
export function lines(): ResultLine[] {
  return META.tasks.flatMap((_, t) =>
    META.methods.flatMap((m) => SEEDS.map((seed) => line(t, m.id, seed)))
  );
}

/** predict.jsonl lines of the fixture: methods "good" and "lin", 20 runs per set. */
export function predictLines(): PredictLine[] {
  return ["good", "lin"].flatMap((method, mi) =>
    SEEDS.map((seed): PredictLine => ({
      schema: "mixbench.predict/2",
      suite: "0.0.0",
      task: { id: "fx/predict", version: 1 },
      method,
      versions: { method: "1", commit: "abc123", table: "f".repeat(64) },
      seed,
      status: "ok",
      train: 40,
      sets: META.predictTasks![0]!.sets.map((s, si) => {
        const truth = Array.from({ length: 20 }, (_, k) => 1 + 0.05 * k);
        const predicted = truth.map((x, k) => x + (mi + 1) * 0.04 * Math.sin(k * (seed + 2 + si)));
        return {
          name: s.name,
          fidelity: s.fidelity,
          n: 20,
          ...scoreSet(truth, predicted, "minimize"),
          truth,
          predicted,
        };
      }),
      timings: { fitMs: 1, predictMs: 1 },
    }))
  );
}

/** Writes the fixture folder (run.json, results.jsonl, predict.jsonl). */
export async function writeFixture(dir: string): Promise<void> {
  await Deno.mkdir(dir, { recursive: true });
  await Deno.writeTextFile(`${dir}/run.json`, JSON.stringify(META, null, 2) + "\n");
  await Deno.writeTextFile(
    `${dir}/results.jsonl`,
    lines().map((l) => JSON.stringify(l) + "\n").join(""),
  );
  await Deno.writeTextFile(
    `${dir}/predict.jsonl`,
    predictLines().map((l) => JSON.stringify(l) + "\n").join(""),
  );
}
