/**
 * Hybrid runner (continuous mode): a proposal whose mixture is a table run at its fidelity
 * (equal after rounding both to the task's `matchDecimals`) is answered with the table's value
 * and source `table`; any other mixture with source `surrogate`, the ensemble spread, and an
 * out-of-distribution score: the L1 distance to the nearest table mixture the model was trained on
 * (0 … 2). Clips are counted per runner.
 *
 * Trust region (the model card's `region`, see {@linkcode TrustRegion}): inside it, the answer is
 * the model's mean worsened by `spreadPenalty` ensemble spreads and by the region's
 * distance-calibrated error margin `k·c·ood^p` ({@linkcode regionPenalty}), clipped to the
 * metric's bounds;
 * outside it (a weight above its box bound, or farther than the radius from every table mixture)
 * the task card's `outOfRegion` policy applies — `table-worst`: the table's worst run at the
 * fidelity, for a query (its source says `inRegion: false`) and for a recommendation alike. A
 * method never sees a prediction where the model was not trusted. Models without a region (cards
 * from before it) are answered by the mean, as before.
 *
 * Noisy mode (the task card's `surrogate.noise: "evaluation"`): each in-region surrogate answer to
 * a query gets a normal draw with the model's measured evaluation standard error
 * ({@linkcode evaluationNoise}), seeded by (task, cell seed, fidelity, mixture), so a repeated query
 * gets the same value and every method the same draw for the same query; table hits, out-of-region
 * answers and judged recommendations stay noise-free.
 *
 * Models are ONNX files (`ort_session.ts`): on CPU scored by the fused WebAssembly SIMD kernel
 * (bit-identical to onnxruntime-web's WASM, which `cpuEngine: "ort"` runs instead), on a GPU by
 * the fused WGSL pass. Opening them ({@linkcode openSurrogateModels}) is the slow part; a runner per cell over
 * the opened models is cheap.
 *
 * @example
 * ```ts ignore
 * const models = await openSurrogateModels(task, { device: "cpu" });
 * const runner = new SurrogateRunner(task, models);
 * const [obs] = await runner.evaluate([{ mixture: uniform, fidelity: "1M" }]);
 * ```
 *
 * @module
 */

import type { FeasibleSet } from "../core/feasible.ts";
import { mixtureKey } from "../core/mixture.ts";
import type { Judgement, Runner } from "../core/runner.ts";
import type { Task } from "../core/task.ts";
import type { Mixture, Observation, Proposal, Run, Source } from "../core/types.ts";
import { openSession } from "./ort_session.ts";
import type { CpuEngine, Device, DeviceOption, Provider, SurrogateSession } from "./session.ts";
import { queryCost, tableObservation } from "./replay.ts";
import { deriveSeed, Rng } from "../numerics/rng.ts";
import {
  checkRegion,
  evaluationNoise,
  loadSurrogate,
  nearestDistance,
  regionFeasibleSet,
  regionPenalty,
  type SurrogateCard,
  type TrustRegion,
} from "./surrogate_card.ts";

export { nearestDistance };

/** Provenance of a surrogate answer: OOD score, ensemble spread, clipping. */
export type SurrogateSource = Extract<Source, { kind: "surrogate" }>;

/** Counters of a runner. */
export interface SurrogateStats {
  /** Proposals answered from the table. */
  readonly tableHits: number;
  /** Proposals answered by the surrogate. */
  readonly predictions: number;
  /** Predictions clipped to the metric's bounds. */
  readonly clips: number;
  /** Mixtures outside the trust region (answered by the out-of-region policy). */
  readonly outOfRegion: number;
}

/** One opened model: its card, session and training mixtures. */
export interface OpenModel {
  /** The validation card. */
  readonly card: SurrogateCard;
  /** The onnxruntime session. */
  readonly session: SurrogateSession;
  /** Training mixtures (the table's runs at the fidelity), row-major. */
  readonly mixtures: Float64Array;
}

/** A task's opened surrogate models, by fidelity id. */
export interface SurrogateModels {
  /** Models by fidelity. */
  readonly byFidelity: ReadonlyMap<string, OpenModel>;
  /** Where they run. */
  readonly device: Device;
  /** What scores (`simd`, `wasm`, `webgpu` or `wgsl`). */
  readonly provider: Provider;
  /** GPU adapter name, or "" on CPU. */
  readonly adapter: string;
  /** Closes every session. */
  close(): Promise<void>;
}

/** Options of {@linkcode openSurrogateModels}. */
export interface OpenOptions {
  /** Where to run. @default {"cpu"} */
  device?: DeviceOption;
  /** WASM threads on CPU. @default {1} */
  threads?: number;
  /**
   * The CPU engine: the fused WebAssembly SIMD kernel or onnxruntime-web (same predictions, bit
   * for bit). @default {"simd"}
   */
  cpuEngine?: CpuEngine;
}

/**
 * Opens the surrogate models of a task (one per fidelity it queries or judges).
 *
 * @param task A resolved task whose card has runner `surrogate`.
 * @param options Device and threads.
 * @returns The opened models.
 * @throws {TypeError} When the card has no model for a fidelity, a model failed its validation
 * gates, was trained on another table version, or predicts another metric than the objective.
 */
