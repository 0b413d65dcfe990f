import { assert, assertEquals } from "../../_assert.ts";
import { odmEpsilon, odmExp3Update, odmSmoothedUpdate } from "../../../methods/online/odm.ts";
import { doremiAverage, doremiState, doremiUpdate } from "../../../methods/online/doremi.ts";
import { aioliWeights, estimateA, probeWeights } from "../../../methods/online/aioli.ts";
import { skillItWeights, skillsGraph } from "../../../methods/online/skill_it.ts";
import { dogeUpdate } from "../../../methods/online/doge.ts";
import { dgaUpdate } from "../../../methods/online/dga.ts";
import { tikmixWeights } from "../../../methods/online/tikmix.ts";

const close = (a: readonly number[], b: readonly number[], tol = 1e-12) =>
  assert(a.length === b.length && a.every((x, i) => Math.abs(x - b[i]!) < tol), `${a} vs ${b}`);

Deno.test("ODM EXP3: importance-weighted smoothed reward and exploration floor, by hand", () => {
  // K = 4, t = 10: ε_10 = min(1/4, √(ln 4 / 40)) = 0.18616; ε_9 = √(ln 4 / 36) = 0.19624
  const s = { rewards: [1, 0, 0, 0], weights: [0.4, 0.2, 0.2, 0.2], t: 9 };
  odmExp3Update(s, [2, NaN, 1, NaN], 0.5);
  // R̂_0 = 0.5·1 + 0.5·2/0.4 = 3; R̂_2 = 0.5·0 + 0.5·1/0.2 = 2.5; others keep 0
  close(s.rewards, [3, 0, 2.5, 0]);
  const e10 = Math.sqrt(Math.log(4) / 40), e9 = Math.sqrt(Math.log(4) / 36);
  assertEquals(odmEpsilon(4, 10), e10);
  const x = [3, 0, 2.5, 0].map((r) => Math.exp(e9 * r));
  const z = x.reduce((a, b) => a + b, 0);
  close(s.weights, x.map((v) => (1 - 4 * e10) * v / z + e10));
  assertEquals(s.t, 10);
});

Deno.test("ODM smoothed: skipped until every domain reported, then linear normalisation", () => {
  const s = { rewards: [0, 0, 0], weights: [1 / 3, 1 / 3, 1 / 3], t: 0 };
  odmSmoothedUpdate(s, [1, 1, NaN], 0.5);
  close(s.weights, [1 / 3, 1 / 3, 1 / 3]);
  odmSmoothedUpdate(s, [NaN, NaN, 0], 0.5);
  // R̂ = [e/2, e/2, 1/2]; t = 2: ε = min(1/3, √(ln 3 / 6)) = 1/3 → (1 − 3ε) = 0: uniform
  close(s.rewards, [Math.E / 2, Math.E / 2, 0.5]);
  close(s.weights, [1 / 3, 1 / 3, 1 / 3]);
  for (let i = 0; i < 20; i++) odmSmoothedUpdate(s, [NaN, NaN, NaN], 0.5);
  // t = 22: ε = √(ln 3 / 66) ≈ 0.129 < 1/3: the high-reward domains get more
  const eps = Math.sqrt(Math.log(3) / 66);
  const z = Math.E + 0.5;
  close(s.weights, [Math.E / 2, Math.E / 2, 0.5].map((r) => (1 - 3 * eps) * r / z + eps));
});

Deno.test("DoReMi: excess clipped at 0, absent domains keep their last excess, smoothing, time average", () => {
  const s = doremiState(3);
  doremiUpdate(s, [2, 1, 3], [1, 2, 3], 0.5, 0.1);
  // excess [1, 0, 0]; log α = ln(1/3) + 0.5·[1, 0, 0]; softmax ∝ [e^0.5, 1, 1]
  const z1 = Math.exp(0.5) + 2;
  const a1 = [Math.exp(0.5) / z1, 1 / z1, 1 / z1].map((x) => 0.9 * x + 0.1 / 3);
  close(s.alpha, a1);
  close(s.excess, [1, 0, 0]);
  doremiUpdate(s, [NaN, 4, NaN], [NaN, 3, NaN], 0.5, 0.1);
  // domain 0 keeps excess 1, domain 1 now 1: log α = ln a1 + 0.5·[1, 1, 0]
  close(s.excess, [1, 1, 0]);
  const l = a1.map((x, i) => Math.log(x) + 0.5 * [1, 1, 0][i]!);
  const e = l.map(Math.exp);
  const z2 = e.reduce((a, b) => a + b, 0);
  const a2 = e.map((x) => 0.9 * x / z2 + 0.1 / 3);
  close(s.alpha, a2);
  close(doremiAverage(s), a1.map((x, i) => (x + a2[i]!) / 2));
});

