/**
 * Regenerates the committed artefacts of the `minimix` training environment from fresh runs:
 *
 * - `tasks`: the task cards `datasets/tasks/minimix/*.json`, with their frozen references (zero =
 *   mean objective at L over the uniform mixture and 7 seeded Dirichlet(1) mixtures, best = the
 *   best of them), including `minimix/avg-merge` (queries through the merge proxy);
 * - `quality`: the learner at L on the uniform mixture against the count-based uniform-mixture
 *   bigram and trigram of corpus.md §3, per domain (`datasets/minimix/quality.json`);
 * - `transfer`: the 8 × 8 transfer table at M (train on one domain, validation loss on each;
 *   `datasets/minimix/transfer.json`).
 *
 * - `merge [S M L]`: Spearman ρ between the merge proxy (runners/train/merge.ts) and fresh runs on
 *   30 seeded Dirichlet(1) mixtures at each fidelity asked for (M and L by default), per objective,
 *   and below L also the proxy's and the fresh runs' ρ to fresh L runs
 *   (`datasets/minimix/merge.json`; fidelities not asked for keep their entries);
 * - `table [S M L]`: the regenerable run table `datasets/minimix_swarm/` (runs.csv, card.json):
 *   fresh runs on a RegMix swarm (methods/_regmix_sampling.ts, uniform prior), 512 at S, the first
 *   128 of them at M and the first 32 at L by default;
 * - `manifest`: `datasets/minimix/manifest.json`, bytes and sha256 of every domain's clean text
 *   and splits (after a recipe or split change).
 *
 * Usage: `deno task minimix tasks|quality|transfer|merge|table|manifest`. Finished runs are cached under
 * out/cache/minimix/ (content-addressed), so a rerun only trains what changed.
 *
 * @module
 */

import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { DirichletNgram } from "../numerics/lm/dirichlet_ngram.ts";
import { deriveSeed, Rng } from "../numerics/rng.ts";
import { resolveTask, TASK_SCHEMA, type TaskCard } from "../core/task.ts";
import { DOMAINS, loadCorpus, manifestEntry, sha256Hex } from "../runners/train/corpus.ts";
import { minimixTable } from "../datasets/minimix/table.ts";
import {
  cachedRun,
  DirRunCache,
  mergeBuildCost,
  runMetrics,
  TrainRunner,
} from "../runners/train.ts";
import { ENV_VERSION, freshRun } from "../runners/train/env.ts";
import { buildMergeProxy } from "../runners/train/merge.ts";
import { spearman } from "../numerics/stats/correlation.ts";
import { regmixSwarm } from "../methods/_regmix_sampling.ts";
import { CARD_SCHEMA, type DataCard } from "../core/table.ts";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const NAMES = DOMAINS.map((d) => d.name);
/** The held-out targets of `minimix/target-<domain>`. */
export const TARGETS: readonly string[] = ["nodedocs", "wordnet"];
/** Seed of every task's fresh runs. */
const SEED = 0;

/** Training charged once for `minimix/avg-merge`'s proxy at S over the eight domains. */
const MERGE_BUILD_S = mergeBuildCost("S", NAMES.length);

