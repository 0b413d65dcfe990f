/**
 * Speed of the BO methods' steps and cells, scheduled refits against exact (every-step) mode
 * (issue 11 targets: one BO / MF-BO step with n = 400 observations and ≈1000 candidates
 * ≤ 20 ms; one `mfbo` cell on regmix-pile/avg-1b ≤ 3 s).
 *
 * - step: a synthetic multi-fidelity pool (1400 mixtures in 17 dimensions, fidelities 0.001,
 *   0.06 and 1, a smooth objective plus noise), 400 observations told, then the time of the
 *   next `ask` (after one more observation) for `bo` and `mfbo`: a scheduled step (the
 *   posterior extended, no refit) and an exact step (MAP refit + everything recomputed);
 * - cell: whole `mfbo` cells on regmix-pile/avg-1b, wall and queries, for the given seeds.
 *
 * Usage: deno run -A tests/perf/bo_speed.ts [step] [cell] [--seeds 0,1,2] [--exact] [--no-exact]
 * (both parts by default; `--exact` adds exact-mode cells, about 100 s each; `--no-exact`
 * skips the exact-mode steps).
 *
 * @module
 */

import process from "node:process";
import type { Method, MethodContext, MethodFactory } from "../../core/method.ts";
import type { Observation, Proposal } from "../../core/types.ts";
import { runCell } from "../../harness/cell.ts";
import { loadTask } from "../../datasets/registry.ts";
import { boWith } from "../../methods/bo.ts";
import { mfboWith } from "../../methods/mfbo.ts";
import { Rng } from "../../numerics/rng.ts";
import { ReplayRunner } from "../../runners/replay.ts";

const args = Deno.args;
const parts = args.filter((a) => !a.startsWith("--") && !/^[\d,]+$/.test(a));
const seedAt = args.indexOf("--seeds");
const seeds = seedAt >= 0 ? args[seedAt + 1]!.split(",").map(Number) : [0, 1, 2];
const want = (p: string) => parts.length === 0 || parts.includes(p);

const D = 17, POOL = 1400, TOLD = 400;
const FIDS = ["s", "m", "l"], COSTS: Record<string, number> = { s: 0.001, m: 0.06, l: 1 };

/**
 * A synthetic pool-mode context: Dirichlet(1) mixtures, at the three fidelities in turn
 * (`multi`) or all at the target fidelity.
 */
function syntheticContext(
  seed: number,
  multi: boolean,
): { ctx: MethodContext; value: (p: Proposal) => number } {
  const rng = new Rng(seed);
  const mixtures = Array.from({ length: POOL }, () => {
    const w = Array.from({ length: D }, () => -Math.log(1 - rng.next()));
    const s = w.reduce((a, b) => a + b, 0);
    return w.map((v) => v / s);
  });
  const pool: Proposal[] = mixtures.map((mixture, i) => ({
    mixture,
    fidelity: multi ? FIDS[i % 3]! : "l",
  }));
  const weights = Array.from({ length: D }, () => rng.normal());
  const value = (p: Proposal) => {
    let s = 0;
    for (let k = 0; k < D; k++) s += weights[k]! * Math.sqrt(p.mixture[k]!);
    return s + 0.3 * COSTS[p.fidelity]! * Math.sin(5 * p.mixture[0]!) + 0.01 * rng.normal();
  };
  const ctx: MethodContext = {
    task: "synthetic@1",
    objective: { expression: "synthetic", direction: "maximize" },
    domains: Array.from({ length: D }, (_, k) => ({ name: `d${k}`, prior: 1 / D })),
    prior: Array(D).fill(1 / D),
    fidelities: FIDS,
    costs: COSTS,
    targetFidelity: "l",
    mode: "pool",
    pool,
    targetPool: pool.filter((p) => p.fidelity === "l").map((p) => p.mixture),
    budget: 1e9,
    rng: new Rng(seed + 1),
  };
  return { ctx, value };
}

function observe(p: Proposal, value: (p: Proposal) => number): Observation {
  return {
    ...p,
    value: value(p),
    metrics: {},
    cost: COSTS[p.fidelity]!,
    source: { kind: "table", row: 0 },
  };
}

/** Wall and CPU (user + system) milliseconds of a call; CPU time is what a shared machine's load does not inflate. */
async function timed(fn: () => unknown): Promise<{ wall: number; cpu: number }> {
  const c = process.cpuUsage(), t = performance.now();
  await fn();
  const wall = performance.now() - t, u = process.cpuUsage(c);
  return { wall, cpu: (u.user + u.system) / 1000 };
}

/** Times the ask after TOLD observations plus one more (so the schedule has state). */
async function stepTimes(
  factory: MethodFactory,
  multi: boolean,
  reps: number,
): Promise<{ wall: number; cpu: number }[]> {
  const { ctx, value } = syntheticContext(7, multi);
  const method: Method = factory.create(ctx);
  const order = new Rng(3).shuffle(ctx.pool!.map((_, i) => i));
  // Told without being asked: the method matches them to the pool. A refit happens here.
  await method.tell(order.slice(0, TOLD).map((i) => observe(ctx.pool![i]!, value)));
  await method.ask({ spent: 0, remaining: 1e9 });
  const times: { wall: number; cpu: number }[] = [];
  for (let r = 0; r < reps; r++) {
    const [p] = await method.ask({ spent: 0, remaining: 1e9 });
    await method.tell([observe(p!, value)]);
    times.push(await timed(() => method.ask({ spent: 0, remaining: 1e9 })));
  }
  return times;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

if (want("step")) {
  const cases: [string, MethodFactory, boolean, number][] = [
    ["bo (scheduled)", boWith(), false, 9],
    ["bo (exact)", boWith({ refit: "every-step" }), false, 3],
    ["mfbo (scheduled)", mfboWith(), true, 9],
    ["mfbo (exact)", mfboWith({ refit: "every-step" }), true, 3],
  ];
  for (const [label, factory, multi, reps] of cases) {
    if (args.includes("--no-exact") && label.includes("exact")) continue;
    const times = await stepTimes(factory, multi, reps);
    const wall = times.map((t) => t.wall), cpu = times.map((t) => t.cpu);
    console.log(
      `step n=${TOLD + 2}, ${POOL - TOLD - 2} open candidates, ${label}: median ${
        median(wall).toFixed(1)
      } ms wall, ${median(cpu).toFixed(1)} ms CPU (wall: ${
        wall.map((t) => t.toFixed(0)).join(", ")
      })`,
    );
  }
}

if (want("cell")) {
  const task = await loadTask("regmix-pile/avg-1b");
  const modes: [string, MethodFactory][] = [["scheduled", mfboWith()]];
  if (args.includes("--exact")) modes.push(["exact", mfboWith({ refit: "every-step" })]);
  for (const [label, factory] of modes) {
    for (const seed of seeds) {
      let line: Awaited<ReturnType<typeof runCell>> | undefined;
      const t = await timed(async () => {
        line = await runCell({
          task,
          runner: new ReplayRunner(task),
          factory,
          seed,
          suite: "perf",
          timeLimitMs: 900_000,
        });
      });
      const n = line!.status === "ok" ? line!.trajectory.length : 0;
      console.log(
        `cell mfbo (${label}) regmix-pile/avg-1b seed ${seed}: ${
          (t.wall / 1000).toFixed(2)
        } s wall, ${(t.cpu / 1000).toFixed(2)} s CPU, ${n} queries, ${line!.status}`,
      );
    }
  }
}
