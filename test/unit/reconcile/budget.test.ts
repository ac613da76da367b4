import { describe, expect, it } from "vitest";
import { PassBudget } from "../../../lib/reconcile/budget.js";

describe("PassBudget", () => {
  it("when items are taken up to the limit, then it is exhausted and refuses more without taking them", () => {
    const budget = new PassBudget(3);
    expect(budget.take(2)).toBe(true);
    expect(budget.take(2)).toBe(false);
    expect(budget.remaining).toBe(1);
    expect(budget.take()).toBe(true);
    expect(budget.exhausted).toBe(true);
  });

  it("when more is spent than the limit, then remaining stays at zero", () => {
    const budget = new PassBudget(2);
    budget.spend(5);
    expect(budget.remaining).toBe(0);
    expect(budget.exhausted).toBe(true);
  });
});
