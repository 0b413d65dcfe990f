/**
 * The `train` runner (static mode, continuous): every proposal is answered by a **fresh training
 * run** of the `minimix` environment ({@linkcode freshRun}) on the proposed mixture at the
 * proposed fidelity — the honest counterpart of the surrogate runner. Finished runs are cached,
 * content-addressed by (environment version, fidelity, training domains, mixture, seed), so a
 * repeated query costs no compute and returns the identical answer; the method is still charged
 * the fidelity's cost.
 *
 * Merge-proxy mode (a card's `train.proxy` is `{kind: "merge", build}`): queries are answered not
 * by fresh runs but by the merge proxy of runners/train/merge.ts (Na et al., EMNLP 2024,
 * arXiv 2410.15661): at the task's one query fidelity, a base model trains half the steps on the
 * uniform mixture and one copy per domain continues on that domain alone; a query's answer is the
 * validation losses of the mixture-weighted average of the copies' parameters. The proxy is built
 * once per runner (on the first query whose answer is not cached) and its training, ½ + ½ per
 * domain runs of the query fidelity, is the card's `build`, charged once: the card's `budget` is
 * what is left after it. A query costs the card's query cost (its validation forward passes).
 * Answers are cached like fresh runs, under a key that also names the proxy. Recommendations are
 * judged by a fresh run at the target fidelity, as in the plain mode.
 *
 * Metrics of a run: `loss_<domain>` (validation bits/byte of each of the eight corpus domains,
 * whether or not the task trains on it), `avg` (their mean, Aioli's metric) and `worst` (their
 * maximum, DoReMi's motivation).
 *
 * @example
 * ```ts ignore
 * const task = await loadTask("minimix/avg");
 * const runner = new TrainRunner(task);
 * const [obs] = await runner.evaluate([{ mixture: task.table.card.domains.map(() => 1 / 8), fidelity: "S" }]);
 * ```
 *
 * @module
 */

import { join } from "node:path";
import type { Judgement, Runner } from "../core/runner.ts";
import type { Task } from "../core/task.ts";
import type { Mixture, Observation, Proposal } from "../core/types.ts";
import { type Corpus, DOMAINS, loadCorpus, sha256Hex } from "./train/corpus.ts";
import { ENV_VERSION, freshRun, type RunResult } from "./train/env.ts";
import { buildMergeProxy, type MergeProxy } from "./train/merge.ts";
import { trainFidelity } from "./train/fidelities.ts";
import { queryCost } from "./replay.ts";

/** A finished run as cached: its metrics and bookkeeping. */
export interface CachedRun {
  /** Metric values (`loss_<domain>`, `avg`, `worst`). */
  readonly metrics: Readonly<Record<string, number>>;
  /** Epochs over each training domain. */
  readonly epochs: readonly number[];
  /** Milliseconds the run took when it was trained. */
  readonly ms: number;
}

/** Where finished runs are kept. */
export interface RunCache {
  /** The run under a key, if cached. */
  get(key: string): CachedRun | undefined;
  /** Stores a run. */
  set(key: string, run: CachedRun): void;
  /**
   * Claims a missing run for training, across the processes that share the cache, so that two
   * cells asking for the same run at once train it once: resolves when this caller may train it
   * (with the release to call after storing it), or when another process has stored it meanwhile
   * (the caller then finds it with `get`). Absent: every caller trains.
   */
  claim?(key: string): Promise<() => void>;
}

/** A per-process cache in memory. */
export class MemoryRunCache implements RunCache {
  #runs = new Map<string, CachedRun>();
  /** The run under a key, if cached. */
  get(key: string): CachedRun | undefined {
    return this.#runs.get(key);
  }
  /** Stores a run. */
  set(key: string, run: CachedRun): void {
    this.#runs.set(key, run);
  }
}

