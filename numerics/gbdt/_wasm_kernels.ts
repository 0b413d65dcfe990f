/**
 * The two WebAssembly kernels of the GBDT scorer, as instruction listings: `rank` maps feature
 * values to threshold ranks, `score` runs the QuickScorer bit-mask pass (see `_gbdt_wasm.ts`).
 *
 * @module
 */

import { assemble, type Func } from "./_wasm_asm.ts";

/**
 * `rank(rows, nRows, d, featTab, rk, stride)`: for every row r and feature f, the number of
 * thresholds t of f with `!(x ≤ t)` (branch-free binary search over a power-of-two table padded
 * with +∞), stored at `rk + f·stride + 4r`. `featTab` holds per feature (table address, half its
 * length).
 */
const RANK: Func = {
  params: 6,
  locals: [
    "rows:i32",
    "nRows:i32",
    "d:i32",
    "featTab:i32",
    "rk:i32",
    "stride:i32",
    "r:i32",
    "f:i32",
    "x:f64",
    "base:i32",
    "step:i32",
    "pos:i32",
    "dst:i32",
  ],
  body: `
    loop
      i32.const 0
      local.set f
      local.get rk
      local.get r
      i32.const 2
      i32.shl
      i32.add
      local.set dst
      loop
        local.get rows
        f64.load
        local.set x
        local.get featTab
        local.get f
        i32.const 3
        i32.shl
        i32.add
        local.tee base
        i32.load offset=4
        local.set step
        local.get base
        i32.load
        local.set base
        i32.const 0
        local.set pos
        block
          loop
            local.get step
            i32.const 0
            i32.eq
            br_if 1
            local.get pos
            local.get pos
            local.get step
            i32.add
            local.get x
            local.get base
            local.get pos
            local.get step
            i32.add
            i32.const 1
            i32.sub
            i32.const 3
            i32.shl
            i32.add
            f64.load
            f64.le
            select
            local.set pos
            local.get step
            i32.const 1
            i32.shr_u
            local.set step
            br 0
          end
        end
        local.get dst
        local.get pos
        i32.store
        local.get dst
        local.get stride
        i32.add
        local.set dst
        local.get rows
        i32.const 8
        i32.add
        local.set rows
        local.get f
        i32.const 1
        i32.add
        local.tee f
        local.get d
        i32.ne
        br_if 0
      end
      local.get r
      i32.const 1
      i32.add
      local.tee r
      local.get nRows
      i32.ne
      br_if 0
    end
  `,
};

/** Adds the exit-leaf value of four rows' masks `m` (lanes 0–3) to `acc[at … at + 3]`. */
function addLeaves(m: string, at: number): string {
  return [0, 1, 2, 3].map((lane) => `
    local.get ap
    local.get ap
    f64.load offset=${at + 8 * lane}
    local.get leaves
    local.get ${m}
    i32x4.extract_lane ${lane}
    i32.ctz
    i32.const 3
    i32.shl
    i32.add
    f64.load
    f64.add
    f64.store offset=${at + 8 * lane}`).join("\n");
}

/** Row groups of four (one `v128` of ranks each) that one pass over a tree's nodes scores. */
export const GROUPS = 8;

/**
 * `score(treeTab, treeEnd, rk, acc, groupBytes)`: for every tree record (node start, node end,
 * leaf address; 16 bytes) and every 4 · GROUPS rows, the QuickScorer pass over the tree's
 * 16-byte node records (threshold rank, left-leaf mask, rank column offset), adding each row's
 * exit-leaf value to `acc`. `groupBytes` = 16 × (rows / 4), a multiple of 16 · GROUPS.
 */
const SCORE: Func = {
  params: 5,
  locals: [
    "tt:i32",
    "ttEnd:i32",
    "rk:i32",
    "acc:i32",
    "groupBytes:i32",
    "ns:i32",
    "ne:i32",
    "leaves:i32",
    "g:i32",
    "ap:i32",
    "k:i32",
    "c:i32",
    "base:i32",
    "thr:v128",
    "mask:v128",
    ...Array.from({ length: GROUPS }, (_, i) => `m${i}:v128`),
  ],
  body: `
    loop
      local.get tt
      i32.load
      local.set ns
      local.get tt
      i32.load offset=4
      local.set ne
      local.get tt
      i32.load offset=8
      local.set leaves
      i32.const 0
      local.set g
      local.get acc
      local.set ap
      loop
        ${each((i) => `v128.const -1\nlocal.set m${i}`)}
        local.get ns
        local.set k
        local.get rk
        local.get g
        i32.add
        local.set base
        block
          loop
            local.get k
            local.get ne
            i32.eq
            br_if 1
            local.get k
            v128.load32_splat
            local.set thr
            local.get k
            v128.load32_splat offset=4
            local.set mask
            local.get base
            local.get k
            i32.load offset=8
            i32.add
            local.set c
            ${
    each((i) => `
            local.get m${i}
            local.get c
            v128.load offset=${16 * i}
            local.get thr
            i32x4.gt_s
            local.get mask
            v128.and
            v128.andnot
            local.set m${i}`)
  }
            local.get k
            i32.const 16
            i32.add
            local.set k
            br 0
          end
        end
        ${each((i) => addLeaves(`m${i}`, 32 * i))}
        local.get ap
        i32.const ${32 * GROUPS}
        i32.add
        local.set ap
        local.get g
        i32.const ${16 * GROUPS}
        i32.add
        local.tee g
        local.get groupBytes
        i32.lt_u
        br_if 0
      end
      local.get tt
      i32.const 16
      i32.add
      local.tee tt
      local.get ttEnd
      i32.lt_u
      br_if 0
    end
  `,
};

function each(fn: (i: number) => string): string {
  return Array.from({ length: GROUPS }, (_, i) => fn(i)).join("\n");
}

let compiled: WebAssembly.Module | null | undefined;

/** The compiled module, or null where WebAssembly SIMD is unavailable. */
export function wasmModule(): WebAssembly.Module | null {
  if (compiled === undefined) {
    try {
      const bytes = assemble({ rank: RANK, score: SCORE });
      compiled = WebAssembly.validate(bytes) ? new WebAssembly.Module(bytes) : null;
    } catch {
      compiled = null;
    }
  }
  return compiled;
}
