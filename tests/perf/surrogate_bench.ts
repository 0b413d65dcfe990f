/**
 * Surrogate scoring throughput: this suite's fused WebAssembly SIMD kernel (the default CPU
 * engine, `runners/wasm_ensemble.ts`), onnxruntime-web WASM (the reference engine) and
 * onnxruntime-node (native), on the same ONNX file (the committed RegMix 1M surrogate) with the
 * same thread count, plus the TypeScript forward pass and the whole batched scan (Dirichlet
 * sampling + scoring + top-k). onnxruntime-node is a benchmark-only dependency and needs
 * `--allow-ffi`.
 *
 * `deno task perf` runs the `Deno.bench` groups (threads: MIXBENCH_THREADS, default 1). For
 * paired rows/s figures: `deno run -A tests/perf/surrogate_bench.ts [--threads N] [--rows N]
 * [--reps N] [--relaxed]` prints one JSON line: per engine the best (fastest) of interleaved
 * repetitions, so that load from other processes on a shared machine, which only slows a run
 * down, disturbs the figures least; ratios are of those bests. The scans are also timed alone
 * without scoring (`samplingRowsPerSecond`: the Dirichlet sampler, the same for every engine)
 * and in CPU time of the process (`scan.cpu`: rows per CPU-second, best repetition, the figure
 * least disturbed by other load at one thread). onnxruntime-web fixes its thread
 * count per process: run once per thread count. `--relaxed` sets onnxruntime-web's
 * `env.wasm.simd = "relaxed"` first (1.30.0 ships no relaxed-SIMD artefact: the setting only
 * changes its feature check, and the same binary runs). `--breakdown` adds the web/node pair for
 * the model with its activations replaced by Identity (matrix products and bias additions
 * only), which shows how much of the gap is the matrix kernels (WASM SIMD128 against the native
 * AVX2/AVX-512 ones) and how much the element-wise operators.
 *
 * @module
 */

import { parseArgs } from "node:util";
import process from "node:process";
import * as ortn from "onnxruntime-node";
import * as ortw from "onnxruntime-web";
import { onnxToEnsemble } from "../../runners/onnx_writer.ts";
import { ModelProto } from "../../runners/_onnx_proto.ts";
import { openSession } from "../../runners/ort_session.ts";
import { type BatchScorer, dirichletSampler, scoreTopK } from "../../numerics/topk.ts";
import { sessionScorer } from "../../runners/score.ts";
import { dirichlet } from "../../numerics/stats/gamma.ts";
import { type MlpEnsemble, predictEnsemble } from "../../numerics/mlp.ts";
import { Rng } from "../../numerics/rng.ts";

const MODEL = new URL("../../runners/surrogates/regmix_pile-1M-pile_cc_loss.onnx", import.meta.url);

/** The model with every activation (Sigmoid·x, Tanh) replaced by Identity. */
function withoutActivations(bytes: Uint8Array): Uint8Array {
  type Node = { opType: string; input: string[]; output: string[] };
  const model = ModelProto.toObject(ModelProto.decode(bytes)) as { graph: { node: Node[] } };
  const sigmoid = new Set<string>();
  model.graph.node = model.graph.node.map((n) => {
    if (n.opType === "Sigmoid") sigmoid.add(n.output[0]!);
    if (n.opType === "Sigmoid" || n.opType === "Tanh") return { ...n, opType: "Identity" };
    if (n.opType === "Mul" && sigmoid.has(n.input[1]!)) {
      return { ...n, opType: "Identity", input: [n.input[0]!] };
    }
    return n;
  });
  return ModelProto.encode(ModelProto.fromObject(model)).finish();
}

interface Setup {
  readonly m: number;
  readonly rows: number;
  readonly input: Float32Array;
  readonly web: Awaited<ReturnType<typeof openSession>>;
  readonly simd: Awaited<ReturnType<typeof openSession>>;
  readonly node: ortn.InferenceSession | null;
  readonly ensemble: MlpEnsemble;
}

async function setup(
  threads: number,
  rows: number,
  edit: (bytes: Uint8Array) => Uint8Array = (b) => b,
): Promise<Setup> {
  const original = await Deno.readFile(MODEL);
  const bytes = edit(original);
  const ensemble = onnxToEnsemble(original);
  const m = ensemble.inputs;
  const input = new Float32Array(rows * m);
  const rng = new Rng(1);
  const x = new Float64Array(m);
  const alpha = new Array(m).fill(0.5);
  for (let r = 0; r < rows; r++) input.set(dirichlet(rng, alpha, x), r * m);
  const web = await openSession(bytes, { inputs: m, outputs: 1, threads, cpuEngine: "ort" });
  const simd = await openSession(bytes, { inputs: m, outputs: 1, threads, cpuEngine: "simd" });
  if (web.provider !== "wasm" || simd.provider !== "simd") {
    throw new Error(`Expected the wasm and simd providers, got ${web.provider}, ${simd.provider}`);
  }
  const ffi = (await Deno.permissions.query({ name: "ffi" })).state === "granted";
  const node = ffi
    ? await ortn.InferenceSession.create(bytes, {
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
      executionMode: "sequential",
      graphOptimizationLevel: "all",
    })
    : null;
  return { m, rows, input, web, simd, node, ensemble };
}

