import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { EventType, type HistoryEventShape } from "../../../lib/durable/df-internals.js";
import type { DurableStore, InstanceMeta } from "../../../lib/durable/store.js";

const meta = (instanceId: string, overrides: Partial<InstanceMeta> = {}): InstanceMeta => ({
  instanceId,
  name: "orchestrator",
  executionId: randomUUID(),
  runtimeStatus: "Pending",
  input: { device: instanceId },
  output: null,
  customStatus: null,
  createdTime: "2026-01-01T00:00:00.000Z",
  lastUpdatedTime: "2026-01-01T00:00:00.000Z",
  timers: [],
  ...overrides,
});

const event = (id: number, input?: string): HistoryEventShape => ({
  EventType: EventType.TaskScheduled,
  EventId: id,
  IsPlayed: true,
  Timestamp: "2026-01-01T00:00:00.000Z",
  Name: "activity",
  ...(input === undefined ? {} : { Input: input }),
});

/** One contract suite every DurableStore implementation must pass. */
export function describeDurableStoreContract(name: string, makeStore: () => Promise<DurableStore>): void {
  describe(`DurableStore contract: ${name}`, () => {
    const id = (): string => `inst/${randomUUID()}#?`;

    it("when an instance is absent, then reads answer undefined, messages absent and purge false", async () => {
      const store = await makeStore();
      const missing = id();
      expect(await store.getMeta(missing)).toBeUndefined();
      expect(await store.load(missing)).toBeUndefined();
      expect(await store.addMessage(missing, { key: "evt-1", kind: "event-raised", name: "x" })).toBe("absent");
      expect(await store.purge(missing)).toBe(false);
    });

    it("when an instance is created twice while unfinished, then the second answers exists", async () => {
      const store = await makeStore();
      const i = id();
      expect(await store.create(meta(i))).toBe("created");
      expect(await store.create(meta(i))).toBe("exists");
      const loaded = await store.load(i);
      expect(loaded?.meta.input).toEqual({ device: i });
      expect(loaded?.history).toEqual([]);
    });

    it("when episodes commit, then history accumulates in order and consumed messages disappear", async () => {
      const store = await makeStore();
      const i = id();
      const m = meta(i);
      await store.create(m);
      expect(await store.addMessage(i, { key: "evt-a", kind: "event-raised", name: "a", input: "1" })).toBe("added");
      expect(await store.addMessage(i, { key: "evt-a", kind: "event-raised", name: "a", input: "1" })).toBe("duplicate");
      await store.addMessage(i, { key: "evt-b", kind: "event-raised", name: "b" });
      let snap = await store.load(i);
      expect(snap?.messages.map((x) => x.key).sort()).toEqual(["evt-a", "evt-b"]);
      const running = { ...m, runtimeStatus: "Running" as const, customStatus: { step: 1 } };
      expect(await store.commit(i, snap!.etag, { meta: running, append: [event(0), event(1)], newExecution: false, consumed: ["evt-a"], baseLength: 0 })).toBe("committed");
      snap = await store.load(i);
      expect(await store.commit(i, snap!.etag, { meta: running, append: [event(2)], newExecution: false, consumed: [], baseLength: 2 })).toBe("committed");
      snap = await store.load(i);
      expect(snap?.history.map((e) => e.EventId)).toEqual([0, 1, 2]);
      expect(snap?.messages.map((x) => x.key)).toEqual(["evt-b"]);
      expect(snap?.meta.customStatus).toEqual({ step: 1 });
      expect((await store.getMeta(i))?.meta.runtimeStatus).toBe("Running");
    });

    it("when two episodes commit against the same ETag, then exactly one wins and the loser writes nothing", async () => {
      const store = await makeStore();
      const i = id();
      await store.create(meta(i));
      const snap = await store.load(i);
      const results = await Promise.all(
        [10, 20].map((n) => store.commit(i, snap!.etag, { meta: { ...snap!.meta, runtimeStatus: "Running" }, append: [event(n)], newExecution: false, consumed: [], baseLength: 0 })),
      );
      expect(results.sort()).toEqual(["committed", "conflict"]);
      expect((await store.load(i))?.history).toHaveLength(1);
    });

    it("when the ETag is stale, then commit answers conflict", async () => {
      const store = await makeStore();
      const i = id();
      await store.create(meta(i));
      const first = await store.load(i);
      await store.commit(i, first!.etag, { meta: first!.meta, append: [event(0)], newExecution: false, consumed: [], baseLength: 0 });
      expect(await store.commit(i, first!.etag, { meta: first!.meta, append: [event(1)], newExecution: false, consumed: [], baseLength: 1 })).toBe("conflict");
      expect((await store.load(i))?.history.map((e) => e.EventId)).toEqual([0]);
    });

    it("when an execution continues as new, then the old history is dropped", async () => {
      const store = await makeStore();
      const i = id();
      const m = meta(i);
      await store.create(m);
      let snap = await store.load(i);
      await store.commit(i, snap!.etag, { meta: { ...m, runtimeStatus: "Running" }, append: [event(0), event(1)], newExecution: false, consumed: [], baseLength: 0 });
      snap = await store.load(i);
      const next = { ...m, executionId: randomUUID(), runtimeStatus: "ContinuedAsNew" as const, input: 2 };
      expect(await store.commit(i, snap!.etag, { meta: next, append: [], newExecution: true, consumed: [], baseLength: 2 })).toBe("committed");
      snap = await store.load(i);
      expect(snap?.history).toEqual([]);
      expect(snap?.meta.input).toBe(2);
      await store.commit(i, snap!.etag, { meta: { ...next, runtimeStatus: "Running" }, append: [event(0)], newExecution: false, consumed: [], baseLength: 0 });
      expect((await store.load(i))?.history).toHaveLength(1);
    });

    it("when an instance finishes, then it leaves the unfinished list, can be replaced by create and purged", async () => {
      const store = await makeStore();
      const a = id();
      const b = id();
      await store.create(meta(a));
      await store.create(meta(b));
      const snap = await store.load(a);
      await store.commit(a, snap!.etag, { meta: { ...snap!.meta, runtimeStatus: "Completed", output: "done" }, append: [event(0)], newExecution: false, consumed: [], baseLength: 0 });
      const unfinished = await store.listUnfinished();
      expect(unfinished).toContain(b);
      expect(unfinished).not.toContain(a);
      expect(await store.create(meta(a, { input: "second run" }))).toBe("created");
      const replaced = await store.load(a);
      expect(replaced?.meta.input).toBe("second run");
      expect(replaced?.history).toEqual([]);
      expect(await store.purge(a)).toBe(true);
      expect(await store.getMeta(a)).toBeUndefined();
    });

    it("when values exceed one Table property, then input, history and messages round-trip whole", async () => {
      const store = await makeStore();
      const i = id();
      const big = "x".repeat(200_000);
      await store.create(meta(i, { input: big }));
      await store.addMessage(i, { key: "evt-big", kind: "event-raised", name: "big", input: JSON.stringify(big) });
      const snap = await store.load(i);
      expect(snap?.meta.input).toBe(big);
      expect(snap?.messages[0]).toMatchObject({ input: JSON.stringify(big) });
      const many = Array.from({ length: 150 }, (_, n) => event(n, JSON.stringify("y".repeat(5_000))));
      expect(await store.commit(i, snap!.etag, { meta: snap!.meta, append: many, newExecution: false, consumed: ["evt-big"], baseLength: 0 })).toBe("committed");
      const after = await store.load(i);
      expect(after?.history.map((e) => e.EventId)).toEqual(many.map((e) => e.EventId));
      expect(after?.messages).toEqual([]);
    });
  });
}
