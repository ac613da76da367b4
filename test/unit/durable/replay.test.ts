import { describe, expect, it } from "vitest";
import { completedActivityHistory, measureReplay } from "../../../lib/durable/replay-cost.js";

describe("replay", () => {
  it("when a history holds N completed activities, then one replay schedules exactly the next one", async () => {
    const result = await measureReplay(50);
    expect(result.events).toBe(completedActivityHistory(50).length);
    expect(result.scheduled).toBe(1);
  });
});
