/**
 * `deno task infer-mixture`: estimates the category proportions of a BPE tokenizer's training data
 * from its merge list and one text sample per category (Hayase et al. 2024; methods.md §18).
 *
 * @module
 */

import { basename, extname, join } from "node:path";
import { InputError } from "../core/errors.ts";
import { MergeListError } from "../inference/bpe.ts";
import { inferMixture, SampleError } from "../inference/infer.ts";
import { type MergeFormat, MergeFormatError, parseMerges } from "../inference/merges.ts";
import { PatternError } from "../inference/pretokenize.ts";
import { loadRealTokenizer, RealTokenizerError } from "../inference/real.ts";
import { DOMAINS, loadDomain } from "../runners/train/corpus.ts";
import { commandLine, type CommandSpec, EXIT, list, positiveInt } from "./args.ts";
import {
  ensureRunJson,
  formatInferLine,
  INFERENCE_DEFAULTS,
  REAL_SAMPLE_BYTES,
  runInferenceTrack,
  runRealTokenizers,
} from "../bench/inference.ts";
import { writeReports } from "../reports/write.ts";

/** Default bytes read per category sample. */
export const SAMPLE_BYTES = 1024 * 1024;

/** `deno task infer-mixture`. */
export const INFER: CommandSpec = {
  name: "infer-mixture",
  usage: "infer-mixture --merges FILE --samples DIR|DOMAINS [options]",
  summary: "Infers the category proportions of a BPE tokenizer's training data from its ordered " +
    "merge list and a text sample per category (the data-mixture-inference LP of Hayase et al. " +
    "2024, solved with HiGHS); prints the proportions, the LP objective and slacks, and writes JSON.",
  options: {
    merges: {
      type: "string",
      value: "FILE",
      help: "tokenizer.json (Hugging Face), merges.txt, a tiktoken rank file, or " +
        "npm:r50k_base|cl100k_base|o200k_base|llama3|claude (rank data of the pinned npm " +
        "packages js-tiktoken, llama3-tokenizer-js, @anthropic-ai/tokenizer; js-tiktoken:ID also works)",
    },
    samples: {
      type: "string",
      value: "DIR|LIST",
      help: "a folder with one text file per category (the name is the file name without its " +
        "extension), or a comma list of corpus domains (" + DOMAINS.map((d) => d.name).join(", ") +
        "; `corpus` for all eight)",
    },
    "merges-used": {
      type: "string",
      value: "T",
      help: "use the first T merges (default 30000, or all when fewer)",
    },
    "merges-skipped": {
      type: "string",
      value: "S",
      help:
        "apply the first S merges before the T used ones (e.g. 100000 for Llama 3's extension " +
        "of cl100k's list; default 0)",
    },
    format: { type: "string", value: "F", help: "auto (default) | hf | merges | tiktoken" },
    pattern: {
      type: "string",
      value: "P",
      help: "split pattern: gpt2 | cl100k | o200k | llama3 (default: from the file)",
    },
    "sample-bytes": {
      type: "string",
      value: "N",
      help: `bytes read per category (default ${SAMPLE_BYTES})`,
    },
    "max-add": {
      type: "string",
      value: "N",
      help: "new constraints per LP round (default 100, the reference's)",
    },
    solver: {
      type: "string",
      value: "S",
      help: "auto (default: interval from 3000 merges on, with --max-add 5000 unless given; lp " +
        "below) | lp (lazy constraint generation on the full LP, HiGHS) | interval (the " +
        "same LP in a compact form whose rows cover runs of merge steps, HiGHS) | cuts (level " +
        "bundle method over the proportions with an exact max-weight matching oracle); all reach " +
        "the same LP optimum",
    },
    out: { type: "string", value: "FILE", help: "JSON output (default out/infer/<merges>.json)" },
  },
  epilog: `Example:
  deno task infer-mixture --merges tokenizer.json --samples moby,ts_code,udhr --merges-used 3000`,
};

const FORMATS = ["auto", "hf", "merges", "tiktoken"];

/** Reads the category samples of `--samples`. */
export async function readSamples(
  spec: string,
  bytes: number,
): Promise<{ name: string; text: string }[]> {
  const dec = new TextDecoder();
  let stat: Deno.FileInfo | undefined;
  try {
    stat = await Deno.stat(spec);
  } catch {
    stat = undefined;
  }
  if (stat?.isDirectory) {
    const files: string[] = [];
    for await (const e of Deno.readDir(spec)) {
      if (e.isFile && !e.name.startsWith(".")) files.push(e.name);
    }
    files.sort();
    if (files.length === 0) throw new InputError(`--samples "${spec}" holds no files`);
    return await Promise.all(files.map(async (f) => {
      const b = await Deno.readFile(join(spec, f));
      return { name: basename(f, extname(f)), text: dec.decode(b.subarray(0, bytes)) };
    }));
  }
  const names = spec === "corpus" ? DOMAINS.map((d) => d.name) : list("samples", spec)!;
  return names.map((n) => {
    const d = DOMAINS.find((x) => x.name === n);
    if (!d) {
      throw new InputError(
        `--samples: "${n}" is neither a folder nor a corpus domain (domains: ` +
          `${DOMAINS.map((x) => x.name).join(", ")})`,
      );
    }
    return { name: n, text: dec.decode(loadDomain(d).train.subarray(0, bytes)) };
  });
}

