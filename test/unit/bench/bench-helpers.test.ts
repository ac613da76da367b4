import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { deriveBranchCacheSecret } from "../../../lib/content/branchcache-secret.js";
import { ContentInfoBuilder } from "../../../lib/content/content-info-builder.js";
import { systemClock } from "../../../lib/core/clock.js";
import { DocumentSigner, InMemoryKeyRingStore, InMemorySignatureCache, LocalSigningKeySource, RealmKeyRing } from "../../../lib/signing/index.js";
import { parseBenchOptions } from "../../bench/bench-options.js";
import { timeV1Only } from "../../bench/content-figures.js";
import { formatNumber, renderTable, type Figure } from "../../bench/figure.js";
import { recordAnswer, startPlainServer } from "../../bench/plain-server.js";
import { idleRss, readRssBytes, sampleRss } from "../../bench/rss-sampler.js";
import { countSignings } from "../../bench/signing-counter.js";
import { runSlot } from "../../bench/slots.js";
import { figures as replayFigures, median, REPLAY_STEPS } from "../../bench/slots/durable-replay.js";

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe("the bench table", () => {
  const figures: Figure[] = [
    { id: "a", label: "Config poll (304)", value: 1234.5, unit: "req/s", baseline: "plain http 20,000/s; ratio 0.06", ratio: 0.06 },
    { id: "b", label: "Upload RSS", value: 70.25, unit: "MiB", goal: "< 64 MiB", met: false, note: "child process" },
    { id: "c", label: "Slot", value: null, unit: "" },
  ];

  it("when figures are rendered, then every row has the same column layout and values are right-aligned", () => {
    const lines = renderTable(figures).split("\n");
    expect(lines[0]).toMatch(/^Figure\s+\| Value \| Unit\s+\| Baseline \/ ratio\s+\| Goal$/);
    const bar = lines[0]?.indexOf("|");
    for (const line of lines.slice(2, 5)) expect(line.indexOf("|")).toBe(bar);
    expect(lines[2]).toContain("| 1,235 |");
    expect(lines[3]).toContain("< 64 MiB (MISSED)");
    expect(lines[4]).toContain("|   n/a |");
  });

  it("when a figure carries a note, then it is listed under the table", () => {
    expect(renderTable(figures).split("\n").at(-1)).toBe("* Upload RSS: child process");
  });

  it("when numbers are formatted, then large ones lose decimals and missing ones read n/a", () => {
    expect(formatNumber(45734.4)).toBe("45,734");
    expect(formatNumber(12.345)).toBe("12.3");
    expect(formatNumber(0.1234)).toBe("0.12");
    expect(formatNumber(null)).toBe("n/a");
    expect(formatNumber(NaN)).toBe("n/a");
  });
});

describe("bench options", () => {
  it("when --quick is given, then runs are short and files small; arguments win over the environment", () => {
    const o = parseBenchOptions(["--quick", "--connections=4"], { BENCH_CONNECTIONS: "32", BENCH_ONLY: "content,upload" });
    expect(o).toMatchObject({ quick: true, durationSeconds: 2, connections: 4, contentBytes: 64 * 1024 * 1024, groups: ["content", "upload"] });
  });

  it("when nothing is given, then the full sizes of the issues are used", () => {
    expect(parseBenchOptions([])).toMatchObject({ quick: false, contentBytes: 256 * 1024 * 1024, uploadBytes: 1024 * 1024 * 1024, out: "bench-results.json" });
  });

  it("when an argument or group is unknown, then it throws with the usage", () => {
    expect(() => parseBenchOptions(["--fast"])).toThrow(/usage: npm run bench/);
    expect(() => parseBenchOptions(["--only=gpu"])).toThrow(/unknown group "gpu"/);
    expect(() => parseBenchOptions(["--duration=-1"])).toThrow(/positive number/);
  });
});

