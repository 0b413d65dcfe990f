/**
 * Converts Olmix's 30M-parameter proxy swarms (allenai/olmix, CSVs at 218dbc7) into
 * `datasets/olmix_superswarm/` (512 runs × 64 domains) and `datasets/olmix_reuse/` (64 × 22).
 * Metrics are 110 bits-per-byte values (lower is better) plus their mean, `mean_bpb`.
 */

import { parse as parseYaml } from "yaml";
import { copy, readCsv } from "./_read.ts";
import { metricIdentifier } from "../../core/objective.ts";
import { type OutRow, writeTable } from "./_write.ts";

const COMMIT = "218dbc77692c43060e7dc5f56fb05a4d42cb2cdf";

const SWARMS = [
  {
    id: "olmix_superswarm",
    stem: "full_recomputation",
    fit: "configs/fits/full_recomputation_c3_seed_0.yaml",
    title: "Olmix superswarm (512 × 30M-param proxies, 64 domains)",
  },
  {
    id: "olmix_reuse",
    stem: "full_reuse_update_5_seed_0",
    fit: "configs/fits/mixture_reuse_update_5_seed_0.yaml",
    title: "Olmix mixture-reuse swarm (64 × 30M-param proxies, 22 domains)",
  },
] as const;

interface FitConfig {
  priors: { relative_sizes: Record<string, number>; token_counts?: Record<string, number> };
}

/** Converts both swarms; returns the number of rows written. */
export async function convertOlmix(raw: string, out: string): Promise<number> {
  const src = `${raw}/allenai__olmix`;
  let n = 0;
  for (const s of SWARMS) {
    const ratios = await readCsv(`${src}/${s.stem}_ratios.csv`);
    const metrics = await readCsv(`${src}/${s.stem}_metrics.csv`);
    const fit = parseYaml(await Deno.readTextFile(`${src}/${s.fit}`)) as FitConfig;
    const domains = ratios.header.slice(4);
    const names = metrics.header.slice(4);
    const sizes = fit.priors.relative_sizes;
    const counts = fit.priors.token_counts ?? {};
    for (const d of domains) {
      if (typeof sizes[d] !== "number") {
        throw new TypeError(`${s.fit}: no relative size for "${d}"`);
      }
    }
    const total = domains.reduce((a, d) => a + sizes[d]!, 0);
    const rows: OutRow[] = ratios.rows.map((r, i) => {
      const m = metrics.rows[i]!;
      if (r[1] !== m[1]) throw new RangeError(`${s.stem}: row ${i + 2} run ids differ`);
      const values = m.slice(4).map(Number);
      return {
        fidelity: "30M",
        split: "swarm",
        sourceRow: `${s.stem}_ratios.csv#${r[0]}:${r[2]}`,
        ratios: r.slice(4),
        metrics: [...m.slice(4), String(values.reduce((a, b) => a + b, 0) / values.length)],
        cost: 1,
      };
    });
    await writeTable(`${out}/${s.id}`, {
      id: s.id,
      title: s.title,
      description:
        "Proxy runs released with Olmix (Chen et al., 2026): 30M-parameter models trained on " +
        "sampled mixtures and evaluated as bits-per-byte on 110 downstream task sets " +
        "(lower is better). Priors are the relative sizes of the fit config.",
      source: {
        repository: "https://github.com/allenai/olmix",
        commit: COMMIT,
        files: [`${s.stem}_ratios.csv`, `${s.stem}_metrics.csv`, s.fit],
        paper: "Chen, Murray, Heineman, Jordan, Hajishirzi, Ré, Soldaini, Lo, 2026. Olmix. " +
          "arXiv:2602.12237",
      },
      license: "Apache-2.0",
      sumTolerance: 1e-6,
      fidelities: [{ id: "30M", label: "30M-param proxy", cost: 1 }],
      domains: domains.map((name) => {
        const c = counts[name];
        const d = { name, prior: sizes[name]! / total };
        return typeof c === "number" ? { ...d, count: c } : d;
      }),
      metrics: [
        ...names.map((name) => ({ name, direction: "minimize" as const, lower: 0, upper: 16 })),
        {
          name: "mean_bpb",
          direction: "minimize" as const,
          lower: 0,
          upper: 16,
          definition: `mean(${names.map(metricIdentifier).join(", ")})`,
        },
      ],
      quirks: [
        "The CSVs were deleted upstream in 6df202e (now on Hugging Face, unreachable here); " +
        "these are the 218dbc7 copies that match the fit configs.",
        "mean_bpb is the unweighted mean of the 110 bits-per-byte metrics, computed by the " +
        "converter; the upstream fit config drops 7 of them for its own regression.",
        "Priors: relative_sizes of the fit config, renormalised over the swarm's domains; count " +
        "holds the config's token_counts where it lists the domain.",
      ],
    }, rows);
    await copy(`${src}/LICENSE`, `${out}/${s.id}/LICENSE`);
    n += rows.length;
  }
  return n;
}