Deno.test("Aioli: A is recovered from smoothed probes of three groups, and the EMA weights follow it", () => {
  const A = [[0.3, 0.1, 0], [0, 0.2, 0.05], [0.1, 0, 0.25]];
  const h = 0.6;
  // G[i][j] = Σ_l q_j[l] A[i][l]
  const G = A.map((row) =>
    [0, 1, 2].map((j) => probeWeights(3, j, h).reduce((s, q, l) => s + q * row[l]!, 0))
  );
  const back = estimateA(G, h, false);
  back.forEach((r, i) => close(r, A[i]!, 1e-12));
  const N = estimateA(G, h, true);
  // no negative entry: scaled to sum 1 (the sum is 1.0)
  N.forEach((r, i) => close(r, A[i]!.map((x) => x / 1.0), 1e-12));
  // column sums [0.4, 0.3, 0.3], η = 2: p ∝ [e^0.8, e^0.6, e^0.6]
  const p = aioliWeights(N, 2, [1, 1, 1]);
  const e = [0.8, 0.6, 0.6].map(Math.exp);
  const z = e.reduce((a, b) => a + b, 0);
  close(p, e.map((x) => x / z));
  // A negative entry shifts everything up by it first
  const S = estimateA([[1, -1], [0, 0]], 1, true);
  // [[1, -1], [0, 0]] + 1 = [[2, 0], [1, 1]], sum 4
  close(S.flat(), [0.5, 0, 0.25, 0.25]);
});

Deno.test("Skill-It: graph from start/end losses and weights from the windowed losses", () => {
  const S = skillsGraph([[5, 4, 2]], [[4, 4, 1]]);
  close(S[0]!, [0.2, 0, 0.5]);
  const G = [[0.2, 0, 0.5], [0, 0.4, 0]];
  // Σ_i S[j][i] L_i with L = [1, 2, 2]: [1.2, 0.8]; η = 0.5: p ∝ [e^0.6, e^0.4]
  const p = skillItWeights(G, [1, 2, 2], 0.5);
  close(p, [Math.exp(0.6), Math.exp(0.4)].map((x, _, a) => x / (a[0]! + a[1]!)));
});

Deno.test("DoGE: universal and out-of-domain scores, normalised, clipped, mirror step, by hand", () => {
  const gram = [[1, 0.5, 0], [0.5, 4, 1], [0, 1, 1]];
  const o = { mu: 0.01, dwMin: 0, dwMax: 5, eps: 0 };
  const third = [1 / 3, 1 / 3, 1 / 3];
  // universal: η_t (Σ_j G_ij − G_ii) = 0.1·[0.5, 1.5, 1]; n̄ = (1 + 2 + 1) / 3
  const n = 4 / 3 + 1e-6;
  const u = dogeUpdate(third, gram, undefined, 0.1, o);
  const e = [0.05, 0.15, 0.1].map((x) => Math.exp(x / n / 0.01));
  close(u, e.map((x) => x / (e[0]! + e[1]! + e[2]!)), 1e-9);
  // OOD: η_t ⟨g_i, g_o⟩ = 0.1·[−1, 2, 0] → clipped below at 0
  const v = dogeUpdate(third, gram, [-1, 2, 0], 0.1, o);
  const f = [0, 0.2, 0].map((x) => Math.exp(x / n / 0.01));
  close(v, f.map((x) => x / (f[0]! + f[1]! + f[2]!)), 1e-9);
  // clipped above at η_t · dw_max = 0.5, and smoothed by ε
  const w = dogeUpdate([0.5, 0.5], [[1, 0], [0, 1]], [100, 0], 0.1, { ...o, mu: 1, eps: 0.2 });
  const g = [Math.exp(0.5), 1];
  close(w, g.map((x) => 0.8 * x / (g[0]! + g[1]!) + 0.1), 1e-9);
});

Deno.test("DGA: exponentiated step on alignment then EMA; TiKMiX-D: KL-regularised argmax", () => {
  // n̄ = (1 + 2) / 2 = 1.5; alignment [0.75, −0.75], η = 2: a' ∝ a·exp([1, −1])
  const a = dgaUpdate([0.25, 0.75], [[1, 0], [0, 4]], [0.75, -0.75], 2, 0.5);
  const e = [0.25 * Math.E, 0.75 / Math.E];
  const z = e[0]! + e[1]!;
  close(a, [0.5 * 0.25 + 0.5 * e[0]! / z, 0.5 * 0.75 + 0.5 * e[1]! / z]);
  // TiKMiX: the argmax of Σ w_i GI_i − λ KL(w‖u) is w ∝ exp(GI / (λ n̄)); not cumulative
  const w = tikmixWeights([[1, 0], [0, 4]], [0.75, -0.75], 0.5);
  close(w, [1 / (1 + Math.exp(-2)), Math.exp(-2) / (1 + Math.exp(-2))]);
  // it maximises the objective: any other mixture scores lower
  const score = (p: number[]) =>
    p.reduce((s, x, i) => s + x * [0.5, -0.5][i]! - 0.5 * x * Math.log(x / 0.5), 0);
  for (const p of [[0.5, 0.5], [0.9, 0.1], [w[0]! - 0.01, w[1]! + 0.01]]) {
    assert(score(w) > score(p));
  }
});
