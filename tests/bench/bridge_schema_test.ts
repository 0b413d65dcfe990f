/** The bridge's JSON Schemas (bench/bridge/schema/) describe the messages the adapter sends. */

import { assert, assertEquals } from "../_assert.ts";
import { BRIDGE_PROTOCOL, initMessage } from "../../bench/bridge/adapter.ts";
import { poolContext } from "../../harness/context.ts";
import { resolveTask } from "../../core/task.ts";
import { loadTable, loadTaskCard } from "../../datasets/registry.ts";

const DIR = new URL("../../bench/bridge/schema/", import.meta.url);

type Schema = {
  type?: string;
  const?: unknown;
  enum?: unknown[];
  required?: string[];
  properties?: Record<string, Schema>;
  items?: Schema;
  additionalProperties?: Schema;
  minimum?: number;
  maximum?: number;
  minItems?: number;
};

/** Problems of a value against the subset of JSON Schema the bridge's schemas use. */
function check(v: unknown, s: Schema, at = "$"): string[] {
  const out: string[] = [];
  if (s.const !== undefined && v !== s.const) {
    out.push(`${at}: expected ${JSON.stringify(s.const)}`);
  }
  if (s.enum && !s.enum.includes(v)) out.push(`${at}: not one of ${s.enum.join(", ")}`);
  const kind = Array.isArray(v) ? "array" : Number.isInteger(v) ? "integer" : typeof v;
  if (s.type && !(s.type === kind || (s.type === "number" && kind === "integer"))) {
    return [...out, `${at}: ${kind}, expected ${s.type}`];
  }
  if (typeof v === "number") {
    if (s.minimum !== undefined && v < s.minimum) out.push(`${at}: below ${s.minimum}`);
    if (s.maximum !== undefined && v > s.maximum) out.push(`${at}: above ${s.maximum}`);
  }
  if (Array.isArray(v)) {
    if (s.minItems !== undefined && v.length < s.minItems) out.push(`${at}: too few items`);
    if (s.items) v.forEach((x, i) => out.push(...check(x, s.items!, `${at}[${i}]`)));
  }
  if (typeof v === "object" && v !== null && !Array.isArray(v)) {
    const o = v as Record<string, unknown>;
    for (const r of s.required ?? []) if (!(r in o)) out.push(`${at}: missing ${r}`);
    for (const [k, x] of Object.entries(o)) {
      const p = s.properties?.[k] ?? s.additionalProperties;
      if (p) out.push(...check(x, p, `${at}.${k}`));
    }
  }
  return out;
}

async function schema(name: string): Promise<Schema> {
  return JSON.parse(await Deno.readTextFile(new URL(`${name}.json`, DIR)));
}

Deno.test("Every message type has a schema whose type constant is its name", async () => {
  const names = [...Deno.readDirSync(DIR)].map((e) => e.name.replace(/\.json$/, "")).sort();
  assertEquals(names, [
    "ask",
    "error",
    "fit",
    "hello",
    "init",
    "ok",
    "predict",
    "predictions",
    "proposals",
    "ready",
    "recommend",
    "recommendation",
    "shutdown",
    "tell",
  ]);
  for (const n of names) assertEquals((await schema(n)).properties!.type!.const, n);
});

Deno.test("The adapter's init message for a real task satisfies init.json", async () => {
  const card = await loadTaskCard("regmix-pile/pile-cc");
  const task = resolveTask(card, await loadTable(card.table));
  const message = JSON.parse(JSON.stringify(initMessage(poolContext(task, 3, false), 3)));
  assertEquals(message.protocol, BRIDGE_PROTOCOL);
  assertEquals(check(message, await schema("init")), []);
  // A message missing a field or of the wrong type is caught by the same check.
  assert(check({ ...message, seed: "3" }, await schema("init")).length > 0);
  assertEquals(check({ type: "ask", spent: 0, remaining: 4 }, await schema("ask")), []);
  assert(check({ type: "recommendation" }, await schema("recommendation")).length > 0);
});