async function readMergeFile(path: string): Promise<string> {
  try {
    return await Deno.readTextFile(path);
  } catch (e) {
    throw new InputError(`--merges "${path}" cannot be read (${(e as Error).message})`);
  }
}

/** The `--solver` value. */
function solverOption(v: string | boolean | undefined): "auto" | "lp" | "interval" | "cuts" {
  if (v === undefined) return "auto";
  if (v === "auto" || v === "lp" || v === "interval" || v === "cuts") return v;
  throw new InputError(`--solver is "${v}", expected auto, lp, interval or cuts`);
}

/** Runs `infer-mixture`. */
export async function inferCommand(
  values: Readonly<Record<string, string | boolean | undefined>>,
): Promise<number> {
  const mergesPath = values.merges as string | undefined;
  const samplesSpec = values.samples as string | undefined;
  if (!mergesPath) throw new InputError("infer-mixture: --merges FILE is required");
  if (!samplesSpec) throw new InputError("infer-mixture: --samples DIR|DOMAINS is required");
  const format = (values.format as string | undefined) ?? "auto";
  if (!FORMATS.includes(format)) {
    throw new InputError(`--format is "${format}", expected one of ${FORMATS.join(", ")}`);
  }
  const T = positiveInt("merges-used", values["merges-used"]);
  const bytes = positiveInt("sample-bytes", values["sample-bytes"]) ?? SAMPLE_BYTES;
  const maxAdd = positiveInt("max-add", values["max-add"]);
  const skip = positiveInt("merges-skipped", values["merges-skipped"]) ?? 0;
  const solver = solverOption(values.solver);
  const real = /^(js-tiktoken|npm):/.exec(mergesPath);
  try {
    const mergeList = real
      ? await loadRealTokenizer(mergesPath.slice(real[0].length), skip + (T ?? 30000))
      : parseMerges(
        await readMergeFile(mergesPath),
        mergesPath,
        format === "auto" ? undefined : format as MergeFormat,
        values.pattern as string | undefined,
      );
    const samples = await readSamples(samplesSpec, bytes);
    const r = await inferMixture(mergeList, samples, {
      ...(T !== undefined ? { mergesUsed: T } : {}),
      ...(skip > 0 ? { mergesSkipped: skip } : {}),
      ...(maxAdd !== undefined ? { maxAdd } : {}),
      solver,
      cuts: {
        onRound: (p) =>
          console.error(
            `bundle iteration ${p.round}: objective in [${p.lower.toExponential(6)}, ${
              p.upper.toExponential(6)
            }], ${p.edges} candidate edges`,
          ),
      },
      onRound: (p) =>
        console.error(
          `LP round ${p.round}: ${p.constraints} constraints, walk stopped at merge ${
            p.step + 1
          }, HiGHS ${(p.solveMs / 1000).toFixed(1)} s`,
        ),
    });
    const order = r.names.map((_, i) => i).sort((a, b) => r.alpha[b]! - r.alpha[a]!);
    console.log(
      `${mergesPath}: ${r.T} merges, pattern ${
        mergeList.pattern.length > 12 ? "(regex)" : mergeList.pattern
      }, ${r.names.length} categories`,
    );
    console.log("category        α (pairs)  α (bytes)  efficiency  merge-votes");
    for (const i of order) {
      console.log(
        `${r.names[i]!.padEnd(14)}  ${r.alpha[i]!.toFixed(4).padStart(9)}  ${
          r.alphaBytes[i]!.toFixed(4).padStart(9)
        }  ${r.baselines.efficiency[i]!.toFixed(4).padStart(10)}  ${
          r.baselines.mergeVotes[i]!.toFixed(4).padStart(11)
        }`,
      );
    }
    const lp = r.lp;
    console.log(
      `LP objective ${lp.objective.toExponential(3)} (step slack ${
        lp.stepSlack.toExponential(3)
      } over ${lp.activeSteps} steps, pair slack ${
        lp.pairSlack.toExponential(3)
      } over ${lp.activePairs} pairs); ${lp.rounds} rounds, ${lp.constraints} constraints; ` +
        `replay ${(r.replayMs / 1000).toFixed(1)} s, walks ${(lp.walkMs / 1000).toFixed(1)} s, ` +
        `${r.solver} solver, ${r.solver === "cuts" ? "matchings and master LPs" : "HiGHS"} ${
          (lp.solveMs / 1000).toFixed(1)
        } s`,
    );
    const out = (values.out as string | undefined) ??
      `out/infer/${basename(mergesPath.replace(":", "-"), extname(mergesPath))}.json`;
    await Deno.mkdir(join(out, ".."), { recursive: true });
    await Deno.writeTextFile(
      out,
      JSON.stringify(
        {
          schema: "mixbench.infer-mixture/1",
          merges: mergesPath,
          pattern: mergeList.pattern,
          mergesUsed: r.T,
          solver: r.solver,
          sampleBytes: bytes,
          categories: r.names,
          alpha: r.alpha,
          alphaBytes: r.alphaBytes,
          baselines: r.baselines,
          lp: r.lp,
          replayMs: r.replayMs,
        },
        null,
        2,
      ) + "\n",
    );
    console.log(`wrote ${out}`);
    return EXIT.ok;
  } catch (e) {
    if (
      e instanceof MergeFormatError || e instanceof PatternError || e instanceof SampleError ||
      e instanceof MergeListError || e instanceof RealTokenizerError
    ) throw new InputError(e.message);
    throw e;
  }
}

