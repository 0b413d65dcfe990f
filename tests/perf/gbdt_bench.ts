/**
 * Micro-benchmarks of the GBDT: a RegMix-sized fit (512 × 17, 1000 rounds, no early stopping)
 * and scoring 1e6 Dirichlet(1, …, 1) mixtures of 17 domains in chunks of 65 536 rows, the
 * RegMix simulation step. Reference: Python xgboost (hist, 2 threads) on a 2-core machine takes
 * ≈ 0.76 s to fit and ≈ 6.4 s to predict the same sizes.
 */

import { fitGbdt, type GbdtModel, type GbdtModelJson } from "../../numerics/gbdt/gbdt.ts";
import { Rng } from "../../numerics/rng.ts";
import { loadTable } from "../../datasets/registry.ts";

const table = await loadTable("regmix_pile");
const train = table.runs.filter((r) => r.fidelity === "1M" && r.split === "train");
const x = train.map((r) => r.mixture), y = train.map((r) => r.metrics.pile_cc_loss!);
const model = fitGbdt(x, y, { earlyStoppingRounds: 0 });

const D = 17, CHUNK = 65_536, ROWS = 1_000_000;

/** Fills a row-major chunk with Dirichlet(1, …, 1) mixtures. */
function fillDirichlet(rng: Rng, rows: Float64Array): void {
  for (let i = 0; i < rows.length; i += D) {
    let s = 0;
    for (let f = 0; f < D; f++) s += rows[i + f] = -Math.log(1 - rng.next());
    for (let f = 0; f < D; f++) rows[i + f]! /= s;
  }
}

// Four different chunks, reused in turn so that drawing mixtures is not timed.
const rng = new Rng(2024);
const chunks = Array.from({ length: 4 }, () => {
  const rows = new Float64Array(CHUNK * D);
  fillDirichlet(rng, rows);
  return rows;
});
const out = new Float64Array(CHUNK);

function predictMillion(m: GbdtModel): void {
  for (let start = 0, c = 0; start < ROWS; start += CHUNK, c++) {
    const n = Math.min(CHUNK, ROWS - start);
    m.predictInto(chunks[c % chunks.length]!.subarray(0, n * D), D, out.subarray(0, n));
  }
}

/** The obvious scorer, one row and one tree at a time: the baseline of the scoring group. */
function walkChunk(json: GbdtModelJson, rows: Float64Array, into: Float64Array): void {
  const { nodeOffsets, leafOffsets, feature, threshold, left, right, leafValue } = json;
  for (let i = 0; i < into.length; i++) {
    let s = json.baseScore;
    for (let t = 0; t + 1 < nodeOffsets.length; t++) {
      const n0 = nodeOffsets[t]!;
      let c = nodeOffsets[t + 1]! > n0 ? 0 : -1;
      while (c >= 0) {
        const k = n0 + c;
        c = rows[i * D + feature[k]!]! <= threshold[k]! ? left[k]! : right[k]!;
      }
      s += leafValue[leafOffsets[t]! + ~c]!;
    }
    into[i] = s;
  }
}

Deno.bench("fitGbdt 512 × 17, 1000 rounds (RegMix Pile-CC)", { group: "fit", n: 10 }, () => {
  fitGbdt(x, y, { earlyStoppingRounds: 0 });
});

const json = model.toJSON();
Deno.bench("plain tree walk, 65 536 rows × 1000 trees", {
  group: "score 65 536 rows",
  baseline: true,
  n: 2,
  warmup: 1,
}, () => {
  walkChunk(json, chunks[0]!, out);
});

Deno.bench("GbdtModel.predictInto, 65 536 rows × 1000 trees", {
  group: "score 65 536 rows",
  n: 20,
}, () => {
  model.predictInto(chunks[0]!, D, out);
});

Deno.bench("GbdtModel.predictInto, 1e6 mixtures in chunks of 65 536", {
  group: "RegMix simulation",
  n: 3,
  warmup: 1,
}, () => {
  predictMillion(model);
});

Deno.bench("fit 1000 rounds + predict 1e6 mixtures", {
  group: "RegMix simulation",
  n: 3,
  warmup: 1,
}, () => {
  predictMillion(fitGbdt(x, y, { earlyStoppingRounds: 0 }));
});
