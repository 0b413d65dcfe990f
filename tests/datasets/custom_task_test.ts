import { assertEquals, assertThrows } from "../_assert.ts";
import { customTask, customTaskCard } from "../../datasets/custom_task.ts";
import { parseCard } from "../../datasets/card.ts";
import { parseRunTable } from "../../datasets/loader.ts";
import { exactly } from "../_exact.ts";

const dir = new URL("../testdata/tiny/", import.meta.url).pathname;
const tinyCsv = Deno.readTextFileSync(`${dir}runs.csv`);
const tinyCard = parseCard(JSON.parse(Deno.readTextFileSync(`${dir}card.json`)), "card.json");
const tiny = parseRunTable(tinyCsv, tinyCard, { file: "tiny.csv" });
/** The tiny table without its card: directions unknown, priors uniform. */
const bare = parseRunTable(tinyCsv, undefined, { file: "tiny.csv" });

Deno.test("customTask() without a card requires a direction, naming the metric and the guess", () => {
  const csv = "fidelity,ratio_a,ratio_b,metric_hellaswag\ns,0.5,0.5,0.6\ns,1,0,0.4\ns,0,1,0.5\n";
  const t = parseRunTable(csv, undefined, { file: "hs.csv" });
  assertThrows(
    () => customTask(t, {}),
    TypeError,
    exactly(
      'Objective "hellaswag": the direction of metric "hellaswag" is unknown (the table has no ' +
        "data card): pass --direction minimize or --direction maximize (the name-based guess " +
        'would be "minimize")',
    ),
  );
  const { card, notes } = customTask(t, { direction: "maximize" });
  assertEquals(card.direction, "maximize");
  assertEquals(card.reference.best, 0.6);
  assertEquals(
    card.description,
    "Bring-your-own table hs.csv, judged at fidelity s; hellaswag is maximized (from " +
      '--direction; the name-based guess was "minimize").',
  );
  assertEquals(notes, [
    "hs.csv: 3 runs at 1 fidelity (s: 3 runs, cost 1), 2 domains, 1 metric; no data card " +
    "(inferred from the header)",
    'hs.csv: objective hellaswag is maximized (from --direction; the name-based guess was "minimize")',
    "hs.csv: prior is uniform for lack of a card (natural, temperature and unimax then propose " +
    "the uniform mixture)",
  ]);
});

Deno.test("customTask() requires a direction when the card does not give the metric's", () => {
  const raw = JSON.parse(Deno.readTextFileSync(`${dir}card.json`));
  delete raw.metrics[1].direction;
  const t = parseRunTable(tinyCsv, parseCard(raw, "card.json"), { file: "tiny.csv" });
  assertThrows(
    () => customTask(t, { objective: "acc" }),
    TypeError,
    exactly(
      'Objective "acc": the direction of metric "acc" is not in the data card: pass --direction ' +
        'minimize or --direction maximize (the name-based guess would be "maximize")',
    ),
  );
  assertEquals(customTaskCard(t, { objective: "loss" }).direction, "minimize");
});

Deno.test("customTask() requires a direction for an expression", () => {
  assertThrows(
    () => customTask(tiny, { objective: "mean(metric_*)" }),
    TypeError,
    exactly(
      'Objective "mean(metric_*)" is an expression: pass --direction minimize or --direction ' +
        "maximize",
    ),
  );
  const card = customTaskCard(tiny, { objective: "mean(metric_*)", direction: "minimize" });
  // At the large fidelity, mean(loss, acc) is 1.4, 1.1, 0.8 and 0.85: the best is row 8.
  assertEquals([card.reference.best, card.reference.bestRow], [0.8, 8]);
});

Deno.test("customTask() says that an unknown objective metric does not exist", () => {
  assertThrows(
    () => customTask(tiny, { objective: "perplexity", direction: "minimize" }),
    TypeError,
    exactly('Objective "perplexity": metric "perplexity" does not exist; closest names: loss, acc'),
  );
  assertThrows(
    () => customTask(tiny, {}),
    TypeError,
    exactly('Table "tiny.csv" has 2 metrics: pass --objective (one of loss, acc)'),
  );
});

