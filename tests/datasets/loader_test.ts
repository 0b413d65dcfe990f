import { match as assertMatch } from "node:assert/strict";
import { assertEquals, assertThrows } from "../_assert.ts";
import { parseCard } from "../../datasets/card.ts";
import { loadRunTable, parseRunTable } from "../../datasets/loader.ts";

const dir = new URL("../testdata/tiny/", import.meta.url).pathname;
const card = parseCard(JSON.parse(Deno.readTextFileSync(`${dir}card.json`)), "card.json");
const HEAD = "fidelity,split,source_row,ratio_a,ratio_b,ratio_c,metric_loss,metric_acc,cost";
const GOOD = "small,,0,0.5,0.3,0.2,2.0,0.5,1";

function table(...rows: string[]): string {
  return [HEAD, ...rows].join("\n") + "\n";
}

Deno.test("parseRunTable() reads a valid table and renormalises mixtures", () => {
  const t = parseRunTable(table(GOOD, "large,,1,0.5,0.5,0.0005,1.0,0.9,10"), card, {
    file: "t.csv",
  });
  assertEquals(t.runs.length, 2);
  assertEquals(t.runs[0]!.metrics, { loss: 2, acc: 0.5 });
  const w = t.runs[1]!.mixture;
  assertEquals(Math.abs(w.reduce((a, b) => a + b, 0) - 1) < 1e-12, true);
});

const MALFORMED: [string, string, RegExp, ErrorConstructor][] = [
  ["empty file", "", /t\.csv:1: the table is empty/, SyntaxError],
  ["header only", HEAD + "\n", /t\.csv: the table has a header but no runs/, RangeError],
  [
    "unknown column",
    "fidelity,ratio_a,ratio_b,ratio_c,metric_loss,metric_acc,cost,notes\nsmall,1,0,0,1,0.5,1,x\n",
    /t\.csv:1:8: unknown column "notes"/,
    TypeError,
  ],
  [
    "missing cost column",
    "fidelity,ratio_a,ratio_b,ratio_c,metric_loss,metric_acc\nsmall,1,0,0,1,0.5\n",
    /t\.csv:1: missing column "cost"/,
    TypeError,
  ],
  [
    "ratio columns differ from the card",
    "fidelity,ratio_a,ratio_c,ratio_b,metric_loss,metric_acc,cost\nsmall,1,0,0,1,0.5,1\n",
    /t\.csv:1:3: column 2 of the ratio_ columns is "ratio_c", expected "ratio_b"/,
    TypeError,
  ],
  [
    "non-numeric cell",
    table("small,,0,0.5,abc,0.2,2.0,0.5,1"),
    /t\.csv:2:5: cell "ratio_b" is "abc", expected a finite number/,
    SyntaxError,
  ],
  [
    "empty cell",
    table(GOOD, "small,,1,0.5,0.3,0.2,,0.5,1"),
    /t\.csv:3:7: cell "metric_loss" is empty/,
    SyntaxError,
  ],
  [
    "negative weight",
    table("small,,0,1.2,-0.2,0,2.0,0.5,1"),
    /t\.csv:2:5: weight "ratio_b" is negative/,
    RangeError,
  ],
  [
    "weights not summing to 1",
    table("small,,0,0.5,0.3,0.3,2.0,0.5,1"),
    /t\.csv:2:4: ratio_ weights sum to "1\.1", expected 1 within 0\.001/,
    RangeError,
  ],
  [
    "duplicate row",
    table(GOOD, "small,,1,0.5,0.3,0.2,2.1,0.4,1"),
    /t\.csv:3:4: duplicate run: same fidelity, seed and mixture as line 2/,
    RangeError,
  ],
  [
    "unknown fidelity",
    table("huge,,0,0.5,0.3,0.2,2.0,0.5,1"),
    /t\.csv:2:1: fidelity "huge" is not in the data card/,
    RangeError,
  ],
  [
    "metric out of bounds",
    table("small,,0,0.5,0.3,0.2,2.0,1.5,1"),
    /t\.csv:2:8: metric "acc" is "1\.5", expected within \[0, 1\]/,
    RangeError,
  ],
  [
    "short row",
    table("small,,0,0.5,0.3,0.2,2.0,0.5"),
    /t\.csv:2: row has 8 cells, expected 9/,
    SyntaxError,
  ],
  [
    "infinite value",
    table("small,,0,0.5,0.3,0.2,Infinity,0.5,1"),
    /t\.csv:2:7: cell "metric_loss" is "Infinity", expected a finite number/,
    SyntaxError,
  ],
  [
    "negative cost",
    table("small,,0,0.5,0.3,0.2,2.0,0.5,-1"),
    /t\.csv:2:9: cost is negative/,
    RangeError,
  ],
];

for (const [what, text, message, type] of MALFORMED) {
  Deno.test(`parseRunTable() rejects a table with ${what}`, () => {
    assertThrows(() => parseRunTable(text, card, { file: "t.csv" }), type, message);
  });
}

Deno.test("parseRunTable() rejects a runs.csv whose sha256 differs from the card's", () => {
  const c = { ...card, sha256: "00" };
  assertThrows(
    () => parseRunTable(table(GOOD), c, { file: "t.csv", sha256: "ff" }),
    RangeError,
    /t\.csv: sha256 is "ff", expected "00" from the data card/,
  );
});

Deno.test("parseCard() names the bad field", () => {
  const bad = { ...JSON.parse(Deno.readTextFileSync(`${dir}card.json`)), sumTolerance: "x" };
  assertThrows(
    () => parseCard(bad, "c.json"),
    TypeError,
    /c\.json": field "sumTolerance" must be a finite number/,
  );
});

Deno.test("loadRunTable() infers a card for a bring-your-own table without one", async () => {
  const tmp = await Deno.makeTempDir();
  await Deno.writeTextFile(
    `${tmp}/runs.csv`,
    "model,ratio_x,ratio_y,metric_loss,cost\nm,0.5,0.5,1,1\nm,1,0,2,1\n",
  );
  const t = await loadRunTable(`${tmp}/runs.csv`);
  assertEquals(t.card.domains.map((d) => d.name), ["x", "y"]);
  assertEquals(t.card.metrics[0]!.direction, "minimize");
  assertMatch(t.sha256, /^[0-9a-f]{64}$/);
  await Deno.remove(tmp, { recursive: true });
});
