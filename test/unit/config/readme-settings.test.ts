import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { settingNames } from "../../../lib/config/settings.js";

const readme = readFileSync(new URL("../../../README.md", import.meta.url), "utf8");
const sample = JSON.parse(readFileSync(new URL("../../../local.settings.sample.json", import.meta.url), "utf8")) as { Values: Record<string, string> };

describe("the documented settings", () => {
  it("when the schema knows a setting, then the README's settings table documents it", () => {
    const documented = new Set([...readme.matchAll(/^\| `([A-Za-z0-9_]+)` \|/gm)].map((m) => m[1]));
    expect(settingNames().filter((name) => !documented.has(name))).toEqual([]);
  });

  it("when the schema knows a setting, then local.settings.sample.json has a sample for it", () => {
    expect(settingNames().filter((name) => !(name in sample.Values))).toEqual([]);
  });
});
