import { assert, assertEquals } from "../_assert.ts";
import { Rng } from "../../numerics/rng.ts";
import type { AskState, Method, MethodContext, Recommendation } from "../../core/method.ts";
import type { Observation, Proposal } from "../../core/types.ts";
import { runCell } from "../../harness/cell.ts";
import { resolveTask } from "../../core/task.ts";
import { loadTask } from "../../datasets/registry.ts";
import { ReplayRunner } from "../../runners/replay.ts";
import { getMethod } from "../../methods/mod.ts";
import { mfboWith } from "../../methods/mfbo.ts";
import {
  TWIN_RECORDINGS_KEPT,
  type TwinMethod,
  TwinRecordings,
  twinRecordings,
} from "../../methods/_twin_trajectory.ts";

/**
 * A toy twin: asks a random mixture of two domains (drawn from its stream, shifted by what it
 * was told), recommends the best told value ("best") or the last one ("last"); recommending
 * draws from the stream too, so a replay that skipped or reordered calls would show.
 */
function toy(seed: number): TwinMethod {
  const rng = new Rng(seed);
  const told: number[] = [];
  return {
    ask(state: AskState): Proposal[] {
      const u = (rng.next() + told.length * 0.01 + state.spent * 1e-3) % 1;
      return [{ mixture: [u, 1 - u], fidelity: "1" }];
    },
    tell(observations: readonly Observation[]) {
      for (const o of observations) told.push(o.value);
    },
    recommend(rules: readonly string[]): Record<string, Recommendation> {
      const noise = rng.next();
      const out: Record<string, Recommendation> = {};
      for (const r of rules) {
        const v = told.length === 0 ? noise : r === "best" ? Math.min(...told) : told.at(-1)!;
        out[r] = { mixture: [v % 1, 1 - (v % 1)], predicted: v };
      }
      return out;
    },
  };
}

/** A context with no pool: the toy's answers are recorded as copies. */
const CTX = { pool: undefined, targetPool: undefined } as unknown as MethodContext;

function observation(p: Proposal, value: number): Observation {
  return { ...p, value, metrics: { loss: value }, cost: 1, source: { kind: "table", row: 0 } };
}

/** Drives a method through `steps` ask → tell → recommend rounds; the answers, in order. */
function drive(m: Method, steps: number, values = (i: number) => Math.sin(i + 1)): unknown[] {
  const out: unknown[] = [m.recommend()];
  for (let i = 0; i < steps; i++) {
    const asked = m.ask({ spent: i, remaining: 100 - i }) as Proposal[];
    out.push(asked);
    m.tell(asked.map((p) => observation(p, values(i))));
    out.push(m.recommend());
  }
  return out;
}

Deno.test("TwinRecordings.replay() answers from the record, equal to the live twin, without building it", () => {
  const recs = new TwinRecordings();
  const recorded = drive(
    recs.record("k", CTX, toy(3), { rule: "best", rules: ["best", "last"] }),
    6,
  );
  assertEquals(recorded, drive({ ...liveAs(toy(3), "best") }, 6));
  let built = 0;
  const replayed = drive(recs.replay("k", CTX, () => (built++, toy(3)), "last"), 6);
  assertEquals(replayed, drive(liveAs(toy(3), "last"), 6));
  assertEquals(built, 0);
  assertEquals([recs.replayed, recs.wentLive], [1, 0]);
  // Another key has no record: the live twin itself.
  assertEquals(
    drive(recs.replay("other", CTX, () => toy(4), "last"), 3),
    drive(liveAs(toy(4), "last"), 3),
  );
});

Deno.test("TwinRecordings.replay() goes live where a call differs or the record ends, with the live answers", () => {
  const values = (i: number) => (i === 3 ? 9 : Math.sin(i + 1));
  for (const [steps, diverge] of [[6, true], [8, false]] as const) {
    const recs = new TwinRecordings();
    drive(recs.record("k", CTX, toy(5), { rule: "best", rules: ["best", "last"] }), 6);
    const got = drive(
      recs.replay("k", CTX, () => toy(5), "last"),
      steps,
      diverge ? values : undefined,
    );
    const want = drive(liveAs(toy(5), "last"), steps, diverge ? values : undefined);
    assertEquals(got, want);
    assertEquals([recs.replayed, recs.wentLive], diverge ? [0, 1] : [1, 1]);
  }
});

Deno.test("TwinRecordings keeps the newest records only", () => {
  const recs = new TwinRecordings();
  for (let k = 0; k <= TWIN_RECORDINGS_KEPT; k++) {
    drive(recs.record(`k${k}`, CTX, toy(k), { rule: "best", rules: ["best", "last"] }), 2);
  }
  let built = 0;
  drive(recs.replay("k0", CTX, () => (built++, toy(0)), "last"), 2);
  assertEquals(built, 1, "the oldest record was dropped");
  drive(recs.replay(`k${TWIN_RECORDINGS_KEPT}`, CTX, () => (built++, toy(0)), "last"), 2);
  assertEquals(built, 1, "the newest is kept");
});

function liveAs(m: TwinMethod, rule: string): Method {
  return {
    ask: (s) => m.ask(s),
    tell: (o) => m.tell(o),
    recommend: () => m.recommend([rule])[rule]!,
  };
}

Deno.test("mfbo-pm after mfbo in one process gives the live mfbo-pm line, replayed (admire-ift/avg-7b)", async () => {
  const base = await loadTask("admire-ift/avg-7b");
  const task = resolveTask(
    { ...base.card, budget: 2, checkpoints: [0.5, 1, 2], recordEvery: "query" },
    base.table,
  );
  const cell = async (id: string, seed: number) => {
    const { timings: _, ...line } = await runCell({
      task,
      runner: new ReplayRunner(task),
      factory: getMethod(id),
      seed,
      suite: "test",
      timeLimitMs: 60_000,
    });
    return line;
  };
  for (const seed of [11, 12]) {
    const before = twinRecordings.replayed;
    const live = await cell("mfbo-pm", seed);
    assertEquals(twinRecordings.replayed, before, "no record yet: a live cell");
    const mfbo = await cell("mfbo", seed);
    const replayed = await cell("mfbo-pm", seed);
    assertEquals(twinRecordings.replayed, before + 1);
    assertEquals(replayed, live);
    assertEquals(replayed.trajectory, mfbo.trajectory);
    assert(replayed.trajectory.length >= 4);
  }
  // Other options are another trajectory: no replay.
  const before = twinRecordings.replayed;
  await runCell({
    task,
    runner: new ReplayRunner(task),
    factory: mfboWith({ recommend: "posterior-mean", samples: 64 }),
    seed: 11,
    suite: "test",
    timeLimitMs: 60_000,
  });
  assertEquals(twinRecordings.replayed, before);
});
