import { describe, expect, it } from "vitest";
import { assertWellFormedJson, textFault } from "../../../lib/core/well-formed-text.js";
import { rejectionOf } from "../../support/app-error.js";

const refusal = (value: unknown) => rejectionOf(() => Promise.resolve().then(() => assertWellFormedJson(value)));

describe("well-formed text", () => {
  it("when a string pairs its surrogates, then it is well-formed; a lone high or low one is not", () => {
    expect(textFault("emoji \ud83d\ude00", true)).toBeUndefined();
    expect(textFault("\ud800", true)).toBe("ill-formed");
    expect(textFault("x\udc00", true)).toBe("ill-formed");
    expect(textFault("\ude00\ud83d", true)).toBe("ill-formed");
  });

  it("when free text holds tab or line breaks, then it passes; other C0, DEL and C1 controls do not, and a plain line allows none", () => {
    expect(textFault("a\tb\r\nc", true)).toBeUndefined();
    for (const c of ["\u0000", "\u0008", "\u000b", "\u001f", "\u007f", "\u0085", "\u009f"]) expect(textFault(`a${c}`, true)).toBe("control-character");
    expect(textFault("a\tb", false)).toBe("control-character");
  });

  it("when a JSON value hides an ill-formed string or key deep inside, then 400 invalid-text naming where", async () => {
    const error = await refusal({ a: [1, { b: ["ok", "bad\ud800"] }] });
    expect([error.status, error.code]).toEqual([400, "invalid-text"]);
    expect(error.message).toContain("a.1.b.1");
    expect((await refusal({ ["k\u0000"]: 1 })).code).toBe("invalid-text");
    expect((await refusal({ ["line\nkey"]: 1 })).code).toBe("invalid-text");
  });

  it("when a value is nested 100,000 deep, then the walk needs no recursion", () => {
    let deep: unknown = "leaf";
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(() => assertWellFormedJson(deep)).not.toThrow();
  });
});
