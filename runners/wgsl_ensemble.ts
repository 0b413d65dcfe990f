/**
 * A fused WebGPU (WGSL) forward pass of an MLP ensemble surrogate (numerics/mlp.ts): one invocation
 * per mixture computes the features, every member's forward pass with the activations in
 * private memory, and the ensemble mean and spread — one dispatch per chunk, no intermediate
 * buffers. Surrogate MLPs are small (e.g. 38 features, 64-wide, 5 members), so per-row fusion
 * beats per-layer matrix multiplications, whose intermediate activations would cross memory
 * several times. Weights are read with uniform (broadcast) access across a workgroup.
 *
 * The generated shader is specialised to the ensemble's shapes (compile-time loop bounds), in
 * f32 throughout. Inputs can stay on the GPU between calls (`upload` + `run`) so that a scan over
 * 1e6 candidates pays one upload and one read-back.
 *
 * @module
 */

import type { MlpEnsemble } from "../numerics/mlp.ts";

const WORKGROUP = 64;

/**
 * Where the feature shift, feature scale, output offset and the members' layers start in the
 * packed weights ({@linkcode packWeights}: shift[f], scale[f], offset[k], then per member per
 * layer weight[in·out], bias[out]).
 */
function headerOffsets(f: number, k: number): {
  shiftOff: number;
  scaleOff: number;
  offsetOff: number;
  layersOff: number;
} {
  return { shiftOff: 0, scaleOff: f, offsetOff: 2 * f, layersOff: 2 * f + k };
}

/** Generates the WGSL of an ensemble (exported for inspection and tests). */
export function ensembleShader(e: MlpEnsemble): string {
  const m = e.inputs, k = e.outputs, members = e.members.length;
  const f = e.features === "linear" ? m : 2 * m;
  const layers = e.members[0]!;
  const widest = Math.max(f, ...layers.map((l) => l.outputs));
  const act = e.activation === "tanh" ? "tanh(v)" : "v / (1.0 + exp(-v))";
  const lines: string[] = [];
  lines.push(
    "struct Params { rows: u32, stride: u32, pad0: u32, pad1: u32 }",
    "@group(0) @binding(0) var<storage, read> x: array<f32>;",
    "@group(0) @binding(1) var<storage, read> w: array<f32>;",
    "@group(0) @binding(2) var<storage, read_write> out: array<f32>;",
    "@group(0) @binding(3) var<uniform> params: Params;",
    `fn act(v: f32) -> f32 { return ${act}; }`,
    `@compute @workgroup_size(${WORKGROUP})`,
    "fn main(@builtin(global_invocation_id) gid: vec3<u32>) {",
    "  let r = gid.x + gid.y * params.stride;",
    "  if (r >= params.rows) { return; }",
    `  var a: array<f32, ${widest}>;`,
    `  var b: array<f32, ${widest}>;`,
    `  var feat: array<f32, ${f}>;`,
    `  var sum: array<f32, ${k}>;`,
    `  var sq: array<f32, ${k}>;`,
  );
  const { shiftOff, scaleOff, offsetOff, layersOff } = headerOffsets(f, k);
  let off = layersOff;
  lines.push(`  for (var j = 0u; j < ${m}u; j++) { feat[j] = x[r * ${m}u + j]; }`);
  if (e.features === "linear+log") {
    lines.push(
      `  for (var j = 0u; j < ${m}u; j++) { feat[${m}u + j] = log(feat[j] + ${
        flt(e.logEpsilon)
      }); }`,
    );
  }
  lines.push(
    `  for (var j = 0u; j < ${f}u; j++) { feat[j] = (feat[j] - w[${shiftOff}u + j]) * w[${scaleOff}u + j]; }`,
  );
  for (let q = 0; q < members; q++) {
    lines.push(`  for (var j = 0u; j < ${f}u; j++) { a[j] = feat[j]; }`);
    const ls = e.members[q]!;
    ls.forEach((l, li) => {
      const src = li % 2 === 0 ? "a" : "b";
      const dst = li % 2 === 0 ? "b" : "a";
      const wOff = off;
      off += l.inputs * l.outputs;
      const bOff = off;
      off += l.outputs;
      const last = li === ls.length - 1;
      lines.push(
        `  for (var j = 0u; j < ${l.outputs}u; j++) {`,
        `    var acc = w[${bOff}u + j];`,
        `    for (var i = 0u; i < ${l.inputs}u; i++) { acc = fma(${src}[i], w[${wOff}u + i * ${l.outputs}u + j], acc); }`,
        `    ${dst}[j] = ${last ? "acc" : "act(acc)"};`,
        "  }",
      );
      if (last) {
        lines.push(
          `  for (var j = 0u; j < ${k}u; j++) { sum[j] += ${dst}[j]; sq[j] = fma(${dst}[j], ${dst}[j], sq[j]); }`,
        );
      }
    });
  }
  lines.push(
    `  for (var j = 0u; j < ${k}u; j++) {`,
    `    let mu = sum[j] / ${flt(members)};`,
    `    out[r * ${2 * k}u + j] = mu + w[${offsetOff}u + j];`,
    `    out[r * ${2 * k}u + ${k}u + j] = sqrt(max(sq[j] / ${flt(members)} - mu * mu, 0.0));`,
    "  }",
    "}",
  );
  return lines.join("\n");
}

