import { assertEquals, assertRejects } from "../_assert.ts";
import {
  type ProcessRequest,
  runCellsInProcesses,
  scheduleGroups,
  startHosts,
} from "../../harness/processes.ts";

const HOST = new URL("../../bench/cell_host.ts", import.meta.url);
const CONFIG = new URL("../../deno.json", import.meta.url).pathname;

/** A request the cell host answers quickly: a built-in method's description. */
function describe(
  key: string,
  method: string,
  extra: Partial<ProcessRequest> = {},
): ProcessRequest {
  return { key, payload: { kind: "describe", method }, ...extra };
}

Deno.test("scheduleGroups() runs a group's cells back to back in their order, groups by summed cost", () => {
  const g = (key: string, order: number) => ({ key, order });
  const units = scheduleGroups([
    describe("a", "uniform", { cost: 3 }),
    describe("p1", "mfbo-pm", { cost: 2, group: g("x", 1) }),
    describe("b", "uniform", { cost: 1 }),
    describe("m1", "mfbo", { cost: 2, group: g("x", 0) }),
    describe("c", "uniform", { cost: 3 }),
    describe("p2", "mfbo-pm", { cost: 1, group: g("y", 1) }),
    describe("m2", "mfbo", { cost: 1, group: g("y", 0) }),
  ]);
  assertEquals(units.map((u) => u.map((r) => r.key)), [
    ["m1", "p1"],
    ["a"],
    ["c"],
    ["m2", "p2"],
    ["b"],
  ]);
});

Deno.test("runCellsInProcesses() serves cells from warm processes and closes the ones left", async () => {
  const warm = startHosts({ hostUrl: HOST, config: CONFIG, heapMiB: 512 }, 3);
  const replies: string[] = [];
  await runCellsInProcesses(
    [
      describe("a", "uniform"),
      // Other access: the lane closes its warm process and starts one with read access.
      describe("b", "mfbo", { read: [Deno.cwd()] }),
      describe("c", "bo"),
    ],
    {
      hostUrl: HOST,
      config: CONFIG,
      heapMiB: 512,
      concurrency: 2,
      hardLimitMs: 60_000,
      warm,
      onFailure: (_req, error) => ({ error: error.message }),
      onResult: (req, reply) => void replies.push(`${req.key}:${(reply as { id?: string }).id}`),
    },
  );
  assertEquals(replies.sort(), ["a:uniform", "b:mfbo", "c:bo"]);
  assertEquals(warm.empty, true);
});

Deno.test("runCellsInProcesses() stops at the first error of onResult and throws it", async () => {
  const seen: string[] = [];
  await assertRejects(
    () =>
      runCellsInProcesses(
        ["uniform", "bo", "mfbo", "dml", "olmix"].map((m) => describe(m, m)),
        {
          hostUrl: HOST,
          config: CONFIG,
          heapMiB: 512,
          concurrency: 1,
          hardLimitMs: 60_000,
          onFailure: (_req, error) => ({ error: error.message }),
          onResult: (req) => {
            seen.push(req.key);
            if (req.key === "bo") throw new Error("disk full");
          },
        },
      ),
    Error,
    "disk full",
  );
  // The lane may have run one more cell before the error arrived; its reply is not passed on.
  assertEquals(seen, ["uniform", "bo"]);
});
