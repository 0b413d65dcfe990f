import { assert, assertEquals, assertRejects, assertThrows } from "../_assert.ts";
import { loadCorpus } from "../../runners/train/corpus.ts";
import { minimixTable } from "../../datasets/minimix/table.ts";
import { BATCH_BYTES, freshRun, SEQS_PER_BATCH, Trainer } from "../../runners/train/env.ts";
import { cachedRun, DirRunCache, MemoryRunCache, TrainRunner } from "../../runners/train.ts";
import { resolveTask, TASK_SCHEMA, type TaskCard } from "../../core/task.ts";
import { runCell } from "../../harness/cell.ts";
import { loadMethod } from "../../methods/mod.ts";
import { withVersions } from "../../core/results.ts";
import { validate } from "../../reports/json_schema.ts";

const corpus = loadCorpus();
const ALL = corpus.domains.map((_, i) => i);
const uniform = ALL.map(() => 1 / ALL.length);

Deno.test("freshRun() is deterministic for a seed, bit for bit, and the seed changes the data order", () => {
  const spec = { trainDomains: ALL, mixture: uniform, fidelity: "S", seed: 3 };
  const a = freshRun(corpus, spec), b = freshRun(corpus, spec);
  assertEquals(a.valid, b.valid);
  assertEquals(a.train, b.train);
  const c = freshRun(corpus, { ...spec, seed: 4 });
  assert(a.valid.some((x, i) => x !== c.valid[i]));
  // Uniform: every domain saw the same bytes.
  assertEquals(new Set(a.epochs).size, 1);
  assertEquals(a.steps * BATCH_BYTES, 1 << 18);
});

Deno.test("Trainer gives each domain its exact share of sequences, batch by batch", () => {
  const tr = new Trainer(corpus, {
    trainDomains: [0, 3, 7],
    mixture: [0.5, 0.25, 0.25],
    fidelity: "S",
    seed: 0,
  });
  const totals = [0, 0, 0];
  for (let s = 0; s < 4; s++) {
    const { counts, nats } = tr.trainBatch();
    assertEquals(counts.reduce((x, y) => x + y, 0), SEQS_PER_BATCH);
    counts.forEach((c, i) => (totals[i] = totals[i]! + c));
    nats.forEach((x, i) => assert(counts[i] === 0 ? x === 0 : x > 0));
  }
  assertEquals(totals, [16, 8, 8]);
  // Online: the weights may change mid-run.
  tr.setWeights([0, 0, 1]);
  assertEquals(tr.trainBatch().counts, [0, 0, 8]);
  assertThrows(() => tr.setWeights([0.5, 0.6, -0.1]), RangeError, /non-negative/);
});

Deno.test("a domain trained alone lowers its own validation loss more than any other domain's", () => {
  const names = corpus.domains.map((d) => d.name);
  for (const d of ALL) {
    const r = freshRun(corpus, { trainDomains: [d], mixture: [1], fidelity: "S", seed: 0 });
    // The untrained model spends exactly 8 bits per byte on every domain.
    const gain = r.valid.map((x) => 8 - x);
    for (const e of ALL) {
      if (e !== d) {
        assert(gain[d]! > gain[e]!, `${names[d]} alone: ${gain[d]} vs ${names[e]} ${gain[e]}`);
      }
    }
  }
});

function card(over: Partial<TaskCard> = {}): TaskCard {
  return {
    schema: TASK_SCHEMA,
    id: "minimix/test",
    version: 1,
    title: "t",
    description: "t",
    track: "optimize",
    table: "minimix",
    objective: "avg",
    direction: "minimize",
    runner: "train",
    train: { env: "minimix", domains: ["moby", "ts_code", "udhr"], seed: 0 },
    query: [{ fidelity: "S", cost: 1 }],
    target: { fidelity: "S" },
    budget: 3,
    checkpoints: [3],
    costUnit: "S runs",
    reference: { zero: 4, best: 3, bestRow: -1 },
    ...over,
  };
}

