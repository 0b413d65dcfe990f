/**
 * Types of a run table and its data card; parsing lives in `datasets/`.
 *
 * @module
 */

import type { Domain, FidelityInfo, MetricInfo, Run } from "./types.ts";

/** Schema id written into every card. */
export const CARD_SCHEMA = "mixbench.card/1";

/** Provenance of a converted table. */
export interface CardSource {
  /** Upstream repository URL. */
  readonly repository: string;
  /** Upstream commit the files were taken from. */
  readonly commit: string;
  /** Upstream file paths. */
  readonly files: readonly string[];
  /** Paper reference (authors, year, arXiv id). */
  readonly paper: string;
}

/** Contents of `card.json`. */
export interface DataCard {
  /** Always {@linkcode CARD_SCHEMA}. */
  readonly schema: string;
  /** Table id, e.g. `regmix_pile`. */
  readonly id: string;
  /** One-line title. */
  readonly title: string;
  /** A paragraph on what the runs are. */
  readonly description: string;
  /** Where the data came from. */
  readonly source: CardSource;
  /** SPDX-like license id of the data. */
  readonly license: string;
  /** Hex sha256 of runs.csv; empty for a bring-your-own table without card. */
  readonly sha256: string;
  /** Largest allowed |Σ ratios − 1| of a row (tables are rounded). */
  readonly sumTolerance: number;
  /** Domains in `ratio_` column order. */
  readonly domains: readonly Domain[];
  /** Metrics in `metric_` column order. */
  readonly metrics: readonly MetricInfo[];
  /** Fidelities, cheapest first. */
  readonly fidelities: readonly FidelityInfo[];
  /** Known quirks of the upstream data, and what the conversion did about them. */
  readonly quirks: readonly string[];
  /**
   * True for a card inferred from the header of a table that came without one (uniform priors,
   * directions guessed from the names).
   */
  readonly inferred?: boolean;
}

/** A validated run table. */
export interface RunTable {
  /** The data card (given or inferred). */
  readonly card: DataCard;
  /** All runs, in file order. */
  readonly runs: readonly Run[];
  /** Path of runs.csv as given. */
  readonly file: string;
  /** Hex sha256 of the runs.csv bytes. */
  readonly sha256: string;
  /** The header of runs.csv, for `file:line:column` messages about cells. */
  readonly columns?: readonly string[];
}