/** Rows per workgroup of the tiled kernel. */
const TILE_ROWS = 32;

/** Whether {@linkcode tiledShader} supports the ensemble's shapes. */
export function tiledSupported(e: MlpEnsemble): boolean {
  const hidden = e.members[0]!.slice(0, -1).map((l) => l.outputs);
  return hidden.length > 0 && hidden.every((h) => {
    if (h % 4 !== 0 || h > 64) return false;
    const groups = h / 4;
    return WORKGROUP % groups === 0 && TILE_ROWS % (WORKGROUP / groups) === 0;
  }) && e.outputs * TILE_ROWS <= WORKGROUP * 4;
}

/**
 * Generates the tiled variant: a workgroup of 64 invocations scores 32 rows; each hidden layer
 * is a small matrix product in workgroup memory where an invocation owns a block of rows × 4
 * output columns (register tiling), so every weight load (4 columns) is reused across its rows
 * and every activation read from workgroup memory feeds 4 FMAs.
 */
export function tiledShader(e: MlpEnsemble): string {
  const m = e.inputs, k = e.outputs, members = e.members.length;
  const f = e.features === "linear" ? m : 2 * m;
  const act = e.activation === "tanh" ? "tanh(v)" : "v / (1.0 + exp(-v))";
  const widest = Math.max(...e.members[0]!.map((l) => l.outputs), 4);
  const TR = TILE_ROWS;
  const L: string[] = [
    "struct Params { rows: u32, stride: u32, pad0: u32, pad1: u32 }",
    "@group(0) @binding(0) var<storage, read> x: array<f32>;",
    "@group(0) @binding(1) var<storage, read> w: array<f32>;",
    "@group(0) @binding(2) var<storage, read_write> out: array<f32>;",
    "@group(0) @binding(3) var<uniform> params: Params;",
    `var<workgroup> feat: array<f32, ${TR * f}>;`,
    `var<workgroup> bufA: array<f32, ${TR * widest}>;`,
    `var<workgroup> bufB: array<f32, ${TR * widest}>;`,
    `var<workgroup> osum: array<f32, ${TR * k}>;`,
    `var<workgroup> osq: array<f32, ${TR * k}>;`,
    `fn act(v: f32) -> f32 { return ${act}; }`,
    `@compute @workgroup_size(${WORKGROUP})`,
    "fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) t: u32) {",
    `  let base = (wg.x + wg.y * params.stride) * ${TR}u;`,
  ];
  const { shiftOff, scaleOff, offsetOff, layersOff } = headerOffsets(f, k);
  let off = layersOff;
  L.push(
    `  for (var q = t; q < ${TR * m}u; q += ${WORKGROUP}u) {`,
    `    let r = q / ${m}u; let j = q % ${m}u; let row = base + r;`,
    "    var v = 0.25;",
    `    if (row < params.rows) { v = x[row * ${m}u + j]; }`,
    `    feat[r * ${f}u + j] = (v - w[${shiftOff}u + j]) * w[${scaleOff}u + j];`,
    ...(e.features === "linear+log"
      ? [
        `    feat[r * ${f}u + ${m}u + j] = (log(v + ${flt(e.logEpsilon)}) - w[${
          shiftOff + m
        }u + j]) * w[${scaleOff + m}u + j];`,
      ]
      : []),
    "  }",
    `  for (var q = t; q < ${TR * k}u; q += ${WORKGROUP}u) { osum[q] = 0.0; osq[q] = 0.0; }`,
    "  workgroupBarrier();",
  );
  for (let q = 0; q < members; q++) {
    const ls = e.members[q]!;
    let src = "feat", srcW = f;
    ls.forEach((l, li) => {
      const wOff = off;
      off += l.inputs * l.outputs;
      const bOff = off;
      off += l.outputs;
      const last = li === ls.length - 1;
      if (!last) {
        const dst = li % 2 === 0 ? "bufA" : "bufB";
        const groups = l.outputs / 4, rgroups = WORKGROUP / groups, rpt = TR / rgroups;
        L.push("  {");
        L.push(`    let c = (t % ${groups}u) * 4u; let r0 = (t / ${groups}u) * ${rpt}u;`);
        L.push(
          `    let bias = vec4<f32>(w[${bOff}u + c], w[${bOff}u + c + 1u], w[${bOff}u + c + 2u], w[${bOff}u + c + 3u]);`,
        );
        for (let r = 0; r < rpt; r++) L.push(`    var acc${r} = bias;`);
        L.push(
          `    for (var i = 0u; i < ${l.inputs}u; i++) {`,
          `      let o = ${wOff}u + i * ${l.outputs}u + c;`,
          "      let wv = vec4<f32>(w[o], w[o + 1u], w[o + 2u], w[o + 3u]);",
        );
        for (let r = 0; r < rpt; r++) {
          L.push(
            `      acc${r} = fma(vec4<f32>(${src}[(r0 + ${r}u) * ${srcW}u + i]), wv, acc${r});`,
          );
        }
        L.push("    }");
        for (let r = 0; r < rpt; r++) {
          L.push(
            `    { let o = (r0 + ${r}u) * ${widest}u + c; ${dst}[o] = act(acc${r}.x); ${dst}[o + 1u] = act(acc${r}.y); ${dst}[o + 2u] = act(acc${r}.z); ${dst}[o + 3u] = act(acc${r}.w); }`,
          );
        }
        L.push("  }", "  workgroupBarrier();");
        src = dst;
        srcW = widest;
      } else {
        L.push(
          `  for (var q = t; q < ${TR * k}u; q += ${WORKGROUP}u) {`,
          `    let r = q / ${k}u; let j = q % ${k}u;`,
          `    var acc = w[${bOff}u + j];`,
          `    for (var i = 0u; i < ${l.inputs}u; i++) { acc = fma(${src}[r * ${srcW}u + i], w[${wOff}u + i * ${k}u + j], acc); }`,
          "    osum[q] += acc; osq[q] = fma(acc, acc, osq[q]);",
          "  }",
          "  workgroupBarrier();",
        );
      }
    });
  }
  L.push(
    `  for (var q = t; q < ${TR * k}u; q += ${WORKGROUP}u) {`,
    `    let r = q / ${k}u; let j = q % ${k}u; let row = base + r;`,
    "    if (row < params.rows) {",
    `      let mu = osum[q] / ${flt(members)};`,
    `      out[row * ${2 * k}u + j] = mu + w[${offsetOff}u + j];`,
    `      out[row * ${2 * k}u + ${k}u + j] = sqrt(max(osq[q] / ${flt(members)} - mu * mu, 0.0));`,
    "    }",
    "  }",
    "}",
  );
  return L.join("\n");
}

