import { describe, expect, it } from "vitest";
import { AgentNetworkError } from "../../../lib/simulator/agent-http.js";
import type { StateReportBody } from "../../../lib/simulator/api-types.js";
import { StateReporter, type StateSendResult } from "../../../lib/simulator/state-reporter.js";

const SNAPSHOT: Omit<StateReportBody, "sequence" | "reportedAt"> = {
  agentVersion: "4.21.0",
  channel: "stable",
  installed: [],
  security: { updates: "ok", encryption: "ok", firewall: "ok", antivirus: "ok" },
  tpm: { present: true, ready: true },
  network: { gatewayMac: "02:00:00:00:00:01", fingerprint: "f" },
  isVirtualMachine: false,
  bootId: "boot-1",
};

/** A back-end whose answers are scripted per call: a status or "down" (no connection). */
function backEnd(answers: (number | "down")[]) {
  const received: StateReportBody[] = [];
  let now = Date.UTC(2026, 0, 1);
  const reporter = new StateReporter({
    send: async (report): Promise<StateSendResult> => {
      const answer = answers.shift() ?? 202;
      if (answer === "down") throw new AgentNetworkError("POST /state", 3, new TypeError("fetch failed"));
      received.push(report);
      return answer === 202 ? { status: 202, ack: { nextReportSeconds: 900, configHash: "h" } } : { status: answer };
    },
    snapshot: () => SNAPSHOT,
    now: () => (now += 1000),
  });
  return { reporter, received };
}

describe("StateReporter", () => {
  it("when reports are delivered, then sequences increase by one and the acknowledgement is kept", async () => {
    const { reporter, received } = backEnd([]);
    expect(await reporter.report()).toBe(true);
    expect(await reporter.report()).toBe(true);
    expect(received.map((r) => r.sequence)).toEqual([1, 2]);
    expect(reporter.lastAck).toEqual({ nextReportSeconds: 900, configHash: "h" });
  });

  it("when the back-end is unreachable, then the report stays queued and is resent unchanged, same sequence, before newer ones", async () => {
    const { reporter, received } = backEnd(["down", "down"]);
    expect(await reporter.report()).toBe(false);
    expect(await reporter.report()).toBe(false);
    expect(reporter.pending.map((r) => r.sequence)).toEqual([1, 2]);
    const first = reporter.pending[0];
    expect(await reporter.report()).toBe(true);
    expect(received.map((r) => r.sequence)).toEqual([1, 2, 3]);
    expect(received[0]).toEqual(first);
    expect(reporter.pending).toEqual([]);
  });

  it("when the back-end throttles or is unavailable, then the report is kept for later", async () => {
    const { reporter, received } = backEnd([429, 503]);
    expect(await reporter.report()).toBe(false);
    expect(await reporter.flush()).toBe(false);
    expect(await reporter.flush()).toBe(true);
    expect(received.map((r) => r.sequence)).toEqual([1, 1, 1]);
  });

  it("when the back-end refuses a report for good, then it is dropped and counted, and the next one goes out", async () => {
    const { reporter, received } = backEnd([400]);
    expect(await reporter.report()).toBe(true);
    expect(reporter.rejectedCount).toBe(1);
    expect(await reporter.report()).toBe(true);
    expect(received.map((r) => r.sequence)).toEqual([1, 2]);
  });

  it("when reports are sent concurrently, then they still go out one at a time in sequence order", async () => {
    const { reporter, received } = backEnd([]);
    await Promise.all([reporter.report(), reporter.report(), reporter.report()]);
    expect(received.map((r) => r.sequence)).toEqual([1, 2, 3]);
  });
});
