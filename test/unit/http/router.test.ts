import { describe, expect, it } from "vitest";
import { compareFunctionNames, compileRouteTemplate, matchTemplate, Router, RouteTemplateError, templatesOverlap } from "../../../lib/http/router.js";

function router(): Router<string> {
  const r = new Router<string>();
  r.add("z_notFound", "api/{*path}", ["GET", "POST", "PUT", "DELETE"], "catch-all");
  r.add("agentInstall", "api/agent/v1/packages/{id}/install", ["POST"], "install");
  r.add("agentManifest", "api/agent/v1/packages", ["GET"], "manifest");
  r.add("adminDeletePackage", "api/admin/v1/packages/{id}/{version}", ["DELETE"], "delete");
  r.add("adminGetPackage", "api/admin/v1/packages/{id}", ["GET"], "get");
  return r;
}

const matched = (r: Router<string>, method: string, path: string): string | undefined => {
  const result = r.match(method, path);
  return result.kind === "match" ? result.match.value : undefined;
};

describe("the host's route matching", () => {
  it("when two functions match, then the first in name order wins however specific the later one is", () => {
    const r = new Router<string>();
    r.add("List", "products/list", ["GET"], "list");
    r.add("Details", "products/{id}", ["GET"], "details");
    expect(matched(r, "GET", "/products/list")).toBe("details");
  });

  it("when names differ only in case or by '_', then the order is ordinal over upper-cased names", () => {
    expect(compareFunctionNames("apple", "Banana")).toBeLessThan(0);
    expect(compareFunctionNames("zz", "z_notFound")).toBeLessThan(0);
    expect(compareFunctionNames("zebra", "Z_notFound")).toBeLessThan(0);
    const r = new Router<string>();
    r.add("z_notFound", "{*path}", ["GET"], "catch-all");
    r.add("zzTop", "x", ["GET"], "x");
    expect(matched(r, "GET", "x")).toBe("x");
  });

  it("when the first matching template lacks the method, then a later function with the method takes the request", () => {
    const r = new Router<string>();
    r.add("a", "x/{id}", ["DELETE"], "delete");
    r.add("b", "x/{id}", ["GET"], "read");
    expect(matched(r, "GET", "x/1")).toBe("read");
    expect(r.match("PUT", "x/1")).toEqual({ kind: "method-not-allowed", allowed: ["DELETE", "GET"] });
  });

  it("when a parameter is percent-encoded, then it arrives decoded", () => {
    const result = router().match("POST", "/api/agent/v1/packages/Contoso%20App/install");
    expect(result).toEqual({ kind: "match", match: { name: "agentInstall", value: "install", params: { id: "Contoso App" } } });
  });

  it("when literal segments differ in case or the path ends in a slash, then they still match", () => {
    expect(matched(router(), "GET", "/API/Admin/V1/Packages/x")).toBe("get");
    expect(matched(router(), "GET", "/api/agent/v1/packages/")).toBe("manifest");
  });

  it("when nothing else matches, then the catch-all takes the rest of the path", () => {
    expect(router().match("GET", "/api/a/b/c")).toEqual({ kind: "match", match: { name: "z_notFound", value: "catch-all", params: { path: "a/b/c" } } });
    expect(matched(router(), "GET", "/api")).toBe("catch-all");
    expect(router().match("GET", "/other").kind).toBe("not-found");
  });

  it("when a segment has broken percent-encoding or the path has extra segments, then a fixed template does not match", () => {
    const r = new Router<string>();
    r.add("x", "x/{id}", ["GET"], "x");
    expect(r.match("GET", "x/%E0%A4%A").kind).toBe("not-found");
    expect(r.match("GET", "x/1/2").kind).toBe("not-found");
    expect(r.match("GET", "x//").kind).toBe("not-found");
  });

  it("when parameters are optional or have defaults, then shorter paths match and get the default", () => {
    const t = compileRouteTemplate("accounts/{accountId?}/{action=view}");
    expect(matchTemplate(t, "accounts")).toEqual({ action: "view" });
    expect(matchTemplate(t, "accounts/12")).toEqual({ accountId: "12", action: "view" });
    expect(matchTemplate(t, "accounts/12/edit")).toEqual({ accountId: "12", action: "edit" });
    expect(matchTemplate(compileRouteTemplate("a/{b?}/c"), "a")).toBeUndefined();
  });

  it("when a parameter has constraints, then only values they accept match", () => {
    const cases: [string, string, boolean][] = [
      ["{v:int}", "42", true],
      ["{v:int}", "-7", true],
      ["{v:int}", "2147483648", false],
      ["{v:int}", "4x", false],
      ["{v:long}", "2147483648", true],
      ["{v:alpha}", "abcXYZ", true],
      ["{v:alpha}", "abc1", false],
      ["{v:bool}", "True", true],
      ["{v:bool}", "yes", false],
      ["{v:guid}", "8f0b4d1e-0d5c-4c8e-9a8b-2a3b4c5d6e7f", true],
      ["{v:guid}", "8f0b4d1e0d5c4c8e9a8b2a3b4c5d6e7f", true],
      ["{v:guid}", "8f0b4d1e-0d5c", false],
      ["{v:length(3)}", "abc", true],
      ["{v:length(3)}", "abcd", false],
      ["{v:length(2,4)}", "abcd", true],
      ["{v:minlength(2)}", "a", false],
      ["{v:maxlength(2)}", "ab", true],
      ["{v:min(10)}", "9", false],
      ["{v:max(10)}", "10", true],
      ["{v:range(1,3)}", "4", false],
      ["{v:int:min(5)}", "5", true],
      ["{v:int:min(5)}", "4", false],
    ];
    for (const [template, value, expected] of cases) {
      expect(matchTemplate(compileRouteTemplate(template), value) !== undefined, `${template} with ${value}`).toBe(expected);
    }
  });

  it("when a template uses syntax or a constraint this router cannot reproduce, then adding it fails naming the function", () => {
    for (const template of ["x/{v:regex(^a$)}", "x/{v:datetime}", "x/{a}{b}", "x/v{a}", "x//y", "{*rest}/x", "x/{a}/{A}", "x?y", "{*rest?}"]) {
      expect(() => new Router<string>().add("broken", template, ["GET"], "x"), template).toThrow(RouteTemplateError);
    }
    expect(() => new Router<string>().add("broken", "x/{v:nope}", ["GET"], "x")).toThrow(/Function "broken": route "x\/\{v:nope\}"/);
  });

  it("when templates are compared, then overlap follows literals, constraints, optional parts and catch-alls", () => {
    const overlap = (a: string, b: string): boolean => templatesOverlap(compileRouteTemplate(a), compileRouteTemplate(b));
    expect(overlap("p/{id}", "p/list")).toBe(true);
    expect(overlap("p/{id:int}", "p/list")).toBe(false);
    expect(overlap("p/{id}", "p/{id}/x")).toBe(false);
    expect(overlap("p/{id?}", "p")).toBe(true);
    expect(overlap("{*all}", "p/q/r")).toBe(true);
    expect(overlap("P/List", "p/list")).toBe(true);
  });
});