/** Packs the ensemble's parameters in the shader's layout. */
export function packWeights(e: MlpEnsemble): Float32Array {
  const parts: ArrayLike<number>[] = [e.featureShift, e.featureScale, e.offset];
  for (const layers of e.members) for (const l of layers) parts.push(l.weight, l.bias);
  const out = new Float32Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Scores mixtures with the fused shader on a GPU device. */
export class WgslEnsemble {
  readonly #device: GPUDevice;
  readonly #pipeline: GPUComputePipeline;
  readonly #weights: GPUBuffer;
  readonly #params: GPUBuffer;
  readonly #m: number;
  readonly #k: number;
  readonly #rowsPerGroup: number;

  private constructor(
    device: GPUDevice,
    pipeline: GPUComputePipeline,
    weights: GPUBuffer,
    params: GPUBuffer,
    m: number,
    k: number,
    rowsPerGroup: number,
  ) {
    this.#rowsPerGroup = rowsPerGroup;
    this.#device = device;
    this.#pipeline = pipeline;
    this.#weights = weights;
    this.#params = params;
    this.#m = m;
    this.#k = k;
  }

  /**
   * Compiles the shader for an ensemble.
   *
   * @param ensemble The surrogate.
   * @param device A device; by default one is requested from `navigator.gpu`.
   * @returns The scorer.
   * @throws {Error} When no GPU adapter is available.
   */
  static async create(
    ensemble: MlpEnsemble,
    device?: GPUDevice,
    kernel: "auto" | "tiled" | "row" = "auto",
  ): Promise<WgslEnsemble> {
    const dev = device ?? await requestDevice();
    const tiled = kernel === "tiled" || (kernel === "auto" && tiledSupported(ensemble));
    if (tiled && !tiledSupported(ensemble)) {
      throw new RangeError("The tiled kernel does not support this ensemble's shapes");
    }
    const module = dev.createShaderModule({
      code: tiled ? tiledShader(ensemble) : ensembleShader(ensemble),
    });
    const pipeline = await dev.createComputePipelineAsync({
      layout: "auto",
      compute: { module, entryPoint: "main" },
    });
    const packed = packWeights(ensemble);
    const weights = dev.createBuffer({
      size: packed.byteLength,
      usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST,
    });
    dev.queue.writeBuffer(weights, 0, packed as Float32Array<ArrayBuffer>);
    const params = dev.createBuffer({
      size: 16,
      usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
    });
    return new WgslEnsemble(
      dev,
      pipeline,
      weights,
      params,
      ensemble.inputs,
      ensemble.outputs,
      tiled ? TILE_ROWS : 1,
    );
  }

  /** The device the scorer runs on. */
  get device(): GPUDevice {
    return this.#device;
  }

  /** Uploads row-major mixtures (float32) to a GPU buffer, for repeated scoring. */
  upload(rows: Float32Array): GPUBuffer {
    const buf = this.#device.createBuffer({
      size: Math.max(16, rows.byteLength),
      usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST,
    });
    this.#device.queue.writeBuffer(buf, 0, rows as Float32Array<ArrayBuffer>);
    return buf;
  }

  /** Outputs per row k (the output buffer holds 2k floats per row: k means, then k spreads). */
  get outputs(): number {
    return this.#k;
  }

  /**
   * Records the forward pass of `n` rows already on the GPU into `enc`, writing a new output
   * buffer of `[mean…, spread…]` per row (`out[r·2k + j]` = mean of output j, `out[r·2k + k + j]`
   * = spread), which the caller destroys after the submission. One pass per submission: the
   * pass's row count is written to the shared parameter buffer at once.
   *
   * @param enc The command encoder.
   * @param input Rows (float32, row-major).
   * @param n Row count.
   * @returns The output buffer.
   */
  encode(enc: GPUCommandEncoder, input: GPUBuffer, n: number): GPUBuffer {
    const dev = this.#device;
    const out = dev.createBuffer({
      size: Math.max(16, n * 2 * this.#k * 4),
      usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC,
    });
    const perGroup = this.#rowsPerGroup === 1 ? WORKGROUP : this.#rowsPerGroup;
    const groups = Math.ceil(n / perGroup);
    const gx = Math.min(groups, 65535);
    const gy = Math.ceil(groups / gx);
    const stride = this.#rowsPerGroup === 1 ? gx * WORKGROUP : gx;
    dev.queue.writeBuffer(this.#params, 0, new Uint32Array([n, stride, 0, 0]));
    const bind = dev.createBindGroup({
      layout: this.#pipeline.getBindGroupLayout(0),
      entries: [
        { binding: 0, resource: { buffer: input } },
        { binding: 1, resource: { buffer: this.#weights } },
        { binding: 2, resource: { buffer: out } },
        { binding: 3, resource: { buffer: this.#params } },
      ],
    });
    const pass = enc.beginComputePass();
    pass.setPipeline(this.#pipeline);
    pass.setBindGroup(0, bind);
    pass.dispatchWorkgroups(gx, gy);
    pass.end();
    return out;
  }

  /**
   * Scores `n` rows already on the GPU; resolves to `[mean…, spread…]` interleaved per row (see
   * {@linkcode WgslEnsemble.encode}), or to nothing when `readBack` is false (the output stays
   * on the GPU).
   */
  async run(input: GPUBuffer, n: number, readBack = true): Promise<Float32Array | undefined> {
    const dev = this.#device;
    const bytes = n * 2 * this.#k * 4;
    const enc = dev.createCommandEncoder();
    const out = this.encode(enc, input, n);
    if (!readBack) {
      dev.queue.submit([enc.finish()]);
      await dev.queue.onSubmittedWorkDone();
      out.destroy();
      return undefined;
    }
    const result = await readBuffer(dev, enc, out, bytes);
    out.destroy();
    return new Float32Array(result);
  }

  /** Scores row-major mixtures (uploads, runs, reads back). */
  async predict(rows: Float32Array): Promise<{ mean: Float32Array; spread: Float32Array }> {
    const n = Math.floor(rows.length / this.#m);
    const input = this.upload(rows);
    const r = (await this.run(input, n))!;
    input.destroy();
    const k = this.#k;
    const mean = new Float32Array(n * k), spread = new Float32Array(n * k);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < k; j++) {
        mean[i * k + j] = r[i * 2 * k + j]!;
        spread[i * k + j] = r[i * 2 * k + k + j]!;
      }
    }
    return { mean, spread };
  }

  /** Frees the GPU buffers (the device is not destroyed). */
  destroy(): void {
    this.#weights.destroy();
    this.#params.destroy();
  }
}

/**
 * Copies the first `bytes` of `src` to a mappable buffer at the end of `enc`, submits, and
 * resolves to a copy of them.
 *
 * @param device The device.
 * @param enc Encoder with the work that writes `src`.
 * @param src The buffer to read.
 * @param bytes Bytes to read (a multiple of 4).
 * @returns The bytes.
 */
export async function readBuffer(
  device: GPUDevice,
  enc: GPUCommandEncoder,
  src: GPUBuffer,
  bytes: number,
): Promise<ArrayBuffer> {
  const size = Math.max(16, bytes);
  const staging = device.createBuffer({
    size,
    usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
  });
  enc.copyBufferToBuffer(src, 0, staging, 0, size);
  device.queue.submit([enc.finish()]);
  await staging.mapAsync(GPUMapMode.READ);
  const out = staging.getMappedRange().slice(0, bytes);
  staging.unmap();
  staging.destroy();
  return out;
}

/** Requests a high-performance device, or throws when there is no adapter. */
export async function requestDevice(): Promise<GPUDevice> {
  const adapter = await navigator.gpu?.requestAdapter({ powerPreference: "high-performance" });
  if (!adapter) throw new Error("Failed to get GPU adapter: navigator.gpu gave none");
  return await adapter.requestDevice({
    requiredLimits: {
      maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
      maxBufferSize: adapter.limits.maxBufferSize,
    },
  });
}

function flt(x: number): string {
  const s = String(x);
  return /[.eE]/.test(s) ? s : `${s}.0`;
}
