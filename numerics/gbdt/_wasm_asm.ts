/**
 * A minimal WebAssembly assembler for the GBDT kernels: functions written as flat instruction
 * listings (the text format's instruction names, one per line, `;;` comments, locals by name)
 * become a module that exports its memory and the functions.
 *
 * @module
 */

import { name, section, sleb, uleb, WASM_HEADER } from "../_wasm_binary.ts";
import { F64, I32, V128 } from "../_wasm_ops.ts";

const SIMD: Record<string, number> = {
  "v128.load": 0x00,
  "v128.load32_splat": 0x09,
  "v128.const": 0x0c,
  "i32x4.extract_lane": 0x1b,
  "i32x4.gt_s": 0x3b,
  "v128.and": 0x4e,
  "v128.andnot": 0x4f,
};

const OPS: Record<string, number> = {
  "block": 0x02,
  "loop": 0x03,
  "end": 0x0b,
  "br": 0x0c,
  "br_if": 0x0d,
  "select": 0x1b,
  "local.get": 0x20,
  "local.set": 0x21,
  "local.tee": 0x22,
  "i32.load": 0x28,
  "f64.load": 0x2b,
  "i32.store": 0x36,
  "f64.store": 0x39,
  "i32.const": 0x41,
  "i32.eq": 0x46,
  "i32.ne": 0x47,
  "i32.lt_u": 0x49,
  "f64.le": 0x65,
  "i32.ctz": 0x68,
  "i32.add": 0x6a,
  "i32.sub": 0x6b,
  "i32.mul": 0x6c,
  "i32.shl": 0x74,
  "i32.shr_u": 0x76,
  "f64.add": 0xa0,
};

const ALIGN: Record<string, number> = { "i32": 2, "f64": 3, "v128": 4, "v128.load32_splat": 2 };

const TYPES: Record<string, number> = { i32: I32, f64: F64, v128: V128 };

/** A function: its parameter count, local types (params first) and instruction listing. */
export interface Func {
  params: number;
  locals: string[];
  body: string;
}

function assembleBody(f: Func): number[] {
  const names = new Map(f.locals.map((l, i) => [l.split(":")[0]!, i]));
  const out: number[] = [];
  const extra = f.locals.slice(f.params).map((l) => TYPES[l.split(":")[1]!]!);
  uleb(extra.length, out);
  for (const t of extra) out.push(1, t);
  for (const raw of f.body.split("\n")) {
    const line = raw.replace(/;;.*/, "").trim();
    if (!line) continue;
    const [op, ...args] = line.split(/\s+/) as [string, ...string[]];
    if (op in SIMD) {
      out.push(0xfd);
      uleb(SIMD[op]!, out);
    } else if (op in OPS) {
      out.push(OPS[op]!);
    } else {
      throw new SyntaxError(`Unknown WebAssembly instruction "${op}"`);
    }
    immediates(op, args, names, out);
  }
  out.push(0x0b);
  return out;
}

/** Encodes an instruction's immediates; `v128.const B` sets all 16 bytes to B. */
function immediates(op: string, args: string[], names: Map<string, number>, out: number[]): void {
  const arg = args[0] ?? "0";
  if (op === "block" || op === "loop") {
    out.push(0x40); // no result
  } else if (op.startsWith("local.")) {
    const index = names.get(arg);
    if (index === undefined) throw new SyntaxError(`Unknown WebAssembly local "${arg}"`);
    uleb(index, out);
  } else if (op === "i32.const") {
    sleb(Number(arg), out);
  } else if (op === "br" || op === "br_if" || op === "i32x4.extract_lane") {
    uleb(Number(arg), out);
  } else if (op === "v128.const") {
    for (let i = 0; i < 16; i++) out.push(Number(arg) & 0xff);
  } else if (/load|store/.test(op)) {
    uleb(ALIGN[op] ?? ALIGN[op.split(".")[0]!]!, out);
    uleb(Number(arg.replace("offset=", "")), out);
  }
}

/**
 * Assembles functions into a module with one exported memory (named `memory`) and the functions
 * exported under their keys.
 *
 * @param funcs Functions by export name.
 * @returns The module's bytes.
 * @throws {SyntaxError} An unknown instruction or local.
 */
export function assemble(funcs: Record<string, Func>): Uint8Array<ArrayBuffer> {
  const out = [...WASM_HEADER];
  const list = Object.entries(funcs);
  const types: number[] = [];
  uleb(list.length, types);
  for (const [, f] of list) {
    types.push(0x60);
    uleb(f.params, types);
    for (let i = 0; i < f.params; i++) types.push(TYPES[f.locals[i]!.split(":")[1]!]!);
    types.push(0);
  }
  out.push(...section(1, types));
  const fns: number[] = [];
  uleb(list.length, fns);
  list.forEach((_, i) => uleb(i, fns));
  out.push(...section(3, fns));
  out.push(...section(5, [1, 0, 1])); // one memory, at least one page
  const exports: number[] = [];
  uleb(list.length + 1, exports);
  for (const [i, [label]] of [["memory"], ...list.map(([n]) => [n])].entries()) {
    exports.push(...name(label!), i === 0 ? 2 : 0);
    uleb(i === 0 ? 0 : i - 1, exports);
  }
  out.push(...section(7, exports));
  const code: number[] = [];
  uleb(list.length, code);
  for (const [, f] of list) {
    const body = assembleBody(f);
    uleb(body.length, code);
    code.push(...body);
  }
  out.push(...section(10, code));
  return new Uint8Array(out);
}
