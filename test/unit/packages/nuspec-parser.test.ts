import { describe, expect, it } from "vitest";
import { AppError } from "../../../lib/core/errors.js";
import { parseNuspec } from "../../../lib/packages/nuspec-parser.js";
import { nuspecXml, type NuspecSpec } from "../../support/nupkg-builder.js";

const base: NuspecSpec = { id: "Contoso.Tool", version: "1.0.0" };

function refusal(xml: string): AppError {
  try {
    parseNuspec(xml);
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    return error as AppError;
  }
  throw new Error("expected the nuspec to be refused");
}

const minimal = (metadata: string): string => `<package><metadata>${metadata}</metadata></package>`;
const required = "<id>A</id><version>1.0</version><authors>x</authors><description>d</description>";

describe("parseNuspec", () => {
  it("when the nuspec is complete, then every field is read and the version normalized", () => {
    const meta = parseNuspec(
      nuspecXml({ ...base, version: "1.2", title: "Contoso Tool", description: "Does <things> & more", authors: "Ann, Bob", tags: ["cli", "tools"] }),
    );
    expect(meta).toEqual({
      id: "Contoso.Tool",
      version: "1.2.0",
      originalVersion: "1.2",
      title: "Contoso Tool",
      description: "Does <things> & more",
      authors: ["Ann", "Bob"],
      tags: ["cli", "tools"],
      installContext: "system",
      dependencyGroups: [],
    });
  });

  it("when dependencies are flat, then they form one group without a framework, with normalized ranges", () => {
    const meta = parseNuspec(nuspecXml({ ...base, dependencies: [{ id: "Dep.One", version: "1.0" }, { id: "Dep.Two", version: "[2.0,3.0)" }, { id: "Dep.Any" }] }));
    expect(meta.dependencyGroups).toEqual([
      {
        targetFramework: undefined,
        dependencies: [
          { id: "Dep.One", range: "[1.0.0, )" },
          { id: "Dep.Two", range: "[2.0.0, 3.0.0)" },
          { id: "Dep.Any", range: "(, )" },
        ],
      },
    ]);
  });

  it("when dependencies are grouped, then each group keeps its framework name and its own list", () => {
    const meta = parseNuspec(
      nuspecXml({
        ...base,
        groups: [
          { targetFramework: "net48", dependencies: [{ id: "Dep.One", version: "[1.0]" }] },
          { targetFramework: "net6.0-windows7.0", dependencies: [{ id: "Dep.One", version: "1.1" }, { id: "Dep.Two", version: "2.0" }] },
          { dependencies: [] },
        ],
      }),
    );
    expect(meta.dependencyGroups).toEqual([
      { targetFramework: "net48", dependencies: [{ id: "Dep.One", range: "[1.0.0, 1.0.0]" }] },
      { targetFramework: "net6.0-windows7.0", dependencies: [{ id: "Dep.One", range: "[1.1.0, )" }, { id: "Dep.Two", range: "[2.0.0, )" }] },
      { targetFramework: undefined, dependencies: [] },
    ]);
  });

  it("when the tags hold realmjoin:user, then the install context is user", () => {
    expect(parseNuspec(nuspecXml({ ...base, tags: ["app", "RealmJoin:User"] })).installContext).toBe("user");
  });

  it("when tags are separated by commas, then each is a tag and the context tag is still found", () => {
    const meta = parseNuspec(minimal(`${required}<tags>app, realmjoin:user,cli</tags>`));
    expect(meta.tags).toEqual(["app", "realmjoin:user", "cli"]);
    expect(meta.installContext).toBe("user");
  });

  it("when the tags hold realmjoin:system or nothing, then the install context is system", () => {
    expect(parseNuspec(nuspecXml({ ...base, tags: ["realmjoin:system"] })).installContext).toBe("system");
    expect(parseNuspec(nuspecXml(base)).installContext).toBe("system");
  });

  it("when the tags hold both context tags, then the nuspec is refused naming tags", () => {
    const error = refusal(nuspecXml({ ...base, tags: ["realmjoin:user", "realmjoin:system"] }));
    expect(error.extensions).toEqual({ field: "tags" });
  });

  it.each([
    ["no namespace", ""],
    ["the 2010/07 schema", "http://schemas.microsoft.com/packaging/2010/07/nuspec.xsd"],
    ["the 2011/08 schema", "http://schemas.microsoft.com/packaging/2011/08/nuspec.xsd"],
    ["an unknown future schema", "http://schemas.microsoft.com/packaging/2099/01/nuspec.xsd"],
  ])("when the nuspec uses %s, then it parses", (_label, namespace) => {
    expect(parseNuspec(nuspecXml({ ...base, namespace })).id).toBe("Contoso.Tool");
  });

  it("when elements carry a namespace prefix, then the prefix is ignored", () => {
    const xml = `<ns:package xmlns:ns="urn:x"><ns:metadata><ns:id>A</ns:id><ns:version>1.0</ns:version><ns:authors>x</ns:authors><ns:description>d</ns:description></ns:metadata></ns:package>`;
    expect(parseNuspec(xml).id).toBe("A");
  });

  it("when text uses character references and CDATA, then they are decoded once", () => {
    const meta = parseNuspec(minimal("<id>A</id><version>1.0</version><authors>x</authors><description><![CDATA[a < b]]> &#x263A; &#65; &amp;lt;</description>"));
    expect(meta.description).toBe("a < b ☺ A &lt;");
  });

  it.each([
    ["a DOCTYPE (XXE)", `<?xml version="1.0"?><!DOCTYPE p [<!ENTITY x SYSTEM "file:///etc/passwd">]><package/>`, "document", /DOCTYPE/],
    ["a billion-laughs DTD", `<!DOCTYPE l [<!ENTITY a "aa"><!ENTITY b "&a;&a;">]><package/>`, "document", /DOCTYPE/],
    ["a stray ENTITY declaration", `<package><!ENTITY a "x"></package>`, "document", /ENTITY/],
    ["an undeclared entity", minimal(`${required.replace("<description>d", "<description>&xxe;")}`), "description", /&xxe;/],
    ["malformed XML", `<package><metadata></package>`, "document", /well-formed/],
    ["a root other than package", `<other/>`, "package", /root element/],
    ["no metadata", `<package/>`, "metadata", /required/],
    ["no id", minimal("<version>1.0</version><authors>x</authors><description>d</description>"), "id", /required/],
    ["two ids", minimal(`<id>B</id>${required}`), "id", /appears 2 times/],
    ["an invalid id", minimal(required.replace("<id>A", "<id>bad id")), "id", /not a valid package id/],
    ["an id over 100 characters", minimal(required.replace("<id>A", `<id>${"a".repeat(101)}`)), "id", /maximum is 100/],
    ["no version", minimal("<id>A</id><authors>x</authors><description>d</description>"), "version", /required/],
    ["an invalid version", minimal(required.replace("1.0", "1.0.0.0.0")), "version", /not a valid NuGet version/],
    ["no description", minimal("<id>A</id><version>1.0</version><authors>x</authors>"), "description", /required/],
    ["a description over 4000 characters", minimal(required.replace("<description>d", `<description>${"d".repeat(4001)}`)), "description", /maximum is 4000/],
    ["a title over 256 characters", minimal(`${required}<title>${"t".repeat(257)}</title>`), "title", /maximum is 256/],
    ["no authors", minimal("<id>A</id><version>1.0</version><description>d</description>"), "authors", /required/],
    ["authors that are only commas", minimal(required.replace("<authors>x", "<authors>, ,")), "authors", /no author/],
    ["an id with child elements", minimal(required.replace("<id>A</id>", "<id><b>A</b></id>")), "id", /nested elements/],
  ])("when the nuspec has %s, then it is refused naming the field", (_label, xml, field, message) => {
    const error = refusal(xml);
    expect(error.status).toBe(400);
    expect(error.code).toBe("invalid-nuspec");
    expect(error.extensions).toEqual({ field });
    expect(error.message).toMatch(message);
  });

  it.each([
    ["a dependency without an id", { dependencies: [{ id: "" }] }, /id attribute is required/],
    ["a dependency with an invalid id", { dependencies: [{ id: "bad id" }] }, /dependency\[0\] id.*not a valid package id/],
    ["a dependency with an invalid range", { dependencies: [{ id: "Dep", version: "[2.0,1.0]" }] }, /dependency\[0\] version.*not a valid NuGet version range/],
    ["a grouped dependency with an invalid range", { groups: [{ targetFramework: "net48", dependencies: [{ id: "Dep", version: "not-a-range" }] }] }, /group\[0\] dependency\[0\] version/],
    ["a duplicate dependency", { dependencies: [{ id: "Dep" }, { id: "dep", version: "2.0" }] }, /listed more than once/],
    ["a dependency on itself", { dependencies: [{ id: "contoso.tool" }] }, /cannot depend on itself/],
    ["two groups for one framework", { groups: [{ targetFramework: "net48", dependencies: [] }, { targetFramework: "NET48", dependencies: [] }] }, /more than one group/],
    ["flat and grouped dependencies mixed", { dependencies: [{ id: "Dep" }], groups: [{ dependencies: [] }] }, /mixes/],
    ["a framework name with markup characters", { groups: [{ targetFramework: "net48<x>", dependencies: [] }] }, /not a target framework/],
  ])("when the nuspec has %s, then it is refused", (_label, extra: Partial<NuspecSpec>, message) => {
    const error = refusal(nuspecXml({ ...base, ...extra }));
    expect(error.code).toBe("invalid-nuspec");
    expect(error.message).toMatch(message);
  });
});
