/**
 * Converts ADMIRE-BayesOpt's instruction-tuning runs (`admire_ift_runs.csv`) into
 * `datasets/admire_ift/`: Qwen2.5 0.5B / 3B / 7B fine-tuned on mixtures of 19 Tülu-3 sources.
 */

import { copy, readCsv } from "./_read.ts";
import { type OutRow, writeTable } from "./_write.ts";

const COMMIT = "dc177953300b89676695552a0f5f10dc0ae6f82d";

/**
 * Sample counts of the Tülu-3 SFT mixture's sources, from the allenai/tulu-3-sft-mixture dataset
 * card; `tulu_v3.9_open_math_2_gsm8k_50k` is missing from the card's list and is taken as 50,000
 * (its name; the card's total 939,344 then adds up).
 */
const SAMPLE_COUNTS: Record<string, number> = {
  coconot_converted: 10983,
  evol_codealpaca_heval_decontaminated: 107276,
  flan_v2_converted: 89982,
  no_robots_converted: 9500,
  numinamath_tir_math_decontaminated: 64312,
  oasst1_converted: 7132,
  personahub_code_v2_34999: 34999,
  personahub_ifdata_manual_seed_v3_29980: 29980,
  personahub_math_v5_regen_149960: 149960,
  tulu_hard_coded_repeated_10: 240,
  "tulu_v3.9_aya_100k": 100000,
  "tulu_v3.9_open_math_2_gsm8k_50k": 50000,
  "tulu_v3.9_personahub_math_interm_algebra_20k": 20000,
  "tulu_v3.9_sciriff_10k": 10000,
  "tulu_v3.9_synthetic_finalresp_wildguardmixtrain_decontaminated_50k": 50000,
  "tulu_v3.9_table_gpt_5k": 5000,
  "tulu_v3.9_wildchat_100k": 100000,
  "tulu_v3.9_wildjailbreak_decontaminated_50k": 50000,
  "tulu-3-sft-personas-math-grade": 49980,
};

const FIDELITY: Record<string, string> = {
  "Qwen2.5-0.5B": "0.5B",
  "Qwen2.5-3B": "3B",
  "Qwen2.5-7B": "7B",
};

/** Mean `train_time` per model size (seconds), as the reference code computes the costs. */
const COSTS: Record<string, number> = { "0.5B": 95.35, "3B": 258.87, "7B": 537.47 };

/** Converts `raw/xo28__ADMIRE-BayesOpt` into `out/admire_ift`. */
export async function convertAdmire(raw: string, out: string): Promise<number> {
  const src = `${raw}/xo28__ADMIRE-BayesOpt`;
  const csv = await readCsv(`${src}/admire_ift_runs/admire_ift_runs.csv`);
  const h = csv.header;
  const ratioCols = h.flatMap((c, j) => c.startsWith("ratio_") ? [j] : []);
  const metricCols = h.flatMap((c, j) => c.startsWith("metric_") ? [j] : []);
  const domains = ratioCols.map((j) => h[j]!.slice(6));
  for (const d of domains) {
    if (SAMPLE_COUNTS[d] === undefined) throw new TypeError(`No sample count for source "${d}"`);
  }
  const counter = new Map<string, number>();
  const rows: OutRow[] = csv.rows.map((r, i) => {
    const fidelity = FIDELITY[r[0]!];
    if (!fidelity) throw new RangeError(`admire_ift_runs.csv:${i + 2}: unknown model "${r[0]}"`);
    const k = counter.get(fidelity) ?? 0;
    counter.set(fidelity, k + 1);
    return {
      fidelity,
      split: fidelity === "7B" && k >= 60 ? "heldout" : "pool",
      sourceRow: `admire_ift_runs.csv#${i}`,
      ratios: ratioCols.map((j) => r[j]!),
      metrics: metricCols.map((j) => r[j]!),
      cost: COSTS[fidelity]!,
    };
  });
  const total = domains.reduce((a, d) => a + SAMPLE_COUNTS[d]!, 0);
  await writeTable(`${out}/admire_ift`, {
    id: "admire_ift",
    title: "ADMIRE IFT runs (Qwen2.5 0.5B / 3B / 7B on 19 Tülu-3 sources)",
    description:
      "460 instruction fine-tuning runs released with ADMIRE-BayesOpt (Chen et al., 2025): " +
      "Qwen2.5-0.5B (256 mixtures), -3B (128) and -7B (76) fine-tuned on mixtures of 19 Tülu-3 " +
      "SFT sources and evaluated on 17 tasks (higher is better), with the three averages the " +
      "authors give. The 7B mixtures are a subset of the 3B ones, which are a subset of the 0.5B ones.",
    source: {
      repository: "https://github.com/xo28/ADMIRE-BayesOpt",
      commit: COMMIT,
      files: ["admire_ift_runs/admire_ift_runs.csv"],
      paper: "Chen, Ouyang, Pearce, Hartvigsen, Schwarz, 2025. ADMIRE-BayesOpt: Accelerated Data " +
        "MIxture RE-weighting for Language Models with Bayesian Optimization. arXiv:2508.11551",
    },
    license: "CC-BY-NC-SA-4.0",
    sumTolerance: 0.001,
    fidelities: [
      { id: "0.5B", label: "Qwen2.5-0.5B fine-tune", cost: COSTS["0.5B"]! },
      { id: "3B", label: "Qwen2.5-3B fine-tune", cost: COSTS["3B"]! },
      { id: "7B", label: "Qwen2.5-7B fine-tune", cost: COSTS["7B"]! },
    ],
    domains: domains.map((name) => ({
      name,
      prior: SAMPLE_COUNTS[name]! / total,
      count: SAMPLE_COUNTS[name]!,
    })),
    metrics: metricCols.map((j) => ({
      name: h[j]!.slice(7),
      direction: "maximize" as const,
      lower: 0,
      upper: 1,
    })),
    quirks: [
      "train_time in the upstream file is the per-size mean for most rows (28 / 17 / 29 distinct " +
      "values for 0.5B / 3B / 7B); the cost column holds the per-size means 95.35 / 258.87 / " +
      "537.47 s, as the reference code uses (ratios 0.177 / 0.482 / 1).",
      "split: the last 16 of the 76 7B runs are 'heldout' (the reference code's test set for the GP); " +
      "every other run is 'pool'.",
      "The reference 7B single-fidelity script pairs 0.5B mixtures with 7B metrics (row " +
      "misalignment); this table keeps each run's own mixture.",
      "Weights are rounded to 4 decimals; row sums lie within 0.001 of 1.",
      "Prior: sample counts of the Tülu-3 SFT mixture's sources (dataset card of " +
      "allenai/tulu-3-sft-mixture); the open_math_2_gsm8k source is not listed there and is " +
      "taken as 50,000 from its name, which makes the card's total of 939,344 add up.",
      "metric_avg_id+ood, metric_avg_id and metric_avg_ood are the upstream averages, kept as given.",
    ],
  }, rows);
  await copy(`${src}/LICENSE.txt`, `${out}/admire_ift/LICENSE`);
  await Deno.writeTextFile(
    `${out}/admire_ift/NOTICE.md`,
    "# License notice\n\nThe runs in this folder come from xo28/ADMIRE-BayesOpt and are licensed " +
      "under **CC BY-NC-SA 4.0** (non-commercial, share-alike; LICENSE beside this file). They " +
      "were converted to mixbench's canonical columns (renamed fidelities, per-size costs, a " +
      "split column); the values are unchanged. Any redistribution of this folder, changed or " +
      "not, must keep this license. The rest of mixbench is not covered by it.\n",
  );
  return rows.length;
}
