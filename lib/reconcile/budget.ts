/** A countdown of items a pass (or one task of it) may still examine. */
export class PassBudget {
  private used = 0;

  constructor(readonly limit: number) {}

  /** Items left (never negative). */
  get remaining(): number {
    return Math.max(0, this.limit - this.used);
  }

  /** True once every item was taken. */
  get exhausted(): boolean {
    return this.used >= this.limit;
  }

  /** Takes `count` items; false (and nothing taken) when fewer remain. */
  take(count = 1): boolean {
    if (count > this.remaining) return false;
    this.used += count;
    return true;
  }

  /** Records items already spent elsewhere (e.g. a bulk delete that reports its count); may exceed the limit. */
  spend(count: number): void {
    this.used += count;
  }
}