/** The cards before their references are frozen. */
function cards(): Omit<TaskCard, "reference">[] {
  const common = {
    schema: TASK_SCHEMA,
    version: 1,
    track: "optimize" as const,
    table: "minimix",
    direction: "minimize" as const,
    runner: "train" as const,
    query: [{ fidelity: "S", cost: 1 }, { fidelity: "M", cost: 4 }],
    target: { fidelity: "L" },
    budget: 32,
    checkpoints: [8, 32],
    costUnit: "S runs",
  };
  const all = { env: "minimix", domains: NAMES, seed: SEED };
  return [
    {
      ...common,
      id: "minimix/avg",
      title: "Mean validation bits/byte over eight text domains, fresh runs",
      description:
        "Find the mixture of eight npm text domains whose fresh L run has the lowest mean per-domain validation loss (Aioli's metric). Every query is a fresh training run of the hashed byte model: S costs 1, M 4 (budget in S runs); judged by a fresh L run.",
      objective: "avg",
      train: all,
    },
    {
      ...common,
      id: "minimix/worst",
      title: "Worst-domain validation bits/byte over eight text domains, fresh runs",
      description:
        "Find the mixture whose fresh L run has the lowest worst per-domain validation loss (DoReMi's motivation). Fresh runs at S (cost 1) and M (cost 4); judged by a fresh L run.",
      objective: "worst",
      train: all,
    },
    {
      ...common,
      id: "minimix/avg-merge",
      title: "Mean validation bits/byte over eight text domains, queried through the merge proxy",
      description:
        "minimix/avg with every query answered by the merge proxy (Na et al., 2024) instead of a fresh run: a base model trains half an S run on the uniform mixture and one copy per domain continues for the other half on that domain alone; a mixture's answer is the validation losses of the mixture-weighted average of the copies' parameters. That training (0.5 + 8 × 0.5 = 4.5 S runs) is charged once, before the first query, so the budget is what is left of minimix/avg's 32 S runs (27.5; checkpoints at 8 and 32 in total cost). A query costs 0.25 S runs (its validation forward passes, 192 KiB, against an S run's 256 KiB trained at 3 passes per byte). Judged by a fresh L run, as minimix/avg.",
      objective: "avg",
      query: [{ fidelity: "S", cost: 0.25 }],
      budget: 32 - MERGE_BUILD_S,
      checkpoints: [8 - MERGE_BUILD_S, 32 - MERGE_BUILD_S],
      train: { ...all, proxy: { kind: "merge" as const, build: MERGE_BUILD_S } },
    },
    ...TARGETS.map((t) => ({
      ...common,
      id: `minimix/target-${t}`,
      title: `Held-out ${t} validation bits/byte, trained on the other seven domains`,
      description:
        `Find the mixture of the seven other domains whose fresh L run has the lowest validation loss on ${t}, which is never trained on (the DoGE-OOD / DGA setting). Fresh runs at S (cost 1) and M (cost 4); judged by a fresh L run.`,
      objective: `loss_${t}`,
      train: { env: "minimix", domains: NAMES.filter((n) => n !== t), seed: SEED },
    })),
  ];
}

/** The uniform mixture and 7 seeded Dirichlet(1) mixtures over k domains. */
function referenceMixtures(k: number): number[][] {
  const rng = new Rng(deriveSeed("minimix-reference", k));
  const out = [new Array(k).fill(1 / k)];
  for (let i = 0; i < 7; i++) {
    const g = Array.from({ length: k }, () => -Math.log(1 - rng.next()));
    const s = g.reduce((a, b) => a + b, 0);
    out.push(g.map((x) => x / s));
  }
  return out;
}

async function writeTasks(log: (s: string) => void): Promise<void> {
  const cache = new DirRunCache(join(ROOT, "out/cache/minimix"));
  for (const c of cards()) {
    const provisional = { ...c, reference: { zero: 1, best: 0, bestRow: -1 } } as TaskCard;
    const task = resolveTask(provisional, minimixTable(c.train!.domains));
    const runner = new TrainRunner(task, { cache });
    const values: number[] = [];
    for (const m of referenceMixtures(c.train!.domains.length)) {
      values.push((await runner.judge(m)).value);
      log(`${c.id}: ${values.length}/8 ${values.at(-1)!.toFixed(4)}`);
    }
    const card: TaskCard = {
      ...c,
      reference: {
        zero: values.reduce((a, b) => a + b, 0) / values.length,
        best: Math.min(...values),
        bestRow: -1,
      },
    };
    const path = join(ROOT, "datasets/tasks", `${c.id}.json`);
    await Deno.mkdir(join(path, ".."), { recursive: true });
    await Deno.writeTextFile(path, JSON.stringify(card, null, 2) + "\n");
    log(`Wrote ${path}`);
  }
}

