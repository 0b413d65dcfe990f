/**
 * Twin trajectories: two methods whose asks and tells are the same function of their context
 * and of the calls made so far, and which differ only in the rule that picks the
 * recommendation (`mfbo` and `mfbo-pm`: the same GP, max-value sample and MF-MES steps, a
 * different argmax at the end). A cell of the first twin records every call it answers, with
 * its recommendations under every rule; a later cell of the other twin in the same process,
 * with the same context (task, pools, costs, budget, objective, the state of its random
 * stream) and options, replays that record instead of recomputing it: each call it receives is
 * compared with the recorded one and answered from the record while they agree.
 *
 * When a call differs from the record, or the record ends (its cell failed), the replaying cell
 * builds the live method on its own context (whose random stream the replay never touched),
 * repeats every call it received so far on it, in order, and goes on live. A method that is a
 * deterministic function of its context and calls answers those repeated calls as the record
 * did, so a replayed line equals a live one bit for bit whatever ran before it in the process;
 * only its `timings` differ. The bench runs a group's cells back to back in one process
 * (`SHARED_WORK` in harness/scheduler.ts).
 *
 * @module
 */

import type { AskState, Method, MethodContext, Recommendation } from "../core/method.ts";
import type { Observation, Proposal } from "../core/types.ts";

/** A method that can recommend under several rules at once (one twin's live instance). */
export interface TwinMethod {
  /** As {@linkcode Method.ask} (synchronous). */
  ask(state: AskState): readonly Proposal[];
  /** As {@linkcode Method.tell} (synchronous). */
  tell(observations: readonly Observation[]): void;
  /**
   * The current recommendation under each of `rules`, by rule. Asking for more rules never
   * changes later answers.
   */
  recommend(rules: readonly string[]): Readonly<Record<string, Recommendation>>;
}

/**
 * An object of an answer: a member of the context's pool or target pool, by index (a replay
 * answers with the same member of its own context, as the live method would), else a copy.
 */
type Ref = { readonly pool: number } | { readonly target: number } | { readonly copy: unknown };

/** A recorded recommendation: its mixture as a {@link Ref}, the other fields copied. */
interface RecordedRecommendation {
  readonly mixture: Ref;
  readonly rest: Omit<Recommendation, "mixture">;
}

/** One answered call of a recorded cell. */
type Call =
  | { readonly kind: "ask"; readonly arg: string; readonly answer: readonly Ref[] }
  | { readonly kind: "tell"; readonly arg: string }
  | {
    readonly kind: "recommend";
    readonly answer: Readonly<Record<string, RecordedRecommendation>>;
  };

/** Encodes answer objects of a context as {@link Ref}s and decodes them in another. */
class Refs {
  readonly #ctx: MethodContext;
  #index: Map<unknown, Ref> | undefined;

  constructor(ctx: MethodContext) {
    this.#ctx = ctx;
  }

  encode(x: unknown): Ref {
    if (!this.#index) {
      const index = new Map<unknown, Ref>();
      this.#ctx.targetPool?.forEach((t, i) => index.has(t) || index.set(t, { target: i }));
      this.#ctx.pool?.forEach((p, i) => index.has(p) || index.set(p, { pool: i }));
      this.#index = index;
    }
    return this.#index.get(x) ?? { copy: structuredClone(x) };
  }

  decode(r: Ref): unknown {
    if ("pool" in r) return this.#ctx.pool![r.pool];
    if ("target" in r) return this.#ctx.targetPool![r.target];
    return structuredClone(r.copy);
  }

  encodeRecommendation(rec: Recommendation): RecordedRecommendation {
    const { mixture, ...rest } = rec;
    return { mixture: this.encode(mixture), rest: structuredClone(rest) };
  }

  decodeRecommendation(r: RecordedRecommendation): Recommendation {
    return {
      mixture: this.decode(r.mixture) as Recommendation["mixture"],
      ...structuredClone(r.rest),
    };
  }
}

/** A call a replaying cell received (kept to repeat it on the live method). */
type Received =
  | { readonly kind: "ask"; readonly state: AskState }
  | { readonly kind: "tell"; readonly observations: readonly Observation[] }
  | { readonly kind: "recommend" };

/** How many recorded cells a process keeps. */
export const TWIN_RECORDINGS_KEPT = 4;

/**
 * The recorded cells of a process, newest first (at most {@link TWIN_RECORDINGS_KEPT}), with
 * the count of cells that replayed one to the end.
 */
export class TwinRecordings {
  #kept: { key: string; calls: Call[] }[] = [];
  #replayed = 0;
  #live = 0;

