import { match as assertMatch } from "node:assert/strict";
import { assertEquals, assertThrows } from "../_assert.ts";
import { parseCard } from "../../datasets/card.ts";
import { loadRunTable, parseRunTable, summarizeTable } from "../../datasets/loader.ts";
import { exactly } from "../_exact.ts";

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

const MALFORMED: [string, string, string, ErrorConstructor][] = [
  ["empty file", "", "t.csv:1: the table is empty, expected a header line", SyntaxError],
  ["header only", HEAD + "\n", "t.csv: the table has a header but no runs", RangeError],
  [
    "unknown column",
    "fidelity,ratio_a,ratio_b,ratio_c,metric_loss,metric_acc,cost,notes\nsmall,1,0,0,1,0.5,1,x\n",
    't.csv:1:8: unknown column "notes", expected fidelity, split, seed, source_row, cost, ' +
    "ratio_<domain> or metric_<name>",
    TypeError,
  ],
  [
    "missing cost column and two fidelities",
    "fidelity,ratio_a,ratio_b,ratio_c,metric_loss,metric_acc\nsmall,1,0,0,1,0.5\nlarge,1,0,0,1,0.5\n",
    't.csv:1: missing column "cost", needed when the table has more than one fidelity ' +
    "(found 2: small, large)",
    TypeError,
  ],
  [
    "ratio columns differ from the card",
    "fidelity,ratio_a,ratio_c,ratio_b,metric_loss,metric_acc,cost\nsmall,1,0,0,1,0.5,1\n",
    't.csv:1:3: column 2 of the ratio_ columns is "ratio_c", expected "ratio_b" as in the data card',
    TypeError,
  ],
  [
    "non-numeric cell",
    table("small,,0,0.5,abc,0.2,2.0,0.5,1"),
    't.csv:2:5: cell "ratio_b" is "abc", expected a finite decimal number',
    SyntaxError,
  ],
  [
    "hexadecimal number in a metric",
    table("small,,0,0.5,0.3,0.2,0x10,0.5,1"),
    't.csv:2:7: cell "metric_loss" is "0x10", expected a finite decimal number',
    SyntaxError,
  ],
  [
    "binary number in a ratio",
    table("small,,0,0b1,0,0,2.0,0.5,1"),
    't.csv:2:4: cell "ratio_a" is "0b1", expected a finite decimal number',
    SyntaxError,
  ],
  [
    "empty ratio cell",
    table(GOOD, "small,,1,0.5,,0.2,2.0,0.5,1"),
    't.csv:3:5: cell "ratio_b" is empty, expected a number',
    SyntaxError,
  ],
  [
    "empty cost cell",
    table(GOOD, "small,,1,0.5,0.2,0.3,2.0,0.5,"),
    't.csv:3:9: cell "cost" is empty, expected a number',
    SyntaxError,
  ],
  [
    "negative weight",
    table("small,,0,1.2,-0.2,0,2.0,0.5,1"),
    't.csv:2:5: weight "ratio_b" is negative ("-0.2")',
    RangeError,
  ],
  [
    "weights not summing to 1",
    table("small,,0,0.5,0.3,0.3,2.0,0.5,1"),
    't.csv:2:4: ratio_ weights sum to "1.1", expected 1 within 0.001 (the card\'s sumTolerance)',
    RangeError,
  ],
  [
    "duplicate row",
    table(GOOD, "small,,1,0.5,0.3,0.2,2.1,0.4,1"),
    "t.csv:3:4: duplicate run: same fidelity, seed and mixture as line 2",
    RangeError,
  ],
  [
    "unknown fidelity",
    table("huge,,0,0.5,0.3,0.2,2.0,0.5,1"),
    't.csv:2:1: fidelity "huge" is not in the data card (expected one of "small", "large")',
    RangeError,
  ],
  [
    "quoted newline inside a fidelity value",
    table(GOOD, '"sma\nll",,1,0.5,0.2,0.3,2.0,0.5,1'),
    't.csv:3:1: cell "fidelity" holds a line break (a quoted newline), expected one line per run',
    SyntaxError,
  ],
  [
    "cost that differs between rows of one fidelity",
    table(GOOD, "small,,1,0.5,0.2,0.3,2.0,0.5,1", "small,,2,0.2,0.5,0.3,2.0,0.5,2"),
    't.csv:4:9: cost is "2", but fidelity "small" costs "1" at line 2; every run of one ' +
    "fidelity must have the same cost",
    RangeError,
  ],
  [
    "metric out of bounds",
    table("small,,0,0.5,0.3,0.2,2.0,1.5,1"),
    't.csv:2:8: metric "acc" is "1.5", expected within [0, 1]',
    RangeError,
  ],
  [
    "short row",
    table("small,,0,0.5,0.3,0.2,2.0,0.5"),
    "t.csv:2: row has 8 cells, expected 9 as in the header",
    SyntaxError,
  ],
  [
    "infinite value",
    table("small,,0,0.5,0.3,0.2,Infinity,0.5,1"),
    't.csv:2:7: cell "metric_loss" is "Infinity", expected a finite decimal number',
    SyntaxError,
  ],
  [
    "negative cost",
    table("small,,0,0.5,0.3,0.2,2.0,0.5,-1"),
    't.csv:2:9: cost is "-1", expected a positive number',
    RangeError,
  ],
  [
    "zero cost",
    table("small,,0,0.5,0.3,0.2,2.0,0.5,0"),
    't.csv:2:9: cost is "0", expected a positive number',
    RangeError,
  ],
];