export async function openSurrogateModels(
  task: Task,
  options: OpenOptions = {},
): Promise<SurrogateModels> {
  const c = task.card;
  if (c.runner !== "surrogate" || !c.surrogate) {
    throw new TypeError(`Task "${c.id}" is not a surrogate task`);
  }
  const fidelities = [...new Set([...task.costs.keys(), c.target.fidelity])];
  const byFidelity = new Map<string, OpenModel>();
  const sessionOptions = {
    device: options.device ?? "cpu",
    threads: options.threads ?? 1,
    cpuEngine: options.cpuEngine ?? "simd",
  } as const;
  try {
    for (const f of fidelities) {
      const path = c.surrogate.models[f];
      if (!path) throw new TypeError(`Task "${c.id}" names no surrogate model for fidelity "${f}"`);
      const { card, model } = await loadSurrogate(path);
      const problem = !card.gates.pass
        ? "failed its validation gates"
        : card.tableSha256 !== task.table.sha256
        ? `was trained on another version of table "${card.table}"`
        : card.fidelity !== f
        ? `answers fidelity "${card.fidelity}", not "${f}"`
        : task.objective.metrics.length !== 1 || task.objective.metrics[0] !== card.metric
        ? `predicts "${card.metric}", not the objective "${c.objective}"`
        : "";
      if (problem) throw new TypeError(`Surrogate "${card.id}" of task "${c.id}" ${problem}`);
      if (card.region && c.surrogate.outOfRegion !== card.region.outside.policy) {
        throw new TypeError(
          `Task "${c.id}": surrogate "${card.id}" states a trust region, so the task card's ` +
            `surrogate.outOfRegion must be "${card.region.outside.policy}"`,
        );
      }
      const runs = task.table.runs.filter((r) => r.fidelity === f);
      const mixtures = new Float64Array(runs.flatMap((r) => [...r.mixture]));
      const session = await openSession(model, {
        ...sessionOptions,
        inputs: card.model.inputs,
        outputs: card.model.outputs,
      });
      byFidelity.set(f, { card, session, mixtures });
    }
  } catch (e) {
    await Promise.all([...byFidelity.values()].map((m) => m.session.close()));
    throw e;
  }
  const first = byFidelity.values().next().value!.session;
  return {
    byFidelity,
    device: first.device,
    provider: first.provider,
    adapter: first.adapter,
    close: async () => {
      await Promise.all([...byFidelity.values()].map((m) => m.session.close()));
    },
  };
}

/** The hybrid table/surrogate runner of one cell. */
export class SurrogateRunner implements Runner {
  readonly kind = "surrogate" as const;
  /** The models' trust regions by fidelity (absent when no model states one). */
  readonly feasible?: Readonly<Record<string, FeasibleSet>>;
  #task: Task;
  #models: SurrogateModels;
  #decimals: number;
  #query = new Map<string, Map<string, Run>>();
  #target = new Map<string, Run>();
  #hits = 0;
  #predictions = 0;
  #clips = 0;
  #outside = 0;
  /** Evaluation standard error by fidelity, in noisy mode. */
  #noise = new Map<string, number>();
  #seed = 0;