/** `deno task infer-bench`. */
export const INFER_BENCH: CommandSpec = {
  name: "infer-bench",
  usage: "infer-bench [--out DIR] [--mixtures N] [--merges T] [--seed S]",
  summary:
    "The Inference track: trains byte-level BPE tokenizers on seeded random known mixtures " +
    "of 3-8 corpus domains, infers each mixture back from its merge list (LP and two baselines), " +
    "writes infer.jsonl and rebuilds the folder's reports (their Inference section).",
  options: {
    out: { type: "string", value: "DIR", help: "results folder (default out/inference)" },
    mixtures: {
      type: "string",
      value: "N",
      help: `known mixtures (default ${INFERENCE_DEFAULTS.mixtures})`,
    },
    merges: {
      type: "string",
      value: "T",
      help: `merges per tokenizer (default ${INFERENCE_DEFAULTS.merges})`,
    },
    seed: { type: "string", value: "S", help: "seed of the mixture draw (default 0)" },
    "sample-bytes": {
      type: "string",
      value: "N",
      help: "bytes per category sample (known mixtures: default the whole sample half of each " +
        `domain, 0.55–2.7 MB; real tokenizers: default ${REAL_SAMPLE_BYTES} of the 983040-byte ` +
        "training split; at most 4194304)",
    },
    "max-add": {
      type: "string",
      value: "N",
      help: `new LP constraints per round (default ${INFERENCE_DEFAULTS.maxAdd})`,
    },
    real: {
      type: "boolean",
      help: "also infer the real tokenizers of js-tiktoken (r50k, cl100k, o200k; the 8 domains " +
        "as categories) next to the paper's estimates",
    },
    "real-merges": {
      type: "string",
      value: "T",
      help: "merges used for the real tokenizers (default 1000; the paper uses 30000)",
    },
    "real-only": { type: "boolean", help: "only the real tokenizers (appends to infer.jsonl)" },
    solver: {
      type: "string",
      value: "S",
      help: "LP solver of the known mixtures: auto (default; interval from 3000 merges on, lp " +
        "below) | lp | interval | cuts (same optimum)",
    },
  },
};

/** Runs `infer-bench`. */
export async function inferBenchCommand(
  values: Readonly<Record<string, string | boolean | undefined>>,
  args: readonly string[],
): Promise<number> {
  const out = (values.out as string | undefined) ?? "out/inference";
  const mixtures = positiveInt("mixtures", values.mixtures, 1000);
  const merges = positiveInt("merges", values.merges, 100000);
  const sampleBytes = positiveInt("sample-bytes", values["sample-bytes"], 4 * 1024 * 1024);
  const maxAdd = positiveInt("max-add", values["max-add"]);
  const seed = values.seed === undefined ? 0 : Number(values.seed);
  if (!Number.isSafeInteger(seed) || seed < 0) {
    throw new InputError(`--seed is "${values.seed}", expected a non-negative integer`);
  }
  const t0 = performance.now();
  if (values["real-only"] !== true) {
    await runInferenceTrack({
      out,
      seed,
      command: commandLine("infer-bench", args),
      ...(mixtures !== undefined ? { mixtures } : {}),
      ...(merges !== undefined ? { merges } : {}),
      ...(sampleBytes !== undefined ? { sampleBytes } : {}),
      ...(maxAdd !== undefined ? { maxAdd } : {}),
      solver: solverOption(values.solver),
      onLine: (line, i, n) => console.log(formatInferLine(line, i, n)),
    });
  } else {
    await Deno.mkdir(out, { recursive: true });
    await ensureRunJson(out, commandLine("infer-bench", args));
  }
  if (values.real === true || values["real-only"] === true) {
    await runRealTokenizers(
      out,
      positiveInt("real-merges", values["real-merges"], 100000) ?? 1000,
      maxAdd ?? INFERENCE_DEFAULTS.maxAdd,
      sampleBytes ?? REAL_SAMPLE_BYTES,
      (line, i, n) => console.log(formatInferLine(line, i, n)),
    );
  }
  const files = await writeReports(out);
  console.log(
    `inference track done in ${((performance.now() - t0) / 1000).toFixed(0)} s: ` +
      `${out}/infer.jsonl, ${files.html}, ${files.markdown}`,
  );
  return EXIT.ok;
}
