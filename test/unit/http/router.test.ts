import { describe, expect, it } from "vitest";
import { Router } from "../../../lib/http/router.js";

function router(): Router<string> {
  const r = new Router<string>();
  r.add("{*path}", ["GET", "POST", "PUT", "DELETE"], "catch-all");
  r.add("agent/v1/packages/{id}/install", ["POST"], "install");
  r.add("agent/v1/packages", ["GET"], "manifest");
  r.add("admin/v1/packages/{id}/{version}", ["DELETE"], "delete");
  r.add("admin/v1/packages/{id}", ["GET"], "get");
  return r;
}

describe("the route matcher", () => {
  it("when a literal and a parameter route could both match, then the literal wins", () => {
    const result = router().match("GET", "agent/v1/packages");
    expect(result).toEqual({ kind: "match", match: { value: "manifest", params: {} } });
  });

  it("when a parameter is percent-encoded, then it arrives decoded", () => {
    const result = router().match("POST", "agent/v1/packages/Contoso%20App/install");
    expect(result).toEqual({ kind: "match", match: { value: "install", params: { id: "Contoso App" } } });
  });

  it("when literal segments differ in case, then they still match", () => {
    expect(router().match("GET", "Admin/V1/Packages/x").kind).toBe("match");
  });

  it("when nothing specific matches, then the catch-all takes the rest of the path", () => {
    expect(router().match("GET", "a/b/c")).toEqual({ kind: "match", match: { value: "catch-all", params: { path: "a/b/c" } } });
  });

  it("when only the method differs, then the method is not allowed and the allowed ones are listed", () => {
    const r = new Router<string>();
    r.add("admin/v1/packages/{id}/{version}", ["DELETE"], "delete");
    r.add("admin/v1/packages/{id}/{version}", ["GET"], "read");
    expect(r.match("PUT", "admin/v1/packages/a/1.0.0")).toEqual({ kind: "method-not-allowed", allowed: ["DELETE", "GET"] });
  });

  it("when a segment has broken percent-encoding, then it does not match", () => {
    const r = new Router<string>();
    r.add("x/{id}", ["GET"], "x");
    expect(r.match("GET", "x/%E0%A4%A").kind).toBe("not-found");
  });

  it("when the path has extra segments, then a fixed template does not match", () => {
    const r = new Router<string>();
    r.add("x/{id}", ["GET"], "x");
    expect(r.match("GET", "x/1/2").kind).toBe("not-found");
  });
});
