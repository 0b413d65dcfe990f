/** Assertion helpers over node:assert (std's @std/assert is on JSR, which is unreachable here). */

import { deepStrictEqual, ok } from "node:assert/strict";

export { deepStrictEqual as assertEquals, ok as assert };

/** A string is matched as a substring (as std's `msgIncludes`), a RegExp by `test`. */
function matches(actual: string, expected: RegExp | string): boolean {
  return typeof expected === "string" ? actual.includes(expected) : expected.test(actual);
}

/** Asserts that `fn` throws an instance of `type` whose message matches `message`. */
export function assertThrows(
  fn: () => unknown,
  type: abstract new (...args: never[]) => Error,
  message: RegExp | string,
): void {
  try {
    fn();
  } catch (e) {
    ok(
      e instanceof type,
      `expected ${type.name}, got ${(e as Error)?.name}: ${(e as Error)?.message}`,
    );
    ok(matches(e.message, message), `message "${e.message}" does not match ${message}`);
    return;
  }
  throw new Error(`expected ${type.name} matching ${message}, nothing was thrown`);
}

/** Asserts that a promise rejects with an instance of `type` whose message matches `message`. */
export async function assertRejects(
  fn: () => Promise<unknown>,
  type: abstract new (...args: never[]) => Error,
  message: RegExp | string,
): Promise<void> {
  try {
    await fn();
  } catch (e) {
    ok(
      e instanceof type,
      `expected ${type.name}, got ${(e as Error)?.name}: ${(e as Error)?.message}`,
    );
    ok(matches(e.message, message), `message "${e.message}" does not match ${message}`);
    return;
  }
  throw new Error(`expected ${type.name} matching ${message}, nothing was rejected`);
}

/** Asserts |actual − expected| ≤ tol. */
export function assertAlmost(actual: number, expected: number, tol: number, what = ""): void {
  ok(
    Math.abs(actual - expected) <= tol,
    `${what} expected ${expected} ± ${tol}, got ${actual}`.trim(),
  );
}
