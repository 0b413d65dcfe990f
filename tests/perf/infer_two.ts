/**
 * 2-category recovery protocol (issue 19): over domain pairs × mixtures, trains a tokenizer on a
 * known 2-domain byte mixture and infers it back from the other halves (all of them) with the
 * first T merges; prints |error| per case and the distribution. Sources (tests/inference/_setup.ts):
 * `clean` (the track's: 128-byte pieces of the whole clean texts, 2 MiB of tokenizer text),
 * `blocks` / `pieces` (2 KiB blocks / 128-byte pieces of the 960 KiB training split, 480 KiB).
 *
 * Usage: deno run -A tests/perf/infer_two.ts [--T 1000,3000] [--solver lp|cuts] [--parity 0|1]
 *   [--source clean|blocks|pieces] [--budget BYTES]
 *
 * @module
 */

import { knownSetup } from "../inference/_setup.ts";
import { inferMixture } from "../../inference/infer.ts";

const arg = (k: string, d: string) => {
  const i = Deno.args.indexOf(`--${k}`);
  return i >= 0 ? Deno.args[i + 1]! : d;
};
const Ts = arg("T", "1000,3000").split(",").map(Number);
const solver = arg("solver", "lp") as "lp" | "cuts";
const pairs = arg("pairs", "moby:ts_code,wordnet:factbook,legal:udhr,sotu:nodedocs,moby:sotu")
  .split(",").map((x) => x.split(":"));
const source = arg("source", "clean") as "clean" | "blocks" | "pieces";
const budget = Number(arg("budget", String(source === "clean" ? 2 * 1024 * 1024 : 480 * 1024)));
const parity = Number(arg("parity", "0")) as 0 | 1;
const mixes = arg("mix", "0.3,0.7,0.5,0.15").split(",").map(Number);
const errs = new Map<number, number[]>();
for (const [a, b] of pairs) {
  for (const x of mixes) {
    const maxT = Math.max(...Ts);
    const { list, samples, truth } = knownSetup(
      [a!, b!],
      [x, 1 - x],
      maxT,
      { budget, source, trainParity: parity },
    );
    for (const T of Ts) {
      const t0 = performance.now();
      const r = await inferMixture(list, samples, { mergesUsed: T, maxAdd: 5000, solver });
      const e = r.alphaBytes[0]! - truth[0]!;
      (errs.get(T) ?? errs.set(T, []).get(T)!).push(Math.abs(e));
      console.log(
        `${a}/${b} ${x.toFixed(2)} T ${T}: truth ${truth[0]!.toFixed(4)} est ${
          r.alphaBytes[0]!.toFixed(4)
        } err ${e >= 0 ? "+" : ""}${e.toFixed(4)} (${
          ((performance.now() - t0) / 1000).toFixed(1)
        } s, ${r.lp.rounds} rounds)`,
      );
    }
  }
}
for (const [T, e] of errs) {
  e.sort((p, q) => p - q);
  console.log(
    `T ${T}: ${e.length} cases, max ${e.at(-1)!.toFixed(4)}, median ${
      e[e.length >> 1]!.toFixed(4)
    }, ` +
      `> 1e-2: ${e.filter((x) => x > 1e-2).length}`,
  );
}