describe("the RSS sampler", () => {
  it("when the current process is sampled, then it reads a plausible VmRSS and the peak covers every sample", async () => {
    const rss = readRssBytes(process.pid);
    expect(rss).toBeGreaterThan(1024 * 1024);
    const sampler = sampleRss(process.pid, 5);
    const ballast = Buffer.alloc(32 * 1024 * 1024, 1);
    await new Promise((r) => setTimeout(r, 30));
    const seen = sampler.stop();
    expect(ballast[0]).toBe(1);
    expect(seen.samples).toBeGreaterThanOrEqual(2);
    expect(seen.peakBytes).toBeGreaterThanOrEqual(Math.max(seen.firstBytes, seen.lastBytes));
    expect(sampler.stop()).toEqual(seen);
    expect(await idleRss(process.pid, 3, 1)).toBeGreaterThan(0);
  });

  it("when the process does not exist, then nothing is read and the summary stays empty", () => {
    expect(readRssBytes(2 ** 30)).toBeUndefined();
    expect(sampleRss(2 ** 30, 5).stop()).toEqual({ samples: 0, firstBytes: 0, peakBytes: 0, lastBytes: 0 });
  });
});

describe("the plain reference server", () => {
  it("when asked with a known ETag, then 304; otherwise the recorded bytes and headers", async () => {
    const body = Buffer.from("eyJhbGciOiJQUzI1NiJ9.e30.sig");
    const server = await startPlainServer({ status: 200, headers: { "content-type": "application/jose", etag: '"h1"' }, body }, ['"h1"', '"h2"']);
    try {
      expect((await fetch(server.origin, { headers: { "if-none-match": '"h2"' } })).status).toBe(304);
      const recorded = await recordAnswer(server.origin, { headers: { "if-none-match": '"other"' } });
      expect(recorded).toEqual({ status: 200, headers: { "content-type": "application/jose", etag: '"h1"' }, body });
    } finally {
      await server.close();
    }
  });
});

describe("the signing counter", () => {
  it("when the same document is signed three times and another once, then two signatures are counted for four requests", async () => {
    const dir = mkdtempSync(join(tmpdir(), "rj-bench-sign-"));
    dirs.push(dir);
    const keyRing = new RealmKeyRing({ keys: new LocalSigningKeySource({ dir, modulusLength: 2048 }), store: new InMemoryKeyRingStore(), clock: systemClock, overlapMs: 1000 });
    const documents = new DocumentSigner({ keys: keyRing, cache: new InMemorySignatureCache(), clock: systemClock });
    const counter = countSignings(keyRing, documents);
    const realmId = "11111111-1111-4111-8111-111111111111";
    const doc = (deviceId: string) => ({ realmId, typ: "rj-config+jwt" as const, body: { realm: realmId, deviceId } });
    const first = await documents.signDocument(doc("d1"));
    await documents.signDocument(doc("d1"));
    await documents.signDocument(doc("d1"));
    await documents.signDocument(doc("d2"));
    expect(counter.counts()).toEqual({ requests: 4, signatures: 2 });
    expect(first.jws.split(".")).toHaveLength(3);
    counter.reset();
    expect(counter.counts()).toEqual({ requests: 0, signatures: 0 });
  });
});

describe("V1-only content information", () => {
  it("when timed, then it computes the same HoD and Kp per segment as the content information builder", async () => {
    const data = randomBytes(1024 * 1024 + 12_345);
    const secret = deriveBranchCacheSecret("bench");
    const builder = new ContentInfoBuilder({ secret });
    await builder.update(data);
    const built = await builder.finish();
    const timed = timeV1Only(data, secret.v1);
    expect(timed.segments.map((s) => [s.hod.toString("hex"), s.kp.toString("hex")])).toEqual(built.v1.info.segments.map((s) => [s.hod.toString("hex"), s.kp.toString("hex")]));
  });
});

describe("figure slots", () => {
  const options = parseBenchOptions(["--quick"]);

  it("when a slot's module does not exist, then one placeholder row with no value says how to fill it", async () => {
    const rows = await runSlot({ id: "x", file: "no-such-slot", needsHost: false, label: "[slot] X", pending: "x per second" }, { options });
    expect(rows).toEqual([{ id: "slot.x", label: "[slot] X", value: null, unit: "", note: "slot empty: create test/bench/slots/no-such-slot.ts exporting figures(context) (to measure: x per second)" }]);
  });

  it("when the durable replay slot runs, then it gives one figure per history size", async () => {
    const rows = await replayFigures({ options });
    expect(rows.map((r) => r.details?.["steps"])).toEqual([...REPLAY_STEPS]);
    for (const r of rows) expect(r.value).toBeGreaterThan(0);
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
  });
});