Deno.test("customTask() derives the task id from the table's name and sha256", () => {
  const other = parseRunTable(tinyCsv.replace("3.0,0.1", "3.1,0.1"), tinyCard, {
    file: "x/tiny.csv",
  });
  const a = customTaskCard(tiny, { objective: "loss" }).id;
  const b = customTaskCard(other, { objective: "loss" }).id;
  assertEquals(a, `custom/tiny-${tiny.sha256.slice(0, 8)}`);
  assertEquals(b, `custom/tiny-${other.sha256.slice(0, 8)}`);
  assertEquals(a === b, false);
  const runs = parseRunTable(tinyCsv, tinyCard, { file: "data/my table/runs.csv" });
  assertEquals(
    customTaskCard(runs, { objective: "loss" }).id,
    `custom/my_table-${runs.sha256.slice(0, 8)}`,
  );
});

Deno.test("customTask() keeps fidelities costlier than the target out unless asked", () => {
  const small = customTask(tiny, { objective: "loss", target: "small" });
  assertEquals(small.card.query, [{ fidelity: "small", cost: 1 }]);
  assertEquals(
    small.notes.at(-1),
    "tiny.csv: not queryable, as costlier than the target small: large (cost 10); pass " +
      "--query-costlier to allow them",
  );
  const all = customTaskCard(tiny, { objective: "loss", target: "small", queryCostlier: true });
  assertEquals(all.query, [{ fidelity: "small", cost: 1 }, { fidelity: "large", cost: 10 }]);
  const large = customTaskCard(tiny, { objective: "loss" });
  assertEquals(large.target, { fidelity: "large" });
  assertEquals(large.query, [{ fidelity: "small", cost: 0.1 }, { fidelity: "large", cost: 1 }]);
});

Deno.test("customTask() rejects an unknown target, a bad budget and a one-run target pool", () => {
  assertThrows(
    () => customTask(tiny, { objective: "loss", target: "huge" }),
    RangeError,
    exactly('--target "huge" is not a fidelity of "tiny.csv" (fidelities: small, large)'),
  );
  assertThrows(
    () => customTask(tiny, { objective: "loss", budget: 0 }),
    RangeError,
    exactly('--budget is "0", expected a positive number'),
  );
  const one = parseRunTable("fidelity,ratio_a,ratio_b,metric_loss\ns,0.5,0.5,2\n", undefined, {
    file: "one.csv",
  });
  assertThrows(
    () => customTask(one, { direction: "minimize" }),
    RangeError,
    exactly(
      'one.csv:2: the only run at fidelity "s" (the target of task "custom/one-' +
        `${one.sha256.slice(0, 8)}"), expected at least 2 runs to compare mixtures`,
    ),
  );
});

Deno.test("customTask() rejects an objective that is not finite on a run", () => {
  for (const [objective, value] of [["loss/0", "Infinity"], ["loss^1000", "Infinity"]]) {
    assertThrows(
      () => customTask(tiny, { objective, direction: "minimize", target: "small" }),
      RangeError,
      exactly(
        `tiny.csv:2: the objective "${objective}" of task "custom/tiny-${
          tiny.sha256.slice(0, 8)
        }" is "${value}" on this run, expected a finite number`,
      ),
    );
  }
});

Deno.test("customTask() allows empty cells in columns the objective does not read", () => {
  const holed = parseRunTable(
    tinyCsv.replace("large,,7,0,1,0,1.9,0.3,10", "large,,7,0,1,0,1.9,,10"),
    tinyCard,
    {
      file: "tiny.csv",
    },
  );
  const { card, notes } = customTask(holed, { objective: "loss" });
  assertEquals(card.reference.best, 1.0);
  assertEquals(
    notes[1],
    "tiny.csv: 1 empty cell, allowed because the objective does not read its column: metric_acc ×1",
  );
  assertThrows(
    () => customTask(holed, { objective: "acc" }),
    TypeError,
    exactly(
      `tiny.csv:9:8: cell "metric_acc" is empty, but the objective "acc" of task "custom/tiny-${
        holed.sha256.slice(0, 8)
      }" reads it`,
    ),
  );
});

Deno.test("customTask() on a table without a card notes the uniform prior", () => {
  const { notes } = customTask(bare, { objective: "loss", direction: "minimize" });
  assertEquals(bare.card.domains.map((d) => d.prior), [1 / 3, 1 / 3, 1 / 3]);
  assertEquals(
    notes.includes(
      "tiny.csv: prior is uniform for lack of a card (natural, temperature and unimax then " +
        "propose the uniform mixture)",
    ),
    true,
  );
});
