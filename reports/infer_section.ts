/**
 * The Inference track's report section (HTML and Markdown) from infer.jsonl lines: recovery error
 * of the LP and the baselines on the known mixtures, LP cost, and the real tokenizers next to the
 * paper's published estimates (a partial reproduction).
 *
 * @module
 */

import { estimateErrors, type InferLine } from "../core/infer.ts";
import { esc, table } from "./_html.ts";

/** Error summary of one estimator over the known mixtures. */
export interface EstimatorSummary {
  /** Estimator id (`lp`, `efficiency`, `merge-votes`). */
  readonly estimator: string;
  /** Mixtures. */
  readonly n: number;
  /** Mean over mixtures of the per-mixture MAE. */
  readonly mae: number;
  /** Mean over mixtures of the per-mixture MSE. */
  readonly mse: number;
  /** Median per-mixture MAE. */
  readonly medianMae: number;
  /** Largest absolute error of any category. */
  readonly maxAbs: number;
}

const ESTIMATORS = ["lp", "efficiency", "merge-votes"];
const LABEL: Record<string, string> = {
  lp: "LP (Hayase et al. 2024)",
  efficiency: "encoding efficiency (baseline)",
  "merge-votes": "merge-token frequency (baseline)",
};

const median = (x: number[]) => {
  const s = [...x].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length === 0 ? NaN : s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/**
 * Summarises the known-mixture lines per estimator.
 *
 * @example
 * ```ts
 * import { summariseInference } from "./infer_section.ts";
 * import { strictEqual as assertEquals } from "node:assert/strict";
 * const line = {
 *   schema: "mixbench.infer/1", id: "k", kind: "known", tokenizer: "trained", pattern: "gpt2",
 *   categories: ["a", "b"], truth: [0.25, 0.75], merges: 1, mergesUsed: 1, sampleBytes: [1, 1],
 *   estimates: { lp: [0.25, 0.75], efficiency: [0.5, 0.5], "merge-votes": [0.5, 0.5] },
 *   lp: { objective: 0, stepSlack: 0, pairSlack: 0, rounds: 1, constraints: 1, solveMs: 1, walkMs: 1 },
 *   replayMs: 1,
 * } as const;
 * const s = summariseInference([line]);
 * assertEquals(s[0]!.mae, 0);
 * assertEquals(s[1]!.mae, 0.25);
 * ```
 * @param lines infer.jsonl lines.
 * @returns One summary per estimator.
 */
export function summariseInference(lines: readonly InferLine[]): EstimatorSummary[] {
  const known = lines.filter((l) => l.kind === "known" && l.truth);
  return ESTIMATORS.map((e) => {
    const errs = known.map((l) => estimateErrors(l.truth!, l.estimates[e] ?? []));
    const maxAbs = Math.max(
      0,
      ...known.flatMap((l) => l.truth!.map((t, i) => Math.abs((l.estimates[e]?.[i] ?? 0) - t))),
    );
    return {
      estimator: e,
      n: known.length,
      mae: errs.reduce((a, x) => a + x.mae, 0) / Math.max(1, errs.length),
      mse: errs.reduce((a, x) => a + x.mse, 0) / Math.max(1, errs.length),
      medianMae: median(errs.map((x) => x.mae)),
      maxAbs,
    };
  });
}

const sci = (x: number) => (Number.isFinite(x) ? x.toExponential(2) : "—");
const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

function lpCost(known: readonly InferLine[]): string {
  if (known.length === 0) return "";
  const s = (f: (l: InferLine) => number) => median(known.map(f));
  const cuts = known.every((l) => l.solver === "cuts");
  return `Median per tokenizer: ${s((l) => l.lp.rounds)} ${
    cuts ? "bundle iterations (solver cuts)" : "LP rounds"
  }, ${s((l) => l.lp.constraints)} ${cuts ? "candidate edges" : "constraints"}, ${
    cuts ? "matchings and master LPs" : "HiGHS"
  } ${(s((l) => l.lp.solveMs) / 1000).toFixed(1)} s, constraint walks ${
    (s((l) => l.lp.walkMs) / 1000).toFixed(1)
  } s, merge replay ${(s((l) => l.replayMs) / 1000).toFixed(1)} s, tokenizer training ${
    (s((l) => l.trainMs ?? 0) / 1000).toFixed(1)
  } s.`;
}

/**
 * The HTML section (empty string when there are no lines).
 *
 * @param lines infer.jsonl lines.
 * @returns The section.
 */
export function inferenceHtml(lines: readonly InferLine[]): string {
  if (lines.length === 0) return "";
  const known = lines.filter((l) => l.kind === "known" && l.truth);
  const real = lines.filter((l) => l.kind === "real");
  const out = [`<h2 id="inference">Inference track</h2>`];
  if (known.length > 0) {
    const l0 = known[0]!;
    out.push(
      `<p>Data mixture inference from BPE merge lists (Hayase, Liu, Choi, Oh, Smith 2024, ` +
        `arXiv 2407.16607): ${known.length} byte-level BPE tokenizers trained here on random ` +
        `known mixtures of 3–8 corpus domains (${l0.merges} merges, ${
          (l0.trainBytes! / 1024).toFixed(0)
        } KiB of training text each), inferred back from their merge lists with per-domain ` +
        `samples disjoint from the training text. Errors are over byte proportions; the MAE and ` +
        `MSE of a tokenizer average over its domains, the table averages over tokenizers.</p>`,
      table(
        ["estimator", "tokenizers", "mean MAE", "mean MSE", "median MAE", "max |error|"],
        summariseInference(lines).map((s) => [
          esc(LABEL[s.estimator] ?? s.estimator),
          String(s.n),
          sci(s.mae),
          sci(s.mse),
          sci(s.medianMae),
          sci(s.maxAbs),
        ]),
      ),
      `<p class="cap">${esc(lpCost(known))}</p>`,
      `<details><summary>Per tokenizer</summary>${
        table(
          [
            "id",
            "domains (truth → LP)",
            "MAE LP",
            "MAE efficiency",
            "MAE merge-votes",
            "LP objective",
            "rounds",
          ],
          known.map((l) => [
            esc(l.id),
            esc(
              l.categories.map((c, i) => `${c} ${pct(l.truth![i]!)} → ${pct(l.estimates.lp![i]!)}`)
                .join(", "),
            ),
            sci(estimateErrors(l.truth!, l.estimates.lp!).mae),
            sci(estimateErrors(l.truth!, l.estimates.efficiency!).mae),
            sci(estimateErrors(l.truth!, l.estimates["merge-votes"]!).mae),
            sci(l.lp.objective),
            String(l.lp.rounds),
          ]),
        )
      }</details>`,
    );
  }
  if (real.length > 0) {
    out.push(
      `<h3 id="inference-real">Real tokenizers (partial reproduction)</h3>`,
      `<p>Only the corpus's ${
        real[0]!.categories.length
      } domains are categories here, far fewer than the paper's (112 languages, code, web ` +
        `domains), so the proportions are not comparable one to one; the paper's estimates ` +
        `are shown beside them. Groups here: code = ts_code (TypeScript declarations), ` +
        `non-English = udhr (178 UDHR translations).</p>`,
      table(
        [
          "tokenizer",
          "merges used",
          "estimate (bytes)",
          "groups here",
          "paper's estimate",
          "LP objective",
        ],
        real.map((l) => [
          esc(l.tokenizer),
          l.mergesSkipped
            ? `${l.mergesSkipped + 1}–${l.mergesSkipped + l.mergesUsed}`
            : String(l.mergesUsed),
          esc(l.categories.map((c, i) => `${c} ${pct(l.estimates.lp![i]!)}`).join(", ")),
          esc(
            Object.entries(l.grouped ?? {}).map(([k, v]) => `${k} ${pct(v)}`).join(", ") || "—",
          ),
          esc(
            l.published
              ? Object.entries(l.published.values).map(([k, v]) => `${k} ${pct(v)}`).join(", ") +
                ` (${l.published.source})`
              : "—",
          ),
          sci(l.lp.objective),
        ]),
      ),
    );
  }
  return out.join("\n");
}

/**
 * The Markdown section for leaderboard.md (empty string when there are no lines).
 *
 * @param lines infer.jsonl lines.
 * @returns The section.
 */
export function inferenceMarkdown(lines: readonly InferLine[]): string {
  const known = lines.filter((l) => l.kind === "known" && l.truth);
  const real = lines.filter((l) => l.kind === "real");
  if (known.length === 0 && real.length === 0) return "";
  const out = ["", "## Inference track", ""];
  if (known.length > 0) {
    out.push(
      `${known.length} BPE tokenizers trained on known random mixtures of 3–8 corpus domains; ` +
        "proportions inferred from the merge lists (Hayase et al. 2024). Errors over byte proportions.",
      "",
      "| estimator | tokenizers | mean MAE | mean MSE | median MAE | max abs error |",
      "| --- | ---: | ---: | ---: | ---: | ---: |",
      ...summariseInference(lines).map((s) =>
        `| ${LABEL[s.estimator] ?? s.estimator} | ${s.n} | ${sci(s.mae)} | ${sci(s.mse)} | ${
          sci(s.medianMae)
        } | ${sci(s.maxAbs)} |`
      ),
      "",
      lpCost(known),
      "",
    );
  }
  if (real.length > 0) {
    const cell = (x: string) => x.replaceAll("|", "\\|");
    out.push(
      "Real tokenizers (partial reproduction: the corpus domains are the only categories).",
      "",
      "| tokenizer | merges used | groups here | paper's estimate | LP objective |",
      "| --- | --- | --- | --- | ---: |",
      ...real.map((l) =>
        `| ${cell(l.tokenizer)} | ${
          l.mergesSkipped
            ? `${l.mergesSkipped + 1}–${l.mergesSkipped + l.mergesUsed}`
            : String(l.mergesUsed)
        } | ${
          cell(Object.entries(l.grouped ?? {}).map(([k, v]) => `${k} ${pct(v)}`).join(", ") || "—")
        } | ${
          cell(
            l.published
              ? Object.entries(l.published.values).map(([k, v]) => `${k} ${pct(v)}`).join(", ")
              : "—",
          )
        } | ${sci(l.lp.objective)} |`
      ),
      "",
    );
  }
  return out.join("\n");
}