Deno.test("TrainRunner answers with fresh runs, charges the fidelity's cost and caches by content", async () => {
  const c = card();
  const task = resolveTask(c, minimixTable(c.train!.domains));
  const cache = new MemoryRunCache();
  const runner = new TrainRunner(task, { cache, corpus });
  const m = [0.2, 0.3, 0.5];
  const [a, b] = await runner.evaluate([{ mixture: m, fidelity: "S" }, {
    mixture: m,
    fidelity: "S",
  }]);
  assertEquals(runner.stats, { trained: 1, cached: 1 });
  assertEquals(a!.value, b!.value);
  assertEquals(a!.cost, 1);
  assertEquals(a!.source.kind, "train");
  // Epochs follow from the mixture and the budget: each domain's share of the trained
  // sequences over its size; the same as a fresh run outside the runner records.
  const epochs = (a!.source as { epochs: readonly number[] }).epochs;
  assertEquals(epochs.length, 3);
  const sizes = [0, 3, 7].map((d) => corpus.domains[d]!.train.length);
  const trained = epochs.map((e, i) => e * sizes[i]!);
  const total = trained.reduce((x, y) => x + y, 0);
  trained.forEach((t, i) => assert(Math.abs(t / total - m[i]!) < 0.01, `share ${i}: ${t / total}`));
  const metrics = a!.metrics;
  const losses = corpus.domains.map((d) => metrics[`loss_${d.name}`]!);
  assertEquals(metrics.avg, losses.reduce((x, y) => x + y, 0) / 8);
  assertEquals(metrics.worst, Math.max(...losses));
  // The same answer as a fresh run outside the runner.
  const direct = freshRun(corpus, { trainDomains: [0, 3, 7], mixture: m, fidelity: "S", seed: 0 });
  assertEquals(losses, direct.valid);
  assertEquals(epochs, direct.epochs);
  // A second runner over the same cache trains nothing.
  const again = new TrainRunner(task, { cache, corpus });
  assertEquals((await again.judge(m)).value, a!.value);
  assertEquals(again.stats, { trained: 0, cached: 1 });
  await assertRejects(
    () => runner.evaluate([{ mixture: m, fidelity: "L" }]),
    RangeError,
    /cannot be queried/,
  );
});

Deno.test("runCell() runs a method in continuous mode on a train task", async () => {
  const c = card();
  const task = resolveTask(c, minimixTable(c.train!.domains));
  const line = await runCell({
    task,
    runner: new TrainRunner(task, { corpus }),
    factory: await loadMethod("random-search"),
    seed: 0,
    suite: "test",
    timeLimitMs: 600_000,
  });
  assertEquals(line.status, "ok", JSON.stringify(line.error));
  assertEquals(line.runner, "train");
  assertEquals(line.trajectory.length, 3);
  assertEquals(line.trajectory[0]!.source?.kind, "train");
  assertEquals(line.checkpoints.length, 1);
  const stamped = withVersions(line, { method: "1", commit: "test", table: "0".repeat(64) });
  const schema = JSON.parse(
    await Deno.readTextFile(new URL("../../reports/result.schema.json", import.meta.url)),
  );
  assertEquals(validate(schema, JSON.parse(JSON.stringify(stamped))), []);
});

Deno.test("cachedRun(): two processes asking a shared folder for the same run at once train it once", async () => {
  const dir = await Deno.makeTempDir();
  try {
    // Two caches over one folder, as two cell processes hold them (separate memories).
    const a = new DirRunCache(dir), b = new DirRunCache(dir);
    let trained = 0;
    const spec = {
      fidelity: "S",
      domains: ["moby", "udhr"],
      trainDomains: [0, 7],
      mixture: [0.5, 0.5],
      seed: 9,
    };
    const counted = () => (trained++, corpus);
    const [x, y] = await Promise.all([cachedRun(a, counted, spec), cachedRun(b, counted, spec)]);
    assertEquals(trained, 1);
    assertEquals(x.run, y.run);
    // Which of the two takes the lock first is up to the scheduler: exactly one trains.
    assertEquals([x.cached, y.cached].sort(), [false, true]);
    // the lock is gone once the run is stored
    const left = [...Deno.readDirSync(dir)].map((e) => e.name);
    assertEquals(left, [`${x.key}.json`]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
