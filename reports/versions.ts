/**
 * The leaderboard's version rule: lines ranked under one method id must come from one version of
 * that method, and lines of one task from one table (and surrogate model) and one suite version.
 * Lines of different commits may meet (a submission is ranked against an archive made at an
 * earlier commit); what they ran — method, task, data, model — may not differ.
 *
 * @module
 */

import { InputError } from "../core/errors.ts";
import type { LineVersions } from "../core/results.ts";

/** The fields of a results or predict line the rule reads. */
export interface VersionedLine {
  readonly suite: string;
  readonly task: { readonly id: string; readonly version: number };
  readonly method: string;
  readonly versions?: LineVersions;
}

/**
 * Every way the lines mix versions, one sentence each (empty when they do not).
 *
 * @example
 * ```ts
 * import { mixedVersions } from "./versions.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * const v = (method: string) => ({ method, commit: "c", table: "a".repeat(64) });
 * const line = (m: string) => ({ suite: "1", task: { id: "t", version: 1 }, method: "bo", versions: v(m) });
 * assertEquals(mixedVersions([line("1"), line("1")]), []);
 * assertEquals(mixedVersions([line("1"), line("2")]), [
 *   'method "bo" has lines of versions "1" and "2"',
 * ]);
 * ```
 * @param lines Results and predict lines.
 * @returns The problems found.
 */
export function mixedVersions(lines: readonly VersionedLine[]): string[] {
  const problems: string[] = [];
  const distinct = (
    subject: (l: VersionedLine) => string,
    kind: string,
    value: (l: VersionedLine) => string,
  ) => {
    const seen = new Map<string, string[]>();
    for (const l of lines) {
      const k = subject(l);
      const vs = seen.get(k) ?? [];
      const v = value(l);
      if (!vs.includes(v)) vs.push(v);
      seen.set(k, vs);
    }
    for (const [k, vs] of seen) {
      if (vs.length > 1) problems.push(`${k} has lines of ${kind} ${quoted(vs)}`);
    }
  };
  const none = "(none)";
  distinct(() => "the folder", "suite versions", (l) => l.suite);
  distinct((l) => `method "${l.method}"`, "versions", (l) => l.versions?.method ?? none);
  const task = (l: VersionedLine) => `task "${l.task.id}@${l.task.version}"`;
  distinct(task, "tables", (l) => l.versions?.table ?? none);
  distinct(task, "surrogate models", (l) => l.versions?.surrogate ?? none);
  return problems;
}

function quoted(vs: readonly string[]): string {
  const q = vs.map((v) => `"${v}"`);
  return q.length === 2 ? `${q[0]} and ${q[1]}` : `${q.slice(0, -1).join(", ")} and ${q.at(-1)}`;
}

/**
 * Refuses lines that mix versions (see {@linkcode mixedVersions}).
 *
 * @param lines Results and predict lines.
 * @param where The folder or files they come from, for the message.
 * @throws {InputError} Naming each mix.
 */
export function refuseMixedVersions(lines: readonly VersionedLine[], where: string): void {
  const problems = mixedVersions(lines);
  if (problems.length === 0) return;
  throw new InputError(
    `${where}: the leaderboard does not rank lines of different versions together: ${
      problems.join("; ")
    }`,
  );
}
