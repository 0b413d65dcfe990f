import { assertEquals, assertThrows } from "../_assert.ts";
import { parseCard } from "../../datasets/card.ts";
import { exactly } from "../_exact.ts";

const dir = new URL("../testdata/tiny/", import.meta.url).pathname;
const base = () => JSON.parse(Deno.readTextFileSync(`${dir}card.json`));
const where = 'Cannot read data card "c.json": field';

const BAD: [string, (c: Record<string, unknown[] | number>) => void, string][] = [
  [
    "a fidelity cost of 0",
    (c) => ((c.fidelities as { cost: number }[])[1]!.cost = 0),
    `${where} "fidelities[1].cost" is "0", expected a positive number`,
  ],
  [
    "a negative fidelity cost",
    (c) => ((c.fidelities as { cost: number }[])[0]!.cost = -1),
    `${where} "fidelities[0].cost" is "-1", expected a positive number`,
  ],
  [
    "duplicate fidelity ids",
    (c) => ((c.fidelities as { id: string }[])[1]!.id = "small"),
    `${where} "fidelities[1].id" is "small" like fidelities[0], expected unique ids`,
  ],
  [
    "a prior above 1",
    (c) => {
      const d = c.domains as { prior: number }[];
      [d[0]!.prior, d[1]!.prior, d[2]!.prior] = [1.5, -0.3, -0.2];
    },
    `${where} "domains[0].prior" is "1.5", expected a number in [0, 1]`,
  ],
  [
    "a negative prior",
    (c) => {
      const d = c.domains as { prior: number }[];
      [d[0]!.prior, d[1]!.prior] = [0.9, -0.1];
    },
    `${where} "domains[1].prior" is "-0.1", expected a number in [0, 1]`,
  ],
  [
    "priors not summing to 1",
    (c) => ((c.domains as { prior: number }[])[0]!.prior = 0.7),
    `${where} "domains" has priors summing to "1.2", expected 1 within 0.001 (the card's ` +
    "sumTolerance)",
  ],
  [
    "a negative sum tolerance",
    (c) => (c.sumTolerance = -0.001),
    `${where} "sumTolerance" is "-0.001", expected a number ≥ 0`,
  ],
];

for (const [what, edit, message] of BAD) {
  Deno.test(`parseCard() rejects ${what}`, () => {
    const c = base();
    edit(c);
    assertThrows(() => parseCard(c, "c.json"), RangeError, exactly(message));
  });
}

Deno.test("parseCard() accepts priors summing to 1 within the tolerance", () => {
  const c = base();
  c.domains[0].prior = 0.5004;
  assertEquals(parseCard(c, "c.json").domains[0]!.prior, 0.5004);
});

Deno.test("parseCard() marks a metric without direction as guessed", () => {
  const c = base();
  delete c.metrics[1].direction;
  const card = parseCard(c, "c.json");
  assertEquals(card.metrics[0]!.directionGuessed, undefined);
  assertEquals(card.metrics[1], {
    name: "acc",
    direction: "maximize",
    directionGuessed: true,
    lower: 0,
    upper: 1,
  });
});

Deno.test("parseCard() reads a metric's evaluation and rejects a non-integer item count", () => {
  const c = base();
  const evaluation = { items: 1319, scoring: "accuracy", source: "GSM8K test set", verified: true };
  c.metrics[1].evaluation = evaluation;
  assertEquals(parseCard(c, "c.json").metrics[1]!.evaluation, evaluation);
  c.metrics[1].evaluation = { ...evaluation, items: 13.5 };
  assertThrows(
    () => parseCard(c, "c.json"),
    RangeError,
    exactly(`${where} "metrics[1].evaluation.items" is "13.5", expected a positive integer`),
  );
});
