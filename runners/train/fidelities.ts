/**
 * The scales (fidelities) of the `minimix` training environment: table size, token budget,
 * validation subset, peak learning rate and cost in S-runs (proportional to training bytes).
 *
 * @module
 */

/** One scale of the environment. */
export interface TrainFidelity {
  /** Id (`S`, `M`, `L`). */
  readonly id: string;
  /** Human label. */
  readonly label: string;
  /** log2 of each context order's table size. */
  readonly tableBits: number;
  /** Training bytes (a multiple of the 4 KiB batch). */
  readonly tokens: number;
  /** Use every `evalStride`-th 4 KiB validation piece. */
  readonly evalStride: number;
  /** Peak learning rate. */
  readonly peakLr: number;
  /** Cost of one run in S-runs (training bytes / S's training bytes). */
  readonly cost: number;
}

/** The fidelities, cheapest first. */
export const FIDELITIES: readonly TrainFidelity[] = [
  {
    id: "S",
    label: "5 × 2^14-weight tables, 256 KiB of training bytes",
    tableBits: 14,
    tokens: 1 << 18,
    evalStride: 4,
    peakLr: 0.05,
    cost: 1,
  },
  {
    id: "M",
    label: "5 × 2^16-weight tables, 1 MiB of training bytes",
    tableBits: 16,
    tokens: 1 << 20,
    evalStride: 2,
    peakLr: 0.05,
    cost: 4,
  },
  {
    id: "L",
    label: "5 × 2^18-weight tables, 4 MiB of training bytes",
    tableBits: 18,
    tokens: 1 << 22,
    evalStride: 1,
    peakLr: 0.05,
    cost: 16,
  },
];

/**
 * Bytes per optimiser step of every fidelity (8 sequences of 512 bytes; `BATCH_BYTES` in env.ts).
 */
export const STEP_BYTES = 4096;

/**
 * The id of a fidelity **lengthened** to a number of optimiser steps: `S@864` is S's model and
 * validation subset trained for 864 steps (864 × 4 KiB bytes), the recipe's learning-rate schedule
 * (warm-up over 5% of the steps, then cosine) spread over the longer run. The online track's
 * equal-cost baseline uses it (stratified sampling given a method's whole cost as more training).
 *
 * @example
 * ```ts
 * import { lengthenedFidelity, trainFidelity } from "./fidelities.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * const id = lengthenedFidelity("S", 128);
 * assertEquals([id, trainFidelity(id).cost, trainFidelity(id).tableBits], ["S@128", 2, 14]);
 * ```
 * @param base A fidelity id (`S`, `M`, `L`).
 * @param steps Optimiser steps (a positive integer).
 * @returns The id.
 * @throws {RangeError} When the base is unknown or the steps are not a positive integer.
 */
export function lengthenedFidelity(base: string, steps: number): string {
  trainFidelity(base);
  if (!Number.isInteger(steps) || steps < 1) {
    throw new RangeError(
      `A lengthened fidelity needs a positive whole number of steps, not ${steps}`,
    );
  }
  return `${base}@${steps}`;
}

/**
 * The fidelity with this id: `S`, `M`, `L`, or a lengthened one (`S@864`,
 * {@linkcode lengthenedFidelity}).
 *
 * @example
 * ```ts
 * import { trainFidelity } from "./fidelities.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * assertEquals(trainFidelity("M").cost, 4);
 * assertEquals(trainFidelity("S@64").tokens, trainFidelity("S").tokens);
 * ```
 * @throws {RangeError} When there is none.
 */
export function trainFidelity(id: string): TrainFidelity {
  const long = /^([A-Za-z]+)@([1-9][0-9]*)$/.exec(id);
  const f = FIDELITIES.find((x) => x.id === (long ? long[1] : id));
  if (!f) {
    throw new RangeError(
      `Unknown minimix fidelity "${id}" (known: ${
        FIDELITIES.map((x) => x.id).join(", ")
      }, or one of them lengthened to N steps as "S@N")`,
    );
  }
  if (!long) return f;
  const tokens = Number(long[2]) * STEP_BYTES;
  return {
    ...f,
    id,
    label: `${f.label.replace(/, [^,]*training bytes$/, "")}, ${long[2]} steps (${
      tokens / 1024
    } KiB of training bytes)`,
    tokens,
    cost: tokens / FIDELITIES[0]!.tokens,
  };
}