/** A cache of one JSON file per run in a folder (in front of a memory cache). */
export class DirRunCache implements RunCache {
  #dir: string;
  #memory = new MemoryRunCache();
  /** @param dir The folder (created on first write). */
  constructor(dir: string) {
    this.#dir = dir;
  }
  /** The run under a key, if cached. */
  get(key: string): CachedRun | undefined {
    const hit = this.#memory.get(key);
    if (hit) return hit;
    try {
      const run = JSON.parse(Deno.readTextFileSync(join(this.#dir, `${key}.json`))) as CachedRun;
      this.#memory.set(key, run);
      return run;
    } catch {
      return undefined;
    }
  }
  /** Stores a run. */
  set(key: string, run: CachedRun): void {
    this.#memory.set(key, run);
    Deno.mkdirSync(this.#dir, { recursive: true });
    // Write then rename, so that a concurrent reader never sees half a file.
    const tmp = join(this.#dir, `${key}.${crypto.randomUUID()}.tmp`);
    Deno.writeTextFileSync(tmp, JSON.stringify(run));
    Deno.renameSync(tmp, join(this.#dir, `${key}.json`));
  }
  /**
   * Claims a missing run with a lock file `<key>.lock` (created exclusively): the holder trains,
   * the others wait for its `<key>.json`. A waiter gives up after {@linkcode CLAIM_WAIT_MS} and
   * trains the run itself (the same run: results never depend on who trains it), so a lock left
   * by a killed process costs a wait, never a wrong answer; the bench removes leftover locks
   * when it starts.
   */
  async claim(key: string): Promise<() => void> {
    const lock = join(this.#dir, `${key}.lock`);
    const release = () => {
      try {
        Deno.removeSync(lock);
      } catch { /* already gone */ }
    };
    Deno.mkdirSync(this.#dir, { recursive: true });
    const t0 = Date.now();
    while (Date.now() - t0 < CLAIM_WAIT_MS) {
      try {
        Deno.openSync(lock, { write: true, createNew: true }).close();
        return release;
      } catch (e) {
        if (!(e instanceof Deno.errors.AlreadyExists)) throw e;
      }
      if (this.get(key)) return () => {};
      await new Promise((r) => setTimeout(r, 200));
    }
    return () => {};
  }
}

/** How long {@linkcode DirRunCache.claim} waits for another process's run (ms). */
export const CLAIM_WAIT_MS = 180_000;

/** The metrics of a finished run. */
export function runMetrics(result: RunResult): Record<string, number> {
  const out: Record<string, number> = {};
  DOMAINS.forEach((d, i) => (out[`loss_${d.name}`] = result.valid[i]!));
  out.avg = result.valid.reduce((s, x) => s + x, 0) / result.valid.length;
  out.worst = Math.max(...result.valid);
  return out;
}

/**
 * The content address of a run: sha256 of its canonical description.
 *
 * @example
 * ```ts
 * import { runKey } from "./train.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * const a = await runKey({ fidelity: "S", domains: ["moby", "udhr"], mixture: [0.5, 0.5], seed: 0 });
 * assertEquals(a.length, 64);
 * ```
 */
export function runKey(spec: {
  fidelity: string;
  domains: readonly string[];
  mixture: Mixture;
  seed: number;
  /** A proxy that answers instead of a fresh run (`merge`); absent for fresh runs. */
  proxy?: string;
}): Promise<string> {
  const text = JSON.stringify({
    env: "minimix",
    version: ENV_VERSION,
    fidelity: spec.fidelity,
    domains: spec.domains,
    mixture: spec.mixture,
    seed: spec.seed,
    ...(spec.proxy === undefined ? {} : { proxy: spec.proxy }),
  });
  return sha256Hex(new TextEncoder().encode(text));
}

/**
 * A finished run from the cache, or trained now and cached: the one get-or-train step of the
 * `train` runner and of the table and measurement builds.
 *
 * @param cache Where finished runs are kept.
 * @param corpus The corpus (called only when the run must be trained).
 * @param spec Fidelity, domain names (for the key) and their corpus indices, mixture, seed.
 * @returns The run's key, the run, and whether it came from the cache.
 */
export async function cachedRun(
  cache: RunCache,
  corpus: () => Corpus,
  spec: {
    readonly fidelity: string;
    readonly domains: readonly string[];
    readonly trainDomains: readonly number[];
    readonly mixture: Mixture;
    readonly seed: number;
  },
): Promise<{ key: string; run: CachedRun; cached: boolean }> {
  const key = await runKey({
    fidelity: spec.fidelity,
    domains: spec.domains,
    mixture: spec.mixture,
    seed: spec.seed,
  });
  const hit = cache.get(key);
  if (hit) return { key, run: hit, cached: true };
  // Another process may be training the same run right now: wait for it rather than train it
  // twice (a bench's cells ask for the same uniform L run at once).
  const release = await cache.claim?.(key);
  try {
    const late = cache.get(key);
    if (late) return { key, run: late, cached: true };
    const result = freshRun(corpus(), {
      trainDomains: spec.trainDomains,
      mixture: spec.mixture,
      fidelity: spec.fidelity,
      seed: spec.seed,
    });
    const run: CachedRun = { metrics: runMetrics(result), epochs: result.epochs, ms: result.ms };
    cache.set(key, run);
    return { key, run, cached: false };
  } finally {
    release?.();
  }
}

/**
 * The merge proxies built in this process, by (environment version, fidelity, domains, seed): a
 * proxy is deterministic, so every runner of the same task shares one.
 */
const proxies = new Map<string, MergeProxy>();

/** The merge proxy of (fidelity, domains, seed), built now if this process has none. */
function mergeProxy(
  corpus: () => Corpus,
  spec: { fidelity: string; trainDomains: readonly number[]; seed: number },
): { proxy: MergeProxy; built: boolean } {
  const id = JSON.stringify([ENV_VERSION, spec.fidelity, spec.trainDomains, spec.seed]);
  const hit = proxies.get(id);
  if (hit) return { proxy: hit, built: false };
  const proxy = buildMergeProxy(corpus(), spec);
  proxies.set(id, proxy);
  return { proxy, built: true };
}

/**
 * The training charged once for a task's merge proxy: ½ + ½ per domain runs of its query
 * fidelity, in the task's cost unit (the fidelity's query cost in a fresh-run task is its
 * `cost` in S runs).
 *
 * @example
 * ```ts
 * import { mergeBuildCost } from "./train.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * assertEquals(mergeBuildCost("S", 8), 4.5);
 * assertEquals(mergeBuildCost("M", 8), 18);
 * ```
 */
export function mergeBuildCost(fidelity: string, domains: number): number {
  return (0.5 + 0.5 * domains) * trainFidelity(fidelity).cost;
}

/** Options of {@linkcode TrainRunner}. */
export interface TrainRunnerOptions {
  /** Where finished runs are kept. @default {a new in-memory cache} */
  cache?: RunCache;
  /** The corpus. @default {loadCorpus()} */
  corpus?: Corpus;
}

/** Answers proposals with fresh training runs. */
export class TrainRunner implements Runner {
  readonly kind = "train" as const;
  #task: Task;
  #cache: RunCache;
  #corpus: Corpus | undefined;
  #domains: readonly string[];
  #indices: readonly number[];
  #seed: number;
  #proxy: boolean;
  #trained = 0;
  #hits = 0;
  #built = 0;

  /**
   * @param task A resolved task whose card has runner `train`.
   * @param options Cache and corpus.
   * @throws {TypeError} When the task is not a `train` task.
   */
  constructor(task: Task, options: TrainRunnerOptions = {}) {
    const t = task.card.train;
    if (task.card.runner !== "train" || !t) {
      throw new TypeError(`Task "${task.card.id}" is not a train task`);
    }
    this.#task = task;
    this.#cache = options.cache ?? new MemoryRunCache();
    this.#corpus = options.corpus;
    this.#domains = t.domains;
    const names = DOMAINS.map((d) => d.name);
    this.#indices = t.domains.map((n) => names.indexOf(n));
    this.#seed = t.seed;
    this.#proxy = t.proxy !== undefined;
    if (t.proxy) {
      if (t.proxy.kind !== "merge") {
        throw new TypeError(`Task "${task.card.id}": unknown train.proxy "${t.proxy.kind}"`);
      }
      const fids = [...task.costs.keys()];
      if (fids.length !== 1) {
        throw new TypeError(
          `Task "${task.card.id}": a merge proxy needs exactly one query fidelity, got ${fids.length}`,
        );
      }
      const expected = mergeBuildCost(fids[0]!, t.domains.length);
      if (Math.abs(t.proxy.build - expected) > 1e-9) {
        throw new TypeError(
          `Task "${task.card.id}": train.proxy.build is ${t.proxy.build}, but ½ + ½ per domain ` +
            `runs of fidelity "${fids[0]}" cost ${expected} S runs`,
        );
      }
    }
  }

  /**
   * Runs trained and runs answered from the cache so far (in merge-proxy mode, `trained` also
   * counts the proxy answers computed).
   */
  get stats(): { trained: number; cached: number } {
    return { trained: this.#trained, cached: this.#hits };
  }

  /** Merge proxies this runner built (0 or 1; another runner's proxy in this process is reused). */
  get proxiesBuilt(): number {
    return this.#built;
  }

  /** A merge-proxy answer, from the cache or computed now (building the proxy if needed). */
  async #merged(
    mixture: Mixture,
    fidelity: string,
  ): Promise<{ key: string; run: CachedRun; cached: boolean }> {
    const key = await runKey({
      fidelity,
      domains: this.#domains,
      mixture,
      seed: this.#seed,
      proxy: "merge",
    });
    const hit = this.#cache.get(key);
    if (hit) {
      this.#hits++;
      return { key, run: hit, cached: true };
    }
    const t0 = performance.now();
    const { proxy, built } = mergeProxy(() => (this.#corpus ??= loadCorpus()), {
      fidelity,
      trainDomains: this.#indices,
      seed: this.#seed,
    });
    if (built) this.#built++;
    const valid = proxy.evaluate(mixture);
    const metrics = runMetrics({ valid, train: [], epochs: [], steps: 0, ms: 0 });
    const run: CachedRun = { metrics, epochs: proxy.epochs, ms: performance.now() - t0 };
    this.#cache.set(key, run);
    this.#trained++;
    return { key, run, cached: false };
  }

  /** A run's metrics, from the cache or trained now. */
  async #run(
    mixture: Mixture,
    fidelity: string,
  ): Promise<{ key: string; run: CachedRun; cached: boolean }> {
    const out = await cachedRun(this.#cache, () => (this.#corpus ??= loadCorpus()), {
      fidelity,
      domains: this.#domains,
      trainDomains: this.#indices,
      mixture,
      seed: this.#seed,
    });
    if (out.cached) this.#hits++;
    else this.#trained++;
    return out;
  }

  /** Answers each proposal with a fresh run (or its cached twin). */
  async evaluate(proposals: readonly Proposal[]): Promise<Observation[]> {
    const out: Observation[] = [];
    for (const p of proposals) {
      const cost = queryCost(this.#task, p.fidelity);
      const { key, run, cached } = this.#proxy
        ? await this.#merged(p.mixture, p.fidelity)
        : await this.#run(p.mixture, p.fidelity);
      out.push({
        mixture: p.mixture,
        fidelity: p.fidelity,
        value: this.#task.objective.evaluate(run.metrics),
        metrics: run.metrics,
        cost,
        source: { kind: "train", key, cached, epochs: run.epochs },
      });
    }
    return out;
  }

  /** The objective of a fresh run of the recommendation at the target fidelity. */
  async judge(mixture: Mixture): Promise<Judgement> {
    const { run } = await this.#run(mixture, this.#task.card.target.fidelity);
    return { value: this.#task.objective.evaluate(run.metrics), row: -1 };
  }
}
