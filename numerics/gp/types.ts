/**
 * The types the GP's files share: data, hyper-parameters, kernel buffers and scratch memory.
 * A leaf of `numerics/gp/`, so that its files import their vocabulary from here and never from
 * each other in a circle.
 *
 * @module
 */

/** `"fidelity"`: the linear-truncated fidelity kernel; `"single"`: s²·M₀ only. */
export type GpKind = "single" | "fidelity";

/** Training data of a GP. */
export interface GpData {
  /** Kernel kind. */
  readonly kind: GpKind;
  /** Mixture dimension d. */
  readonly d: number;
  /** Inputs z, n×d row-major. */
  readonly x: Float64Array;
  /** Fidelity value of each input, in [0, 1] (read by the "fidelity" kind only). */
  readonly fidelity: Float64Array;
  /** Targets (maximised by the BO methods). */
  readonly y: Float64Array;
}

/** Hyper-parameter values. */
export interface GpHyper {
  /** Constant mean. */
  readonly mean: number;
  /** Outputscale s². */
  readonly outputscale: number;
  /** Length-scales of M₀, one per dimension. */
  readonly lengthscales: Float64Array;
  /** Length-scales of M₁ (empty for the "single" kind). */
  readonly biasLengthscales: Float64Array;
  /** Power π of the fidelity factor (0 for the "single" kind). */
  readonly power: number;
  /** Noise variance σ². */
  readonly noise: number;
}

/** Kernel matrices of the training inputs (lower triangles, j ≤ i, of row-major n×n arrays). */
export interface TrainingKernel {
  /** K + σ²I. */
  readonly k: Float64Array;
  /** M₀ values. */
  readonly m0: Float64Array;
  /** M₀ derivative factors E₀. */
  readonly e0: Float64Array;
  /** M₁ values (fidelity kind; empty otherwise). */
  readonly m1: Float64Array;
  /** M₁ derivative factors E₁. */
  readonly e1: Float64Array;
  /** Fidelity factors (1 − f)(1 − f')(1 + ff')^π. */
  readonly bias: Float64Array;
  /** Fidelity class of each input (index into `values`). */
  readonly classes: FidelityClasses;
}

/** Arrays {@link trainingKernel} may write into (those of {@link TrainingKernel}). */
export type KernelBuffers = Omit<TrainingKernel, "classes">;

/** The distinct fidelity values of a set of inputs and each input's class. */
export interface FidelityClasses {
  /** Class of each input. */
  readonly of: Int32Array;
  /** Distinct values. */
  readonly values: readonly number[];
}

/** Scratch arrays of at least n² entries for one loss evaluation. */
export interface GpScratch extends KernelBuffers {
  /** The Cholesky factor. */
  readonly l: Float64Array;
  /** K⁻¹. */
  readonly inv: Float64Array;
  /** L⁻¹. */
  readonly li: Float64Array;
}
