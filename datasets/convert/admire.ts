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

const OLMES = 'OLMES task config (allenai/olmes, oe_eval task regimes "Tulu"), Tülu 3 report ' +
  "(Lambert et al., 2024, arXiv:2411.15124)";

/**
 * Item count and scoring of each benchmark metric (the OLMES configurations the Tülu 3 report
 * evaluates with; counts from the benchmark papers). `verified` is computed from the table: every
 * value is a multiple of 1 / items.
 */
const EVALUATION: Record<
  string,
  { items: number; scoring: string; source: string; note?: string }
> = {
  "minerva_math::tulu": {
    items: 5000,
    scoring:
      "flex exact match, chain of thought (Minerva format), averaged over the 7 MATH subjects",
    source: `MATH test set (Hendrycks et al., 2021, arXiv:2103.03874): 5000 problems; ${OLMES}`,
    note: "values are not multiples of 1/5000 (a macro average over subjects); the standard " +
      "error is approximated as binomial over 5000 items",
  },
  "gsm8k::tulu": {
    items: 1319,
    scoring: "exact match, chain of thought",
    source: `GSM8K test set (Cobbe et al., 2021, arXiv:2110.14168): 1319 problems; ${OLMES}`,
  },
  "bbh:cot-v1::tulu": {
    items: 6511,
    scoring: "exact match, chain of thought, micro average over the 27 tasks",
    source:
      `BIG-Bench Hard (Suzgun et al., 2022, arXiv:2210.09261): 27 tasks, 6511 items; ${OLMES}`,
  },
  "mmlu:cot::summarize": {
    items: 14042,
    scoring:
      'exact match, 0-shot chain of thought ("summarize" prompt), averaged over the 57 subjects',
    source: `MMLU test set (Hendrycks et al., 2021, arXiv:2009.03300): 14042 questions; ${OLMES}`,
    note: "values are not multiples of 1/14042 (a macro average over subjects); whether the " +
      "full test set is used is not stated in the ADMIRE release; binomial approximation",
  },
  "codex_humaneval::tulu": {
    items: 164,
    scoring: "pass@10, unbiased estimator from 20 samples at temperature 0.8, top-p 0.95",
    source: `HumanEval (Chen et al., 2021, arXiv:2107.03374): 164 problems; OLMES config ` +
      `codex_humaneval::tulu (primary_metric pass_at_10, repeats 20, temperature 0.8)`,
    note: "per-problem pass@10 lies in [0, 1]: the binomial standard error is an upper bound; " +
      "the sampling also makes a rerun of the same checkpoint differ",
  },
  "codex_humanevalplus::tulu": {
    items: 164,
    scoring: "pass@10 from 20 samples at temperature 0.8 (as codex_humaneval::tulu)",
    source: `HumanEval+ (Liu et al., 2023, arXiv:2305.01210): the 164 HumanEval problems with ` +
      `more tests; ${OLMES}`,
    note: "sampling settings assumed equal to codex_humaneval::tulu; binomial standard error is " +
      "an upper bound",
  },
  "drop::llama3": {
    items: 9536,
    scoring: "F1 over answer tokens (Llama 3 format)",
    source: `DROP dev set (Dua et al., 2019, arXiv:1903.00161): 9536 questions; OLMES config ` +
      `drop::llama3`,
    note: "count uncertain (the full dev set is assumed); per-item F1 in [0, 1]: the binomial " +
      "standard error is an upper bound",
  },
  "ifeval::tulu": {
    items: 541,
    scoring: "prompt-level loose accuracy",
    source: `IFEval (Zhou et al., 2023, arXiv:2311.07911): 541 prompts; ${OLMES}`,
  },
  "popqa::tulu": {
    items: 14267,
    scoring: "exact match (answer in the output)",
    source: `PopQA (Mallen et al., 2023, arXiv:2212.10511): 14267 questions; ${OLMES}`,
  },
  "truthfulqa::tulu": {
    items: 817,
    scoring: "MC2 (normalised probability of the true answers)",
    source: `TruthfulQA (Lin et al., 2022, arXiv:2109.07958): 817 questions; ${OLMES}`,
    note: "per-question MC2 in [0, 1]: the binomial standard error is an upper bound",
  },
  "arc_challenge:rc::tulu": {
    items: 1172,
    scoring: "accuracy (ranked classification)",
    source: `ARC-Challenge test set (Clark et al., 2018, arXiv:1803.05457): 1172 questions; OLMES`,
  },
  "bigcodebench_hard::tulu": {
    items: 148,
    scoring: "pass@1",
    source: `BigCodeBench-Hard (Zhuo et al., 2024, arXiv:2406.15877): 148 tasks; OLMES config ` +
      `bigcodebench_hard::tulu (Tülu 3 unseen suite)`,
    note: "all values but one are multiples of 1/148",
  },
  "gpqa:0shot_cot::tulu3": {
    items: 448,
    scoring: "accuracy, 0-shot chain of thought",
    source: `GPQA main set (Rein et al., 2023, arXiv:2311.12022): 448 questions; OLMES config ` +
      `gpqa:0shot_cot::tulu3 (Tülu 3 unseen suite)`,
  },
  "naturalqs::tulu": {
    items: 3610,
    scoring: "F1 of the short answer (values are not multiples of 1/items)",
    source: `Natural Questions, open-domain test split (Kwiatkowski et al., 2019; Lee et al., ` +
      `2019, arXiv:1906.00300): 3610 questions`,
    note: "count and scoring uncertain: the ADMIRE release does not state the split; per-item " +
      "scores in [0, 1]: the binomial standard error is an upper bound",
  },
  "piqa:mc::tulu": {
    items: 1838,
    scoring: "accuracy (multiple choice)",
    source: `PIQA validation set (Bisk et al., 2020, arXiv:1911.11641): 1838 questions`,
  },
  "socialiqa:mc::tulu": {
    items: 1954,
    scoring: "accuracy (multiple choice)",
    source: `Social IQa validation set (Sap et al., 2019, arXiv:1904.09728): 1954 questions`,
  },
  "triviaqa::tulu": {
    items: 11313,
    scoring: "F1 of the answer (values are not multiples of 1/items)",
    source: `TriviaQA validation set (Joshi et al., 2017, arXiv:1705.03551): 11313 questions ` +
      `(unfiltered, no context)`,
    note: "count uncertain: the rc validation split has 17944 questions; the smaller count is " +
      "used (the larger standard error); per-item scores in [0, 1]: an upper bound",
  },
};

/** True when every value is within 1e-6 / items of a multiple of 1 / items. */
function multiplesOf(values: readonly number[], items: number): boolean {
  return values.every((v) => Math.abs(v * items - Math.round(v * items)) < 1e-6);
}

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
    metrics: metricCols.map((j) => {
      const name = h[j]!.slice(7);
      const base = { name, direction: "maximize" as const, lower: 0, upper: 1 };
      const e = EVALUATION[name];
      if (!e) return base;
      const verified = multiplesOf(csv.rows.map((r) => Number(r[j])), e.items);
      return { ...base, evaluation: { ...e, verified } };
    }),
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
      "metric_avg_id+ood, metric_avg_id and metric_avg_ood are the upstream averages, kept as given. " +
      "avg_id is the mean of the first 10 task metrics (minerva_math … truthfulqa), avg_ood of the " +
      "last 7 (arc_challenge … triviaqa), and avg_id+ood of all 17 on every run except 3 0.5B rows " +
      "(source rows 10, 99, 172, about 0.02 above that mean).",
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
