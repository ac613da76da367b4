import { describe, expect, it } from "vitest";
import { currentServices } from "../../../lib/app/container.js";
import type { AppServices } from "../../../lib/app/services.js";
import { startTimerHost } from "../../../lib/localhost/timer-host.js";
import type { TimerFunctionEntry } from "../../../lib/registry/types.js";
import { silentLogger } from "../../../lib/telemetry/logger.js";

// The timer host reads only the schedule settings and the logger.
function servicesWith(settings: Record<string, string>): AppServices {
  return { settings, log: silentLogger } as unknown as AppServices;
}

describe("startTimerHost", () => {
  it("when a timer is due, then its handler runs with the host's services in scope, and after stop() it runs no more", async () => {
    const services = servicesWith({ EVERY_SECOND: "* * * * * *" });
    const seen: AppServices[] = [];
    let signal: () => void = () => undefined;
    const ran = new Promise<void>((r) => (signal = r));
    const entry: TimerFunctionEntry = {
      name: "tick",
      scheduleSetting: "EVERY_SECOND",
      async handler(timer, context) {
        expect(context.functionName).toBe("tick");
        expect(timer.scheduleStatus.next).toMatch(/Z$/);
        seen.push(await currentServices());
        signal();
      },
    };
    const host = startTimerHost(services, [entry]);
    await ran;
    await host.stop();
    const count = seen.length;
    expect(seen[0]).toBe(services);
    await new Promise((r) => setTimeout(r, 1200));
    expect(seen).toHaveLength(count);
  });

  it("when a handler throws, then the failure is logged and the timer keeps its schedule", async () => {
    const lines: string[] = [];
    const services = { settings: { EVERY_SECOND: "* * * * * *" }, log: { log: (_l: string, event: string) => lines.push(event), child: () => services.log } } as unknown as AppServices;
    let calls = 0;
    let signal: () => void = () => undefined;
    const twice = new Promise<void>((r) => (signal = r));
    const host = startTimerHost(services, [
      {
        name: "boom",
        scheduleSetting: "EVERY_SECOND",
        async handler() {
          calls++;
          if (calls === 2) signal();
          throw new Error("boom");
        },
      },
    ]);
    await twice;
    await host.stop();
    expect(lines).toContain("timer.failed");
  });

  it("when the schedule setting is missing or malformed, then starting throws", () => {
    const entry: TimerFunctionEntry = { name: "t", scheduleSetting: "NOPE", handler: async () => undefined };
    expect(() => startTimerHost(servicesWith({}), [entry])).toThrow(/NOPE/);
    expect(() => startTimerHost(servicesWith({ NOPE: "every minute" }), [entry])).toThrow(/NCRONTAB/);
  });
});