  /** Cells whose every call was answered from a record. */
  get replayed(): number {
    return this.#replayed;
  }

  /** Replaying cells that went live (a call differed from the record, or it ended). */
  get wentLive(): number {
    return this.#live;
  }

  /**
   * A cell of the recording twin: runs `live` and records its calls under `key`, with the
   * recommendation under every one of `rules`; the cell's own recommendation is `rule`'s.
   *
   * @param key The cell's context and options ({@linkcode twinKey}).
   * @param ctx The cell's context.
   * @param live The live instance.
   * @param options The cell's rule and every rule to record.
   * @returns The cell's method.
   */
  record(
    key: string,
    ctx: MethodContext,
    live: TwinMethod,
    options: { rule: string; rules: readonly string[] },
  ): Method {
    const calls: Call[] = [];
    const refs = new Refs(ctx);
    this.#kept = [{ key, calls }, ...this.#kept.filter((e) => e.key !== key)]
      .slice(0, TWIN_RECORDINGS_KEPT);
    return {
      ask(state) {
        const answer = live.ask(state);
        calls.push({
          kind: "ask",
          arg: JSON.stringify(state),
          answer: answer.map((p) => refs.encode(p)),
        });
        return answer;
      },
      tell(observations) {
        live.tell(observations);
        calls.push({ kind: "tell", arg: JSON.stringify(observations) });
      },
      recommend() {
        const all = live.recommend(options.rules);
        const answer: Record<string, RecordedRecommendation> = {};
        for (const r of options.rules) answer[r] = refs.encodeRecommendation(all[r]!);
        calls.push({ kind: "recommend", answer });
        return all[options.rule]!;
      },
    };
  }

  /**
   * A cell of the replaying twin: answers from the record kept under `key` while its calls
   * agree with it, else from `live()` (built once, then given every call received so far).
   * Without a record, the live method itself.
   *
   * @param key The cell's context and options ({@linkcode twinKey}).
   * @param ctx The cell's context.
   * @param live Builds the live instance on the cell's context.
   * @param rule The cell's rule.
   * @returns The cell's method.
   */
  replay(key: string, ctx: MethodContext, live: () => TwinMethod, rule: string): Method {
    const calls = this.#kept.find((e) => e.key === key)?.calls;
    if (!calls) return liveMethod(live(), rule);
    const refs = new Refs(ctx);
    const received: Received[] = [];
    let at = 0;
    let method: TwinMethod | undefined;
    const count = () => {
      if (at === calls.length && !method) this.#replayed++;
    };
    const goLive = (): TwinMethod => {
      this.#live++;
      const m = live();
      for (const r of received) {
        if (r.kind === "ask") m.ask(r.state);
        else if (r.kind === "tell") m.tell(r.observations);
        else m.recommend([rule]);
      }
      return (method = m);
    };
    return {
      ask(state) {
        if (!method) {
          const c = calls[at];
          if (c?.kind === "ask" && c.arg === JSON.stringify(state)) {
            at++;
            received.push({ kind: "ask", state });
            count();
            return c.answer.map((r) => refs.decode(r) as Proposal);
          }
        }
        return (method ?? goLive()).ask(state);
      },
      tell(observations) {
        if (!method) {
          const c = calls[at];
          if (c?.kind === "tell" && c.arg === JSON.stringify(observations)) {
            at++;
            received.push({ kind: "tell", observations });
            count();
            return;
          }
        }
        (method ?? goLive()).tell(observations);
      },
      recommend() {
        if (!method) {
          const c = calls[at];
          if (c?.kind === "recommend" && c.answer[rule] !== undefined) {
            at++;
            received.push({ kind: "recommend" });
            count();
            return refs.decodeRecommendation(c.answer[rule]!);
          }
        }
        return (method ?? goLive()).recommend([rule])[rule]!;
      },
    };
  }
}

/** A live twin as a plain method recommending under `rule`. */
function liveMethod(m: TwinMethod, rule: string): Method {
  return {
    ask: (state) => m.ask(state),
    tell: (observations) => m.tell(observations),
    recommend: () => m.recommend([rule])[rule]!,
  };
}

/**
 * The key of a cell's record: the options that shape the trajectory, the state of the context's
 * random stream, and every other field of the context.
 *
 * @param ctx The cell's context (its random stream is read, not drawn from).
 * @param options The options the twins share (JSON-serialisable).
 * @returns The key.
 */
export function twinKey(ctx: MethodContext, options: unknown): string {
  const { rng, ...rest } = ctx;
  return JSON.stringify([options, rng.state(), rest]);
}

/** The records of this process ({@link TwinRecordings}). */
export const twinRecordings: TwinRecordings = new TwinRecordings();
