/**
 * On-GPU candidate selection for the streaming top-k scan (`numerics/topk.ts`): after the fused
 * forward pass (`wgsl_ensemble.ts`), a second compute pass keeps only the rows whose signed score
 * sign·(mean + κ·spread) is below a bound — the k-th best score kept so far — appending (row,
 * mean, spread) to a small buffer with an atomic counter. Only those rows cross back to the host.
 * The scan's result does not change: the bound is loosened by a relative 1e-5 (the GPU computes
 * the score in float32, the host recomputes it in float64 from the same mean and spread), rows are
 * returned in row order, and when more rows pass than the buffer holds the whole output is read
 * back instead.
 *
 * @module
 */

import { readBuffer, type WgslEnsemble } from "./wgsl_ensemble.ts";

const WORKGROUP = 256;

/** Which score to select on. */
export interface SelectSpec {
  /** Output column. */
  readonly column: number;
  /** Spread multiple added to the mean. */
  readonly kappa: number;
  /** 1: low scores are best; −1: high scores are best. */
  readonly sign: 1 | -1;
  /** Keep rows with sign·(mean + κ·spread) below this (finite). */
  readonly bound: number;
}

/** Selected rows, in row order, with the column's mean and spread. */
export interface Selection {
  /** Row indices (ascending). */
  readonly rows: Uint32Array;
  readonly mean: Float32Array;
  readonly spread: Float32Array;
  /** Whether the selection overflowed its buffer and every row came back. */
  readonly overflow: boolean;
}

const SHADER = `
struct Params { rows: u32, k: u32, column: u32, capacity: u32, sign: f32, kappa: f32, bound: f32, pad: f32 }
@group(0) @binding(0) var<storage, read> scores: array<f32>;
@group(0) @binding(1) var<storage, read_write> picked: array<atomic<u32>>;
@group(0) @binding(2) var<uniform> p: Params;
@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nw: vec3<u32>) {
  let r = gid.x + gid.y * nw.x * ${WORKGROUP}u;
  if (r >= p.rows) { return; }
  let mean = scores[r * 2u * p.k + p.column];
  let spread = scores[r * 2u * p.k + p.k + p.column];
  if (p.sign * (mean + p.kappa * spread) < p.bound) {
    let slot = atomicAdd(&picked[0], 1u);
    if (slot < p.capacity) {
      atomicStore(&picked[1u + 3u * slot], r);
      atomicStore(&picked[2u + 3u * slot], bitcast<u32>(mean));
      atomicStore(&picked[3u + 3u * slot], bitcast<u32>(spread));
    }
  }
}`;

/** The selection pass of one device. */
export class WgslSelector {
  readonly #device: GPUDevice;
  readonly #pipeline: GPUComputePipeline;
  readonly #params: GPUBuffer;

  private constructor(device: GPUDevice, pipeline: GPUComputePipeline, params: GPUBuffer) {
    this.#device = device;
    this.#pipeline = pipeline;
    this.#params = params;
  }

  /**
   * Compiles the selection pass.
   *
   * @param device The device the ensemble runs on.
   * @returns The selector.
   */
  static async create(device: GPUDevice): Promise<WgslSelector> {
    const pipeline = await device.createComputePipelineAsync({
      layout: "auto",
      compute: { module: device.createShaderModule({ code: SHADER }), entryPoint: "main" },
    });
    const params = device.createBuffer({
      size: 32,
      usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
    });
    return new WgslSelector(device, pipeline, params);
  }

  /**
   * Scores `n` rows on the GPU and reads back the rows that may enter the top-k.
   *
   * @param ensemble The forward pass (on this selector's device).
   * @param input Rows on the GPU.
   * @param n Row count.
   * @param spec Column, κ, direction and bound.
   * @param capacity Most rows sent back before falling back to the whole output.
   * @returns The selected rows.
   */
  async select(
    ensemble: WgslEnsemble,
    input: GPUBuffer,
    n: number,
    spec: SelectSpec,
    capacity = 4096,
  ): Promise<Selection> {
    if (!Number.isFinite(spec.bound)) {
      throw new RangeError("Cannot select below a bound that is not finite");
    }
    const dev = this.#device, k = ensemble.outputs;
    const enc = dev.createCommandEncoder();
    const out = ensemble.encode(enc, input, n);
    const picked = dev.createBuffer({
      size: 4 * (1 + 3 * capacity),
      usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST,
    });
    const bound = spec.bound + 1e-5 * Math.max(1, Math.abs(spec.bound));
    const params = new ArrayBuffer(32);
    new Uint32Array(params, 0, 4).set([n, k, spec.column, capacity]);
    new Float32Array(params, 16, 4).set([spec.sign, spec.kappa, bound, 0]);
    dev.queue.writeBuffer(this.#params, 0, params);
    const groups = Math.ceil(n / WORKGROUP);
    const gx = Math.min(groups, 65535);
    const pass = enc.beginComputePass();
    pass.setPipeline(this.#pipeline);
    pass.setBindGroup(
      0,
      dev.createBindGroup({
        layout: this.#pipeline.getBindGroupLayout(0),
        entries: [
          { binding: 0, resource: { buffer: out } },
          { binding: 1, resource: { buffer: picked } },
          { binding: 2, resource: { buffer: this.#params } },
        ],
      }),
    );
    pass.dispatchWorkgroups(gx, Math.ceil(groups / gx));
    pass.end();
    try {
      const head = new Uint32Array(await readBuffer(dev, enc, picked, picked.size));
      const count = head[0]!;
      if (count <= capacity) return fromPicked(head, count);
      const all = new Float32Array(
        await readBuffer(dev, dev.createCommandEncoder(), out, n * 2 * k * 4),
      );
      const rows = new Uint32Array(n), mean = new Float32Array(n), spread = new Float32Array(n);
      for (let r = 0; r < n; r++) {
        rows[r] = r;
        mean[r] = all[r * 2 * k + spec.column]!;
        spread[r] = all[r * 2 * k + k + spec.column]!;
      }
      return { rows, mean, spread, overflow: true };
    } finally {
      out.destroy();
      picked.destroy();
    }
  }

  /** Frees the parameter buffer. */
  destroy(): void {
    this.#params.destroy();
  }
}

/** The picked (row, mean bits, spread bits) triples in row order. */
function fromPicked(head: Uint32Array, count: number): Selection {
  const order = Array.from({ length: count }, (_, i) => i)
    .sort((a, b) => head[1 + 3 * a]! - head[1 + 3 * b]!);
  const bits = new Float32Array(head.buffer);
  const rows = new Uint32Array(count), mean = new Float32Array(count);
  const spread = new Float32Array(count);
  order.forEach((slot, i) => {
    rows[i] = head[1 + 3 * slot]!;
    mean[i] = bits[2 + 3 * slot]!;
    spread[i] = bits[3 + 3 * slot]!;
  });
  return { rows, mean, spread, overflow: false };
}
