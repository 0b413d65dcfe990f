/**
 * Validation cards of surrogate models (`runners/surrogates/*.json`): which table, fidelity and
 * metric a model answers, its .onnx file and sha256, how it was trained (seed, options), and the
 * validation gates it was held to, with their results. A task offers continuous mode only on
 * models whose card says `gates.pass`.
 *
 * @module
 */

import type { Direction } from "../core/types.ts";
import type { MlpOptions } from "../numerics/mlp.ts";

/** Schema id of surrogate validation cards. */
export const SURROGATE_SCHEMA = "mixbench.surrogate/1";

/** Scores of a model on one held-out set. */
export interface HeldOutScores {
  /** Runs trained on. */
  readonly train: number;
  /** Runs held out. */
  readonly heldOut: number;
  /** Spearman ρ between predictions and table values on the held-out runs. */
  readonly spearman: number;
  /** Share of the true top 10% that the prediction also puts in its top 10%. */
  readonly recall10: number;
  /** Mean absolute error on the held-out runs. */
  readonly mae: number;
}

/** One gate: a measured value, its threshold and the verdict. */
export interface Gate {
  /** What is measured. */
  readonly name: string;
  /** Measured value. */
  readonly value: number;
  /** Smallest passing value. */
  readonly threshold: number;
  /** value ≥ threshold. */
  readonly pass: boolean;
}

/** Contents of a surrogate validation card. */
export interface SurrogateCard {
  /** Always {@linkcode SURROGATE_SCHEMA}. */
  readonly schema: string;
  /** `table/fidelity/metric`. */
  readonly id: string;
  /** Built-in table id. */
  readonly table: string;
  /** sha256 of the table's runs.csv the model was trained on. */
  readonly tableSha256: string;
  /** Fidelity id of the training runs. */
  readonly fidelity: string;
  /** Metric predicted (without the `metric_` prefix). */
  readonly metric: string;
  /** The metric's direction. */
  readonly direction: Direction;
  /** The metric's bounds; predictions are clipped to them. */
  readonly bounds: { readonly lower: number; readonly upper: number };
  /** The ONNX file. */
  readonly model: {
    /** File name beside the card. */
    readonly file: string;
    /** Hex sha256 of the file. */
    readonly sha256: string;
    /** Size in bytes. */
    readonly bytes: number;
    /** ONNX opset. */
    readonly opset: number;
    /** Mixture length. */
    readonly inputs: number;
    /** Outputs per row (metrics). */
    readonly outputs: number;
    /** Ensemble members. */
    readonly members: number;
  };
  /** How the model was trained. */
  readonly training: {
    /** Seed of initialisation, batch order and splits. */
    readonly seed: number;
    /** Runs of the final model. */
    readonly runs: number;
    /** MLP options (every field resolved). */
    readonly options: Required<MlpOptions>;
  };
  /** ONNX output (onnxruntime-web, WASM) against the TypeScript forward pass on the table's mixtures. */
  readonly onnxCheck: {
    readonly rows: number;
    /** Largest |onnx − ts| / |ts| of the mean. */
    readonly maxRelativeError: number;
    /** Largest |onnx − ts| of the spread. */
    readonly maxSpreadError: number;
  };
  /** Validation results and gates. */
  readonly validation: {
    /** Random held-out split (20%). */
    readonly random: HeldOutScores;
    /** Extrapolation split: runs whose largest domain weight is in the top decile held out. */
    readonly extrapolation: HeldOutScores & { readonly dominantWeightCut: number };
    /** Run-to-run noise of the metric where the table repeats runs; null when it does not. */
    readonly seedNoise: number | null;
    /** RegMix transfer check: trained on the 1M train runs, ranking the 60M runs. */
    readonly transfer?: {
      readonly train: number;
      readonly target: string;
      readonly heldOut: number;
      /** ρ of the model's predictions with the target-fidelity values. */
      readonly spearman: number;
      /** ρ of the table's own training-fidelity values with the target-fidelity values. */
      readonly tableSpearman: number;
    };
  };
  /** Gates and the verdict. */
  readonly gates: { readonly checks: readonly Gate[]; readonly pass: boolean };
  /** Frozen reference values (passing models only). */
  readonly reference?: SurrogateReference;
}

/** Reference values computed on a passing surrogate. */
export interface SurrogateReference {
  /** f(uniform) by the surrogate (clipped). */
  readonly uniform: number;
  /** Best of the table's runs at the fidelity. */
  readonly tableBest: { readonly value: number; readonly row: number };
  /**
   * Best found on the surrogate by a Dirichlet search and local refinement, within the trust
   * radius of the table's mixtures, ranked by a spread-penalised score; `value` is the mean.
   */
  readonly searchBest: {
    readonly value: number;
    readonly mixture: readonly number[];
    /** Ensemble spread of the model there. */
    readonly spread: number;
    /** L1 distance to the nearest table mixture. */
    readonly ood: number;
    /**
     * Candidates farther than this from every table mixture were not considered: the 95th
     * percentile of the table mixtures' own leave-one-out nearest-neighbour distances.
     */
    readonly trustRadius: number;
    /** Candidates were ranked by the mean worsened by this many ensemble spreads. */
    readonly spreadPenalty: number;
    readonly samples: number;
    readonly refinementSteps: number;
  };
  /** f* = the better of the two. */
  readonly best: number;
  /** Table row of f*, or −1 when it came from the search. */
  readonly bestRow: number;
}

/** A card with its model bytes. */
export interface LoadedSurrogate {
  /** The card. */
  readonly card: SurrogateCard;
  /** The ONNX bytes (sha256 checked). */
  readonly model: Uint8Array;
  /** Path of the card. */
  readonly path: string;
}

/** Root folder of the suite (card paths in task cards are relative to it). */
export const SUITE_ROOT: URL = new URL("../", import.meta.url);

/**
 * Resolves a card path of a task card: absolute paths as they are, others against the suite root.
 *
 * @param path The path as written in the task card.
 * @returns An absolute file path.
 */
export function resolveCardPath(path: string): string {
  return path.startsWith("/") ? path : new URL(path, SUITE_ROOT).pathname;
}

/**
 * Reads a validation card and its .onnx file, and checks the file's sha256.
 *
 * @param path Card path (see {@linkcode resolveCardPath}).
 * @returns The card and the model bytes.
 * @throws {TypeError} When the card is not a surrogate card or the hash differs.
 */
export async function loadSurrogate(path: string): Promise<LoadedSurrogate> {
  const file = resolveCardPath(path);
  const card = JSON.parse(await Deno.readTextFile(file)) as SurrogateCard;
  if (card.schema !== SURROGATE_SCHEMA) {
    throw new TypeError(
      `Cannot read surrogate card "${file}": schema is not "${SURROGATE_SCHEMA}"`,
    );
  }
  const modelPath = new URL(card.model.file, `file://${file}`).pathname;
  const model = await Deno.readFile(modelPath);
  const hash = await sha256(model);
  if (hash !== card.model.sha256) {
    throw new TypeError(
      `Surrogate model "${modelPath}" has sha256 "${hash}", its card says "${card.model.sha256}"`,
    );
  }
  return { card, model, path: file };
}

/**
 * Hex sha256 of bytes.
 *
 * @param bytes The data.
 * @returns 64 hex digits.
 */
export async function sha256(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}