async function writeQuality(log: (s: string) => void): Promise<void> {
  const corpus = loadCorpus();
  const uniform = NAMES.map(() => 1 / NAMES.length);
  const run = freshRun(corpus, {
    trainDomains: NAMES.map((_, i) => i),
    mixture: uniform,
    fidelity: "L",
    seed: SEED,
  });
  const ngrams = ([2, 3] as const).map((order) => {
    const m = new DirichletNgram(order);
    for (const d of corpus.domains) m.count(d.train);
    return corpus.domains.map((d) => m.crossEntropy(d.valid));
  });
  const rows = NAMES.map((name, i) => ({
    domain: name,
    learner: run.valid[i]!,
    bigram: ngrams[0]![i]!,
    trigram: ngrams[1]![i]!,
  }));
  const out = { fidelity: "L", seed: SEED, rows };
  await Deno.writeTextFile(
    join(ROOT, "datasets/minimix/quality.json"),
    JSON.stringify(out, null, 2) + "\n",
  );
  log("| domain | learner (L, uniform) | uniform-mix bigram | uniform-mix trigram |");
  log("|---|---:|---:|---:|");
  for (const r of rows) {
    log(
      `| ${r.domain} | ${r.learner.toFixed(3)} | ${r.bigram.toFixed(3)} | ${
        r.trigram.toFixed(3)
      } |`,
    );
  }
  log(`L run: ${Math.round(run.ms)} ms`);
}

async function writeTransfer(log: (s: string) => void): Promise<void> {
  const corpus = loadCorpus();
  const rows: number[][] = [];
  for (let d = 0; d < NAMES.length; d++) {
    const run = freshRun(corpus, { trainDomains: [d], mixture: [1], fidelity: "M", seed: SEED });
    rows.push(run.valid.map((x) => Math.round(x * 1e4) / 1e4));
    log(`trained on ${NAMES[d]}: ${Math.round(run.ms)} ms`);
  }
  await Deno.writeTextFile(
    join(ROOT, "datasets/minimix/transfer.json"),
    JSON.stringify({ fidelity: "M", seed: SEED, domains: NAMES, rows }, null, 2) + "\n",
  );
  log(`| train \\ eval | ${NAMES.join(" | ")} |`);
  log(`|---|${NAMES.map(() => "---:").join("|")}|`);
  rows.forEach((r, i) => log(`| ${NAMES[i]} | ${r.map((x) => x.toFixed(2)).join(" | ")} |`));
}

/** n seeded Dirichlet(1) mixtures over k domains. */
function dirichletMixtures(k: number, n: number, name: string): number[][] {
  const rng = new Rng(deriveSeed(name, k));
  return Array.from({ length: n }, () => {
    const g = Array.from({ length: k }, () => -Math.log(1 - rng.next()));
    const s = g.reduce((a, b) => a + b, 0);
    return g.map((x) => x / s);
  });
}