  /**
   * @param task The resolved surrogate task.
   * @param models Its opened models ({@linkcode openSurrogateModels}).
   * @param options The cell's seed (required in noisy mode: it seeds the noise draws).
   * @throws {RangeError} In noisy mode without a seed, or with a model whose card records no
   * evaluation noise.
   */
  constructor(task: Task, models: SurrogateModels, options: { seed?: number } = {}) {
    this.#task = task;
    this.#models = models;
    const sets = [...models.byFidelity].flatMap(([f, m]) =>
      m.card.region ? [[f, regionFeasibleSet(m.card.region, f, m.mixtures)]] : []
    );
    if (sets.length > 0) this.feasible = Object.freeze(Object.fromEntries(sets));
    this.#decimals = task.card.surrogate?.matchDecimals ?? 6;
    if (task.card.surrogate?.noise === "evaluation") {
      if (options.seed === undefined) {
        throw new RangeError(`Task "${task.card.id}" answers with noise: the runner needs a seed`);
      }
      this.#seed = options.seed;
      for (const [f, model] of models.byFidelity) {
        const sd = evaluationNoise(model.card);
        if (sd === null) {
          throw new RangeError(
            `Task "${task.card.id}" asks for evaluation noise, but model card "${model.card.id}" ` +
              "records none (validation.noise)",
          );
        }
        this.#noise.set(f, sd);
      }
    }
    for (const [f, runs] of task.queryPools) {
      const index = new Map<string, Run>();
      for (const r of runs) {
        const key = mixtureKey(r.mixture, this.#decimals);
        if (!index.has(key)) index.set(key, r);
      }
      this.#query.set(f, index);
    }
    for (const r of task.targetPool) {
      const key = mixtureKey(r.mixture, this.#decimals);
      if (!this.#target.has(key)) this.#target.set(key, r);
    }
  }

  /** Table hits, surrogate answers, clips and out-of-region answers so far. */
  get stats(): SurrogateStats {
    return {
      tableHits: this.#hits,
      predictions: this.#predictions,
      clips: this.#clips,
      outOfRegion: this.#outside,
    };
  }

  /** Answers each proposal from the table when it is a table run, else from the surrogate. */
  async evaluate(proposals: readonly Proposal[]): Promise<Observation[]> {
    const out: (Observation | undefined)[] = new Array(proposals.length);
    const misses = new Map<string, number[]>();
    proposals.forEach((p, i) => {
      const cost = queryCost(this.#task, p.fidelity);
      const run = this.#query.get(p.fidelity)!.get(mixtureKey(p.mixture, this.#decimals));
      if (run) {
        this.#hits++;
        out[i] = tableObservation(this.#task, p.mixture, p.fidelity, run, cost);
      } else {
        const idx = misses.get(p.fidelity);
        if (idx) idx.push(i);
        else misses.set(p.fidelity, [i]);
      }
    });
    for (const [f, idx] of misses) {
      const answers = await this.#predict(f, idx.map((i) => proposals[i]!.mixture));
      idx.forEach((i, j) => {
        const a = this.#noisy(f, proposals[i]!.mixture, answers[j]!);
        out[i] = {
          mixture: proposals[i]!.mixture,
          fidelity: f,
          value: this.#task.objective.evaluate(a.metrics),
          metrics: a.metrics,
          cost: this.#task.costs.get(f)!,
          source: a.source,
        };
      });
    }
    return out as Observation[];
  }

  /**
   * The objective of a recommendation at the target fidelity: the table value, or the surrogate's
   * answer under the trust region (outside it, the out-of-region policy), with its source.
   */
  async judge(mixture: Mixture): Promise<Judgement> {
    const run = this.#target.get(mixtureKey(mixture, this.#decimals));
    if (run) {
      return {
        value: this.#task.objective.evaluate(run.metrics),
        row: run.row,
        source: { kind: "table", row: run.row },
      };
    }
    const [a] = await this.#predict(this.#task.card.target.fidelity, [mixture]);
    return { value: this.#task.objective.evaluate(a!.metrics), row: -1, source: a!.source };
  }

  /** The answer with its seeded evaluation noise (noisy mode, in-region answers only). */
  #noisy(
    fidelity: string,
    mixture: Mixture,
    a: { metrics: Record<string, number>; source: SurrogateSource },
  ): { metrics: Record<string, number>; source: SurrogateSource } {
    const sd = this.#noise.get(fidelity);
    if (sd === undefined || a.source.inRegion === false) return a;
    const { card } = this.#models.byFidelity.get(fidelity)!;
    const key = mixtureKey(mixture, this.#decimals);
    const z = new Rng(deriveSeed("runner-noise", this.#task.card.id, this.#seed, fidelity, key))
      .normal();
    const raw = a.metrics[card.metric]! + sd * z;
    const value = Math.min(card.bounds.upper, Math.max(card.bounds.lower, raw));
    return { ...a, metrics: { ...a.metrics, [card.metric]: value } };
  }

  async #predict(
    fidelity: string,
    mixtures: readonly Mixture[],
  ): Promise<{ metrics: Record<string, number>; source: SurrogateSource }[]> {
    const model = this.#models.byFidelity.get(fidelity);
    if (!model) throw new RangeError(`No surrogate model for fidelity "${fidelity}"`);
    const { card, session } = model;
    const m = card.model.inputs;
    const rows = new Float32Array(mixtures.length * m);
    mixtures.forEach((w, i) => rows.set(w, i * m));
    const { mean, spread } = await session.run(rows, mixtures.length);
    const k = card.model.outputs;
    const region: TrustRegion | undefined = card.region;
    const sign = card.direction === "minimize" ? 1 : -1;
    return mixtures.map((w, i) => {
      const s = spread[i * k]!;
      this.#predictions++;
      if (region) {
        const at = checkRegion(region, model.mixtures, w);
        if (!at.inRegion) {
          this.#outside++;
          return {
            metrics: { [card.metric]: region.outside.value },
            source: { kind: "surrogate", ood: at.ood, spread: s, clipped: false, inRegion: false },
          };
        }
        const raw = mean[i * k]! + sign * regionPenalty(region, at.ood, s);
        const value = Math.min(card.bounds.upper, Math.max(card.bounds.lower, raw));
        if (value !== raw) this.#clips++;
        return {
          metrics: { [card.metric]: value },
          source: {
            kind: "surrogate",
            ood: at.ood,
            spread: s,
            clipped: value !== raw,
            inRegion: true,
          },
        };
      }
      const raw = mean[i * k]!;
      const value = Math.min(card.bounds.upper, Math.max(card.bounds.lower, raw));
      const clipped = value !== raw;
      if (clipped) this.#clips++;
      return {
        metrics: { [card.metric]: value },
        source: { kind: "surrogate", ood: nearestDistance(model.mixtures, w), spread: s, clipped },
      };
    });
  }
}