function nodeScorer(s: Setup): BatchScorer {
  let f32 = new Float32Array(0);
  return {
    inputs: s.m,
    async score(rows, count, out) {
      if (f32.length < count * s.m) f32 = new Float32Array(count * s.m);
      for (let i = 0; i < count * s.m; i++) f32[i] = rows[i]!;
      const r = await s.node!.run({
        mixture: new ortn.Tensor("float32", f32.subarray(0, count * s.m), [count, s.m]),
      });
      const mean = r.mean!.data as Float32Array;
      for (let i = 0; i < count; i++) out[i] = mean[i]!;
    },
  };
}

async function runNode(s: Setup): Promise<void> {
  await s.node!.run({ mixture: new ortn.Tensor("float32", s.input, [s.rows, s.m]) });
}

async function scan(scorer: BatchScorer, m: number, total: number): Promise<void> {
  await scoreTopK(scorer, dirichletSampler(new Array(m).fill(0.5), new Rng(2)), {
    total,
    chunk: 16_384,
    k: 128,
  });
}

// Deno.bench awaits only functions declared `async`: every asynchronous bench below is one.
if (!import.meta.main) {
  const threads = Number(Deno.env.get("MIXBENCH_THREADS") ?? 1);
  const s = await setup(threads, 16_384);
  const group = `surrogate inference, ${s.rows} rows, ${threads} thread(s)`;
  if (s.node) {
    Deno.bench(
      "onnxruntime-node (native)",
      { group, baseline: true, n: 30, warmup: 3 },
      async () => await runNode(s),
    );
  }
  Deno.bench("onnxruntime-web WASM", { group, baseline: !s.node, n: 30, warmup: 3 }, async () => {
    await s.web.run(s.input, s.rows);
  });
  Deno.bench("fused WebAssembly SIMD kernel", { group, n: 30, warmup: 3 }, async () => {
    await s.simd.run(s.input, s.rows);
  });
  Deno.bench("TypeScript forward pass", { group, n: 3, warmup: 1 }, () => {
    predictEnsemble(s.ensemble, s.input);
  });
  const scanGroup = `scoreTopK: 65536 Dirichlet draws, chunk 16384, ${threads} thread(s)`;
  if (s.node) {
    Deno.bench(
      "scan with onnxruntime-node",
      { group: scanGroup, baseline: true, n: 5, warmup: 1 },
      async () => await scan(nodeScorer(s), s.m, 65_536),
    );
  }
  Deno.bench(
    "scan with onnxruntime-web WASM",
    { group: scanGroup, baseline: !s.node, n: 5, warmup: 1 },
    async () => await scan(sessionScorer(s.web), s.m, 65_536),
  );
  Deno.bench(
    "scan with the fused WebAssembly SIMD kernel",
    { group: scanGroup, n: 5, warmup: 1 },
    async () => await scan(sessionScorer(s.simd), s.m, 65_536),
  );
} else {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      threads: { type: "string", default: "1" },
      rows: { type: "string", default: "16384" },
      reps: { type: "string", default: "20" },
      scan: { type: "string", default: "262144" },
      breakdown: { type: "boolean", default: false },
      relaxed: { type: "boolean", default: false },
    },
  });
  if (values.relaxed) ortw.env.wasm.simd = "relaxed";
  const threads = Number(values.threads), reps = Number(values.reps);
  const s = await setup(threads, Number(values.rows));
  if (!s.node) throw new Error("onnxruntime-node needs --allow-ffi");
  // Wall milliseconds, and this process's CPU milliseconds (all its threads) alongside.
  const cpuMs = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  };
  const cpu: Record<string, number[]> = {};
  const time = async (f: () => Promise<unknown> | unknown, what = "") => {
    const c = cpuMs(), t = performance.now();
    await f();
    const wall = performance.now() - t;
    (cpu[what] ??= []).push(cpuMs() - c);
    return wall;
  };
  // The two WebAssembly engines must agree bit for bit (at this thread count too).
  const [a, b] = [await s.web.run(s.input, s.rows), await s.simd.run(s.input, s.rows)];
  const identical = a.mean.every((v, i) => Object.is(v, b.mean[i])) &&
    a.spread.every((v, i) => Object.is(v, b.spread[i]));
  for (let i = 0; i < 3; i++) {
    await s.web.run(s.input, s.rows);
    await s.simd.run(s.input, s.rows);
    await runNode(s);
  }
  const web: number[] = [], simd: number[] = [], node: number[] = [], ts: number[] = [];
  for (let i = 0; i < reps; i++) {
    web.push(await time(() => s.web.run(s.input, s.rows)));
    simd.push(await time(() => s.simd.run(s.input, s.rows)));
    node.push(await time(() => runNode(s)));
    if (i < 3) ts.push(await time(() => predictEnsemble(s.ensemble, s.input)));
  }
  const total = Number(values.scan);
  const scanWeb: number[] = [], scanSimd: number[] = [], scanNode: number[] = [];
  const sampling: number[] = [];
  const chunk = new Float64Array(16_384 * s.m);
  for (let i = 0; i < 3; i++) {
    scanWeb.push(await time(() => scan(sessionScorer(s.web), s.m, total), "scanWeb"));
    scanSimd.push(await time(() => scan(sessionScorer(s.simd), s.m, total), "scanSimd"));
    scanNode.push(await time(() => scan(nodeScorer(s), s.m, total), "scanNode"));
    // The scan's sampler alone (the same draws), the part every engine shares.
    const sample = dirichletSampler(new Array(s.m).fill(0.5), new Rng(2));
    sampling.push(
      await time(() => {
        for (let done = 0; done < total; done += 16_384) sample(chunk, 16_384);
      }, "sampling"),
    );
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
  const best = (xs: number[]) => Math.min(...xs);
  const rate = (n: number, ms: number) => Math.round(n / (ms / 1000));
  const ratio = (a: number[], b: number[]) => Number((best(b) / best(a)).toFixed(3));
  let breakdown: Record<string, number> | undefined;
  if (values.breakdown) {
    const g = await setup(threads, s.rows, withoutActivations);
    const gw: number[] = [], gn: number[] = [];
    for (let i = 0; i < reps + 3; i++) {
      const a = await time(() => g.web.run(g.input, g.rows));
      const b = await time(() => runNode(g));
      if (i >= 3) gw.push(a), gn.push(b);
    }
    breakdown = {
      noActivationWebRowsPerSecond: rate(s.rows, median(gw)),
      noActivationNodeRowsPerSecond: rate(s.rows, median(gn)),
      noActivationWebOverNode: Number(median(gw.map((w, i) => gn[i]! / w)).toFixed(3)),
      activationShareOfWebTime: Number((1 - median(gw) / median(web)).toFixed(3)),
      activationShareOfNodeTime: Number((1 - median(gn) / median(node)).toFixed(3)),
    };
    await g.web.close();
  }
  console.log(JSON.stringify({
    model: "regmix_pile-1M-pile_cc_loss.onnx",
    threads,
    rows: s.rows,
    cpu: navigator.hardwareConcurrency,
    relaxed: values.relaxed,
    simdIdenticalToWeb: identical,
    simdRowsPerSecond: rate(s.rows, best(simd)),
    webRowsPerSecond: rate(s.rows, best(web)),
    nodeRowsPerSecond: rate(s.rows, best(node)),
    typescriptRowsPerSecond: rate(s.rows, best(ts)),
    simdOverNode: ratio(simd, node),
    webOverNode: ratio(web, node),
    scan: {
      total,
      simdRowsPerSecond: rate(total, best(scanSimd)),
      webRowsPerSecond: rate(total, best(scanWeb)),
      nodeRowsPerSecond: rate(total, best(scanNode)),
      simdOverNode: ratio(scanSimd, scanNode),
      webOverNode: ratio(scanWeb, scanNode),
      samplingRowsPerSecond: rate(total, best(sampling)),
      // Rows per CPU-second of this process (best repetition): load from other processes
      // disturbs these less; at 1 thread every engine scores on the calling thread.
      cpu: {
        simdRowsPerSecond: rate(total, best(cpu.scanSimd!)),
        webRowsPerSecond: rate(total, best(cpu.scanWeb!)),
        nodeRowsPerSecond: rate(total, best(cpu.scanNode!)),
        samplingRowsPerSecond: rate(total, best(cpu.sampling!)),
        simdOverNode: ratio(cpu.scanSimd!, cpu.scanNode!),
        webOverNode: ratio(cpu.scanWeb!, cpu.scanNode!),
      },
    },
    ...(breakdown ? { breakdown } : {}),
  }));
  await s.web.close();
  await s.simd.close();
}