async function writeMerge(log: (s: string) => void, fidelities: string[]): Promise<void> {
  const corpus = loadCorpus();
  const cache = new DirRunCache(join(ROOT, "out/cache/minimix"));
  const all = NAMES.map((_, i) => i);
  const mixtures = dirichletMixtures(NAMES.length, 30, "minimix-merge");
  const objectives = ["avg", "worst", ...NAMES.map((n) => `loss_${n}`)];
  // Fidelities not asked for keep their committed entries.
  const path = join(ROOT, "datasets/minimix/merge.json");
  const before = JSON.parse(await Deno.readTextFile(path).catch(() => "{}")) as Record<
    string,
    unknown
  >;
  const out: Record<string, unknown> = {};
  for (const f of ["S", "M", "L"]) if (before[f] !== undefined) out[f] = before[f];
  const asked = fidelities.length ? fidelities : ["M", "L"];
  // Below L, also how the proxy and fresh runs at f rank the mixtures' fresh L runs (what a
  // task that queries the proxy at f and is judged at L rewards).
  const realL: Record<string, number>[] = [];
  if (asked.some((f) => f !== "L")) {
    for (const m of mixtures) {
      const { run } = await cachedRun(cache, () => corpus, {
        fidelity: "L",
        domains: NAMES,
        trainDomains: all,
        mixture: m,
        seed: SEED,
      });
      realL.push(run.metrics as Record<string, number>);
      log(`L (for the ρ to L): ${realL.length}/30`);
    }
  }
  for (const f of asked) {
    const t0 = performance.now();
    const proxy = buildMergeProxy(corpus, { trainDomains: all, fidelity: f, seed: SEED });
    log(`${f}: merge proxy built in ${Math.round(performance.now() - t0)} ms`);
    const merged: Record<string, number>[] = [];
    const real: Record<string, number>[] = [];
    for (const m of mixtures) {
      const valid = proxy.evaluate(m);
      merged.push(runMetrics({ valid, train: [], epochs: [], steps: 0, ms: 0 }));
      const { run: hit } = await cachedRun(cache, () => corpus, {
        fidelity: f,
        domains: NAMES,
        trainDomains: all,
        mixture: m,
        seed: SEED,
      });
      real.push(hit.metrics as Record<string, number>);
      log(`${f}: ${real.length}/30`);
    }
    const rho = Object.fromEntries(
      objectives.map((o) => [o, spearman(merged.map((x) => x[o]!), real.map((x) => x[o]!))]),
    );
    const toL = f === "L" ? {} : {
      proxyToL: Object.fromEntries(
        objectives.map((o) => [o, spearman(merged.map((x) => x[o]!), realL.map((x) => x[o]!))]),
      ),
      freshToL: Object.fromEntries(
        objectives.map((o) => [o, spearman(real.map((x) => x[o]!), realL.map((x) => x[o]!))]),
      ),
    };
    out[f] = { mixtures: mixtures.length, chargedRuns: proxy.chargedRuns, spearman: rho, ...toL };
    log(`${f}: ρ ${objectives.map((o) => `${o} ${rho[o]!.toFixed(3)}`).join(", ")}`);
  }
  const ordered = Object.fromEntries(
    ["S", "M", "L"].filter((f) => f in out).map((f) => [f, out[f]]),
  );
  await Deno.writeTextFile(path, JSON.stringify({ seed: SEED, ...ordered }, null, 2) + "\n");
}

/** Upper bound written for every loss metric of the swarm table (bits/byte; untrained = 8). */
const LOSS_UPPER = 64;

