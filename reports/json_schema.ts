/**
 * A small JSON Schema (draft 2020-12) checker for the keywords the results schemas use: `type`,
 * `const`, `enum`, `required`, `properties`, `additionalProperties`, `items`, `minItems`,
 * `minimum`, `maximum`, `exclusiveMinimum`, `minLength`, `pattern`, `oneOf`, `anyOf`, `if`/`then`, and local
 * `$ref`s (`#/$defs/...`). Any other keyword is refused when the schema is compiled, so a schema
 * never silently checks less than it says.
 *
 * @module
 */

/** A JSON Schema object. */
export type Schema = { readonly [keyword: string]: unknown };

const KNOWN = new Set([
  "$schema",
  "$id",
  "$defs",
  "$ref",
  "title",
  "description",
  "type",
  "const",
  "enum",
  "required",
  "properties",
  "additionalProperties",
  "items",
  "minItems",
  "minimum",
  "maximum",
  "exclusiveMinimum",
  "minLength",
  "pattern",
  "oneOf",
  "anyOf",
  "if",
  "then",
]);

/**
 * Checks that a schema uses only the supported keywords.
 *
 * @param schema The schema.
 * @throws {TypeError} Naming the first unsupported keyword and where it is.
 */
export function assertSupported(schema: Schema, path = "#"): void {
  for (const [k, v] of Object.entries(schema)) {
    if (!KNOWN.has(k)) throw new TypeError(`Unsupported JSON Schema keyword "${k}" at "${path}"`);
    if (k === "properties" || k === "$defs") {
      for (const [p, s] of Object.entries(v as Record<string, Schema>)) {
        assertSupported(s, `${path}/${k}/${p}`);
      }
    } else if (k === "oneOf" || k === "anyOf") {
      (v as Schema[]).forEach((s, i) => assertSupported(s, `${path}/${k}/${i}`));
    } else if (
      ["items", "if", "then"].includes(k) || (k === "additionalProperties" && typeof v === "object")
    ) {
      assertSupported(v as Schema, `${path}/${k}`);
    }
  }
}

function typeOf(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  if (typeof v === "number") return Number.isInteger(v) ? "integer" : "number";
  return typeof v;
}

function isType(v: unknown, t: string): boolean {
  const actual = typeOf(v);
  return actual === t || (t === "number" && actual === "integer");
}

/**
 * Validates a value against a schema.
 *
 * @example
 * ```ts
 * import { validate } from "./json_schema.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * const schema = { type: "object", required: ["seed"], properties: { seed: { type: "integer" } } };
 * assertEquals(validate(schema, { seed: 1.5 }), ['/seed: expected integer, got number']);
 * ```
 * @param schema The root schema (its `$defs` resolve `$ref`s).
 * @param value The value.
 * @returns Error messages, each prefixed with the JSON pointer of the failing value; empty when
 *   the value is valid.
 */
export function validate(schema: Schema, value: unknown): string[] {
  const errors: string[] = [];
  check(schema, schema, value, "", errors);
  return errors;
}

function check(root: Schema, s: Schema, v: unknown, at: string, errors: string[]): void {
  const where = at || "/";
  if (typeof s.$ref === "string") {
    const name = /^#\/\$defs\/(.+)$/.exec(s.$ref)?.[1];
    const target = name ? (root.$defs as Record<string, Schema> | undefined)?.[name] : undefined;
    if (!target) throw new TypeError(`Cannot resolve "$ref" "${s.$ref}"`);
    check(root, target, v, at, errors);
  }
  if (s.type !== undefined) {
    const types = Array.isArray(s.type) ? s.type as string[] : [s.type as string];
    if (!types.some((t) => isType(v, t))) {
      errors.push(`${where}: expected ${types.join(" or ")}, got ${typeOf(v)}`);
      return;
    }
  }
  if ("const" in s && JSON.stringify(v) !== JSON.stringify(s.const)) {
    errors.push(`${where}: expected ${JSON.stringify(s.const)}, got ${JSON.stringify(v)}`);
  }
  if (Array.isArray(s.enum) && !s.enum.some((e) => JSON.stringify(e) === JSON.stringify(v))) {
    errors.push(`${where}: ${JSON.stringify(v)} is not one of ${JSON.stringify(s.enum)}`);
  }
  if (typeof v === "number") {
    if (typeof s.minimum === "number" && v < s.minimum) {
      errors.push(`${where}: ${v} is below the minimum ${s.minimum}`);
    }
    if (typeof s.maximum === "number" && v > s.maximum) {
      errors.push(`${where}: ${v} is above the maximum ${s.maximum}`);
    }
    if (typeof s.exclusiveMinimum === "number" && v <= s.exclusiveMinimum) {
      errors.push(`${where}: ${v} must be above ${s.exclusiveMinimum}`);
    }
  }
  if (typeof v === "string" && typeof s.minLength === "number" && v.length < s.minLength) {
    errors.push(`${where}: string shorter than ${s.minLength}`);
  }
  if (
    typeof v === "string" && typeof s.pattern === "string" && !new RegExp(s.pattern, "u").test(v)
  ) {
    errors.push(`${where}: "${v.slice(0, 80)}" does not match ${s.pattern}`);
  }
  if (Array.isArray(v)) {
    if (typeof s.minItems === "number" && v.length < s.minItems) {
      errors.push(`${where}: fewer than ${s.minItems} items`);
    }
    if (s.items) v.forEach((x, i) => check(root, s.items as Schema, x, `${at}/${i}`, errors));
  }
  if (typeOf(v) === "object") {
    const o = v as Record<string, unknown>;
    for (const k of (s.required as string[] | undefined) ?? []) {
      if (!(k in o)) errors.push(`${where}: missing required property "${k}"`);
    }
    const props = (s.properties as Record<string, Schema> | undefined) ?? {};
    for (const [k, x] of Object.entries(o)) {
      if (props[k]) check(root, props[k], x, `${at}/${k}`, errors);
      else if (s.additionalProperties === false) {
        errors.push(`${where}: unexpected property "${k}"`);
      } else if (typeof s.additionalProperties === "object") {
        check(root, s.additionalProperties as Schema, x, `${at}/${k}`, errors);
      }
    }
  }
  const passes = (sub: Schema) => {
    const e: string[] = [];
    check(root, sub, v, at, e);
    return e.length === 0;
  };
  if (Array.isArray(s.oneOf) && (s.oneOf as Schema[]).filter(passes).length !== 1) {
    errors.push(`${where}: must match exactly one of ${s.oneOf.length} alternatives`);
  }
  if (Array.isArray(s.anyOf) && !(s.anyOf as Schema[]).some(passes)) {
    errors.push(`${where}: must match at least one of ${s.anyOf.length} alternatives`);
  }
  if (s.if && s.then && passes(s.if as Schema)) check(root, s.then as Schema, v, at, errors);
}
