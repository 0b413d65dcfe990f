/**
 * Shared types of the suite: mixtures, run tables, proposals and observations.
 *
 * @module
 */

/** Weights over a task's domains: finite, non-negative, summing to 1. */
export type Mixture = readonly number[];

/** Whether lower or higher values of a metric or objective are better. */
export type Direction = "minimize" | "maximize";

/** A named data source with its natural share (the prior). */
export interface Domain {
  /** Name as in the table's `ratio_<name>` column. */
  readonly name: string;
  /** Natural share of the domain (token or sample share), summing to 1 over domains. */
  readonly prior: number;
  /** Token or sample count behind the prior, when the source publishes it. */
  readonly count?: number;
}

/** A metric column of a run table. */
export interface MetricInfo {
  /** Name as in the table's `metric_<name>` column, without the prefix. */
  readonly name: string;
  /** Which way is better. */
  readonly direction: Direction;
  /**
   * True when `direction` is only guessed from the name (no data card, or a card without the
   * metric's direction): a task over this metric must state its direction.
   */
  readonly directionGuessed?: boolean;
  /** Smallest valid value (inclusive). */
  readonly lower: number;
  /** Largest valid value (inclusive). */
  readonly upper: number;
  /**
   * An objective expression over the table's other metrics that this metric equals on every
   * run (e.g. `mean(a_loss, b_loss)` for an average the converter computed). The loader checks
   * it against the stored values; methods that model one metric at a time (Olmix, Data Mixing
   * Laws) use it to decompose an objective into its components.
   */
  readonly definition?: string;
  /** How the metric was evaluated (item count, scoring, source), where the card records it. */
  readonly evaluation?: MetricEvaluation;
}

/**
 * How a benchmark metric was measured: the number of evaluated items and the scoring, with the
 * source of the numbers. From it, the evaluation noise of a run's value: the standard error
 * sqrt(v(1 − v) / items) — exact for an accuracy over 0/1 items, an upper bound for a mean of
 * per-item scores in [0, 1] such as F1 or pass@k (a [0, 1] variable with mean v has variance
 * at most v(1 − v)).
 */
export interface MetricEvaluation {
  /** Evaluated items (questions, problems, prompts). */
  readonly items: number;
  /** How an item is scored and how items are averaged (accuracy, pass@10, F1, macro average …). */
  readonly scoring: string;
  /** Where the item count and scoring come from. */
  readonly source: string;
  /** True when every value in the table is a multiple of 1 / items (the count is confirmed). */
  readonly verified: boolean;
  /** What is uncertain about the count or the scoring, if anything. */
  readonly note?: string;
}

/** A model scale (fidelity) of a run table. */
export interface FidelityInfo {
  /** Value of the `fidelity` column. */
  readonly id: string;
  /** Human label, e.g. "1B params, 25B tokens". */
  readonly label: string;
  /** Cost of one run at this fidelity, in the table's cost unit. */
  readonly cost: number;
}

/** One finished training run of a table. */
export interface Run {
  /** 0-based row index in runs.csv (header excluded). */
  readonly row: number;
  /** Fidelity id. */
  readonly fidelity: string;
  /** Mixture, renormalised to sum to 1. */
  readonly mixture: Mixture;
  /** Metric values keyed by metric name (without the `metric_` prefix). */
  readonly metrics: Readonly<Record<string, number>>;
  /** Cost of the run as stored in the table. */
  readonly cost: number;
  /** Optional split label (e.g. "train", "test"). */
  readonly split: string;
  /** Optional seed of the run. */
  readonly seed: number;
  /** Index of the row in the upstream files, for provenance. */
  readonly sourceRow: string;
}

/** A method's request: run this mixture at this fidelity. */
export interface Proposal {
  /** The mixture to train on. */
  readonly mixture: Mixture;
  /** Fidelity id to run it at. */
  readonly fidelity: string;
}

/**
 * Where an answer came from: a table row, or a surrogate model's prediction with its
 * out-of-distribution score (L1 distance to the nearest table mixture), the ensemble spread
 * (before clipping), whether the value was clipped to the metric's bounds, and whether the
 * mixture is inside the model's trust region.
 */
export type Source =
  | { readonly kind: "table"; readonly row: number }
  | {
    /** A fresh training run, named by its content-addressed cache key. */
    readonly kind: "train";
    readonly key: string;
    /** Whether the run was answered from the cache. */
    readonly cached: boolean;
    /** Passes over each training domain's data the run made. */
    readonly epochs: readonly number[];
  }
  | {
    readonly kind: "surrogate";
    readonly ood: number;
    readonly spread: number;
    readonly clipped: boolean;
    /**
     * Whether the mixture is inside the model's trust region; outside, the value is the task's
     * out-of-region answer, not a prediction. Absent when the runner checks no region.
     */
    readonly inRegion?: boolean;
  };

/** The runner's answer to one proposal. */
export interface Observation extends Proposal {
  /** Objective value (in the objective's own direction). */
  readonly value: number;
  /** All metric values of the answer. */
  readonly metrics: Readonly<Record<string, number>>;
  /** Cost charged for the run. */
  readonly cost: number;
  /** Provenance of the answer. */
  readonly source: Source;
}
