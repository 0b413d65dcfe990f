/**
 * Converts RegMix's Pile proxy runs (sail-sg/regmix `data/`) into `datasets/regmix_pile/`.
 *
 * Fidelities: 1M (512 train + 256 test runs), 60M (the same 256 test mixtures), 1B (64 other
 * mixtures). Metrics: the 13 Pile validation losses and their unweighted mean (`mean_loss`,
 * ADMIRE's `metric/avg`). Prior: the token distribution of `synthesize_mixture.py`.
 */

import { copy, readCsv } from "./_read.ts";
import { metricIdentifier } from "../../core/objective.ts";
import { type OutRow, writeTable } from "./_write.ts";

const COMMIT = "b004d3a3f39846dcec6b3740da22bcd1ba95a5d0";

/**
 * Token shares of the 17 Pile domains used by RegMix as the Dirichlet prior
 * (`mixture_config/synthesize_mixture.py`, `get_token_distribution`), in that file's order.
 */
const TOKEN_SHARES: Record<string, number> = {
  arxiv: 0.113285273,
  freelaw: 0.079608651,
  nih_exporter: 0.003913491,
  pubmed_central: 0.185375901,
  wikipedia_en: 0.051081359,
  dm_mathematics: 0.015962925,
  github: 0.101750772,
  philpapers: 0.003707518,
  stackexchange: 0.066529351,
  enron_emails: 0.001750772,
  gutenberg_pg_19: 0.027085479,
  pile_cc: 0.236869207,
  ubuntu_irc: 0.01184346,
  europarl: 0.007929969,
  hackernews: 0.008032956,
  pubmed_abstracts: 0.038825953,
  uspto_backgrounds: 0.046446962,
};

const FILES = [
  ["1M", "train", "train_mixture_1m.csv", "train_pile_loss_1m.csv"],
  ["1M", "test", "test_mixture_1m.csv", "test_pile_loss_1m.csv"],
  ["60M", "test", "test_mixture_60m.csv", "test_pile_loss_60m.csv"],
  ["1B", "test", "test_mixture_1B.csv", "test_pile_loss_1B.csv"],
] as const;

const COSTS: Record<string, number> = { "1M": 0.001, "60M": 0.06, "1B": 1 };

/** Converts `raw/sail-sg__regmix` into `out/regmix_pile`. */
export async function convertRegMix(raw: string, out: string): Promise<number> {
  const src = `${raw}/sail-sg__regmix`;
  const rows: OutRow[] = [];
  let domains: string[] = [];
  let metrics: string[] = [];
  for (const [fidelity, split, mixFile, lossFile] of FILES) {
    const mix = await readCsv(`${src}/data/${mixFile}`);
    const loss = await readCsv(`${src}/data/${lossFile}`);
    const d = mix.header.slice(1).map((h) => h.replace(/^train_the_pile_/, ""));
    const m = loss.header.slice(1).map((h) =>
      h.replace(/^metric\/the_pile_/, "").replace(/_val_loss$/, "_loss")
    );
    if (domains.length === 0) [domains, metrics] = [d, m];
    if (d.join() !== domains.join() || m.join() !== metrics.join()) {
      throw new TypeError(`${mixFile}/${lossFile}: columns differ from the other RegMix files`);
    }
    if (mix.rows.length !== loss.rows.length) {
      throw new RangeError(
        `${mixFile} has ${mix.rows.length} rows but ${lossFile} has ${loss.rows.length}`,
      );
    }
    mix.rows.forEach((r, i) => {
      const l = loss.rows[i]!;
      if (r[0] !== l[0]) {
        throw new RangeError(`${mixFile}:${i + 2}: index "${r[0]}" ≠ "${l[0]}" in ${lossFile}`);
      }
      const values = l.slice(1).map(Number);
      const mean = values.reduce((a, b) => a + b, 0) / values.length;
      rows.push({
        fidelity,
        split,
        sourceRow: `${mixFile}#${r[0]}`,
        ratios: r.slice(1),
        metrics: [...l.slice(1), String(mean)],
        cost: COSTS[fidelity]!,
      });
    });
  }
  const total = domains.reduce((a, d) => a + TOKEN_SHARES[d]!, 0);
  await writeTable(`${out}/regmix_pile`, {
    id: "regmix_pile",
    title: "RegMix Pile proxy runs (1M / 60M / 1B)",
    description:
      "Finished training runs from RegMix (Liu et al., 2024): TinyLlama-style models trained on " +
      "mixtures of 17 copyright-free Pile domains, with validation losses on the 13 domains that " +
      "have a validation split. 512 + 256 runs of 1M-parameter proxies (1B tokens each), the same " +
      "256 test mixtures at 60M parameters, and 64 other mixtures at 1B parameters (25B tokens).",
    source: {
      repository: "https://github.com/sail-sg/regmix",
      commit: COMMIT,
      files: FILES.flatMap(([, , a, b]) => [`data/${a}`, `data/${b}`]),
      paper:
        "Liu et al., 2024. RegMix: Data Mixture as Regression for Language Model Pre-training. " +
        "arXiv:2407.01492 (ICLR 2025)",
    },
    license: "MIT",
    sumTolerance: 0.005,
    fidelities: [
      { id: "1M", label: "1M-param proxy (tinyllama_1M, 1B tokens)", cost: COSTS["1M"]! },
      { id: "60M", label: "60M-param proxy", cost: COSTS["60M"]! },
      { id: "1B", label: "1B-param model (25B tokens)", cost: COSTS["1B"]! },
    ],
    domains: domains.map((name) => ({ name, prior: TOKEN_SHARES[name]! / total })),
    metrics: [
      ...metrics.map((name) => ({ name, direction: "minimize" as const, lower: 0, upper: 20 })),
      {
        name: "mean_loss",
        direction: "minimize" as const,
        lower: 0,
        upper: 20,
        definition: `mean(${metrics.map(metricIdentifier).join(", ")})`,
      },
    ],
    quirks: [
      "Mixture weights are published rounded to 3 decimals; row sums lie in [0.996, 1.003]. " +
      "The loader renormalises each mixture.",
      "The 1B files index rows from 0, the 1M and 60M files from 1; source_row keeps the upstream " +
      "file and index.",
      "The 60M runs use exactly the 256 mixtures of the 1M test runs (same order).",
      "Four training domains (nih_exporter, philpapers, enron_emails, europarl) have no " +
      "validation loss.",
      "mean_loss is the unweighted mean of the 13 losses (ADMIRE-BayesOpt's metric/avg), " +
      "computed by the converter.",
      "Costs are in units of one 1B run: 0.001 / 0.06 / 1 (ADMIRE-BayesOpt's fidelity values); " +
      "tasks may charge their own costs.",
      "Prior: token shares from RegMix's synthesize_mixture.py (renormalised), not the Pile's " +
      "published epoch weights.",
    ],
  }, rows);
  await copy(`${src}/LICENSE`, `${out}/regmix_pile/LICENSE`);
  return rows.length;
}