for (const [what, text, message, type] of MALFORMED) {
  Deno.test(`parseRunTable() rejects a table with ${what}`, () => {
    assertThrows(() => parseRunTable(text, card, { file: "t.csv" }), type, exactly(message));
  });
}

Deno.test("parseRunTable() without a card rejects a cost that differs within a fidelity", () => {
  assertThrows(
    () =>
      parseRunTable(
        "fidelity,ratio_a,ratio_b,metric_loss,cost\ns,1,0,1,1\ns,0,1,2,1.5\n",
        undefined,
        {
          file: "t.csv",
        },
      ),
    RangeError,
    exactly(
      't.csv:3:5: cost is "1.5", but fidelity "s" costs "1" at line 2; every run of one ' +
        "fidelity must have the same cost",
    ),
  );
});

Deno.test("parseRunTable() allows empty metric cells and says so in the load summary", () => {
  const t = parseRunTable(table(GOOD, "small,,1,0.5,0.2,0.3,,0.5,1", "large,,2,1,0,0,,,10"), card, {
    file: "t.csv",
  });
  assertEquals(t.runs[1]!.metrics, { acc: 0.5 });
  assertEquals(t.runs[2]!.metrics, {});
  const s = summarizeTable(t, ["acc"]);
  assertEquals(s.emptyCells, { loss: 2, acc: 1 });
  assertEquals(s.lines, [
    "t.csv: 3 runs at 2 fidelities (small: 2 runs, cost 1; large: 1 run, cost 10), 3 domains, " +
    "2 metrics; data card given",
    "t.csv: 2 empty cells, allowed because the objective does not read its column: metric_loss ×2",
    "t.csv: empty cells in columns the objective reads, only at runs outside the task's pools: " +
    "metric_acc ×1",
  ]);
});

Deno.test("parseRunTable() reads a single-fidelity table without a cost column", () => {
  const csv = "fidelity,ratio_a,ratio_b,ratio_c,metric_loss,metric_acc\n" +
    "large,1,0,0,1,0.5\nlarge,0,1,0,2,0.4\n";
  const withCard = parseRunTable(csv, card, { file: "t.csv" });
  assertEquals(withCard.runs.map((r) => r.cost), [10, 10]);
  const inferred = parseRunTable(csv, undefined, { file: "t.csv" });
  assertEquals(inferred.runs.map((r) => r.cost), [1, 1]);
  assertEquals(inferred.card.fidelities, [{ id: "large", label: "large", cost: 1 }]);
});

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
  assertEquals(t.card.metrics[0]!.directionGuessed, true);
  assertEquals(t.card.inferred, true);
  assertMatch(t.sha256, /^[0-9a-f]{64}$/);
  await Deno.remove(tmp, { recursive: true });
});
