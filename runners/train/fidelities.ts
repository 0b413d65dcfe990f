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
 * The fidelity with this id.
 *
 * @example
 * ```ts
 * import { trainFidelity } from "./fidelities.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * assertEquals(trainFidelity("M").cost, 4);
 * ```
 * @throws {RangeError} When there is none.
 */
export function trainFidelity(id: string): TrainFidelity {
  const f = FIDELITIES.find((x) => x.id === id);
  if (!f) {
    throw new RangeError(
      `Unknown minimix fidelity "${id}" (known: ${FIDELITIES.map((x) => x.id).join(", ")})`,
    );
  }
  return f;
}