async function writeTable(
  log: (s: string) => void,
  counts: Record<string, number>,
  dir = join(ROOT, "datasets/minimix_swarm"),
): Promise<void> {
  const corpus = loadCorpus();
  const cache = new DirRunCache(join(ROOT, "out/cache/minimix"));
  const all = NAMES.map((_, i) => i);
  const n = Math.max(...Object.values(counts));
  // RegMix rounds weights to multiples of 2e-4; renormalise so that every row sums to 1.
  const swarm = regmixSwarm(
    NAMES.map(() => 1 / NAMES.length),
    n,
    new Rng(deriveSeed("minimix-swarm", SEED)),
  )
    .map((w) => {
      const s = w.reduce((a, b) => a + b, 0);
      return w.map((x) => x / s);
    });
  if (swarm.length < n) {
    throw new RangeError(`The RegMix sampler gave ${swarm.length} mixtures, not ${n}`);
  }
  const metrics = [...NAMES.map((d) => `loss_${d}`), "avg", "worst"];
  const fids = ["S", "M", "L"].filter((f) => (counts[f] ?? 0) > 0);
  const costOf = Object.fromEntries(minimixTable(NAMES).card.fidelities.map((f) => [f.id, f.cost]));
  const lines = [
    [
      "fidelity",
      "seed",
      "source_row",
      ...NAMES.map((d) => `ratio_${d}`),
      ...metrics.map((m) => `metric_${m}`),
      "cost",
    ].join(","),
  ];
  for (const f of fids) {
    for (let i = 0; i < counts[f]!; i++) {
      const m = swarm[i]!;
      const { run: hit } = await cachedRun(cache, () => corpus, {
        fidelity: f,
        domains: NAMES,
        trainDomains: all,
        mixture: m,
        seed: SEED,
      });
      lines.push([
        f,
        SEED,
        `swarm:${i}`,
        ...m.map((x) => String(x)),
        ...metrics.map((k) => hit!.metrics[k]!.toFixed(6)),
        costOf[f],
      ].join(","));
      if ((i + 1) % 16 === 0) log(`${f}: ${i + 1}/${counts[f]}`);
    }
  }
  const csv = lines.join("\n") + "\n";
  const sha256 = await sha256Hex(new TextEncoder().encode(csv));
  const card: DataCard = {
    schema: CARD_SCHEMA,
    id: "minimix_swarm",
    title:
      "minimix swarm: fresh runs of the hashed byte model on a RegMix swarm over 8 npm text domains",
    description:
      `Fresh training runs of the minimix environment (runners/train/, environment version ${ENV_VERSION}) on RegMix swarm mixtures (uniform prior): ${
        fids.map((f) => `${counts[f]} at ${f}`).join(", ")
      } (the M and L mixtures are the first ones of the S swarm). Metrics are validation bits/byte per domain, their mean and their maximum. Regenerate with deno task minimix-table.`,
    source: {
      repository: "this repository (deno task minimix-table)",
      commit: "",
      files: ["bench/minimix.ts", "runners/train/"],
      paper: "",
    },
    license: "CC0-1.0",
    sha256,
    sumTolerance: 1e-6,
    domains: minimixTable(NAMES).card.domains,
    metrics: metrics.map((name) => ({
      name,
      direction: "minimize" as const,
      lower: 0,
      upper: LOSS_UPPER,
    })),
    fidelities: minimixTable(NAMES).card.fidelities.filter((f) => fids.includes(f.id)),
    quirks: [
      "Every row is a fresh run with seed 0: rerunning deno task minimix-table reproduces the file byte for byte.",
    ],
  };
  await Deno.mkdir(dir, { recursive: true });
  await Deno.writeTextFile(join(dir, "runs.csv"), csv);
  await Deno.writeTextFile(join(dir, "card.json"), JSON.stringify(card, null, 2) + "\n");
  log(`Wrote ${dir}/runs.csv (${lines.length - 1} runs, sha256 ${sha256}) and card.json`);
}

async function writeManifest(log: (s: string) => void): Promise<void> {
  const out: Record<string, unknown> = {};
  for (const d of loadCorpus().domains) out[d.name] = await manifestEntry(d);
  const path = join(ROOT, "datasets/minimix/manifest.json");
  await Deno.writeTextFile(path, JSON.stringify(out, null, 2) + "\n");
  log(`Wrote ${path}`);
}

if (import.meta.main) {
  const what = Deno.args[0];
  const log = (s: string) => console.log(s);
  if (what === "tasks") await writeTasks(log);
  else if (what === "quality") await writeQuality(log);
  else if (what === "transfer") await writeTransfer(log);
  else if (what === "manifest") await writeManifest(log);
  else if (what === "merge") await writeMerge(log, Deno.args.slice(1));
  else if (what === "table") {
    const [s, m, l] = Deno.args.slice(1).map(Number);
    await writeTable(log, { S: s ?? 512, M: m ?? 128, L: l ?? 32 });
  } else {
    console.error(
      `Usage: deno task minimix tasks|quality|transfer|merge|table|manifest (got "${what ?? ""}")`,
    );
    Deno.exit(2);
  }
}
