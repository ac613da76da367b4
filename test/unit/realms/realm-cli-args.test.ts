import { describe, expect, it } from "vitest";
import { requestFor } from "../../../lib/cli/realm.js";

const T = "aaaaaaaa-1111-4111-8111-111111111111";

describe("the realm command line", () => {
  it("when add names a CA file, then it PUTs a device-ca realm with that PEM", () => {
    const { request, url } = requestFor(["add", T, "--name", "Northwind", "--device-ca-pem", "ca.pem", "--no-graph", "--url", "http://127.0.0.1:9/"], () => "PEM");
    expect(url).toBe("http://127.0.0.1:9");
    expect(request).toEqual({
      method: "PUT",
      path: `/api/operator/v1/realms/${T}`,
      body: { name: "Northwind", deviceTrust: "device-ca", noGraph: true, deviceCaPem: "PEM" },
    });
  });

  it("when add has no CA and no --device-trust, then the trust is left to the deployment (which knows whether it has Graph)", () => {
    expect(requestFor(["add", T, "--name", "N"]).request.body).toEqual({ name: "N", noGraph: false });
    expect(requestFor(["add", T, "--name", "N", "--no-graph"]).request.body).toEqual({ name: "N", noGraph: true });
    expect(requestFor(["add", T, "--name", "N", "--device-trust", "graph"]).request.body).toEqual({ name: "N", deviceTrust: "graph", noGraph: false });
  });

  it("when --dev-ca is given, then the dev CA certificate of the data folder is read", () => {
    const read: string[] = [];
    requestFor(["add", T, "--name", "N", "--dev-ca", "--data", "/tmp/d"], (p) => {
      read.push(p);
      return "PEM";
    });
    expect(read).toEqual(["/tmp/d/dev-ca/ca-cert.pem"]);
  });

  it.each([
    [["list"], "GET", "/api/operator/v1/realms"],
    [["show", T], "GET", `/api/operator/v1/realms/${T}`],
    [["disable", T], "POST", `/api/operator/v1/realms/${T}/disable`],
    [["enable", T], "POST", `/api/operator/v1/realms/${T}/enable`],
    [["delete", T], "DELETE", `/api/operator/v1/realms/${T}`],
  ])("when the command is %j, then it calls %s %s", (args, method, path) => {
    expect(requestFor(args).request).toEqual({ method, path });
  });

  it.each([[["show"]], [["show", "contoso"]], [["frobnicate", T]], [["add", T]], [[]]])("when the command line is %j, then a usage error", (args) => {
    expect(() => requestFor(args)).toThrow();
  });

  it("when a token is given, then it is used as is", () => {
    expect(requestFor(["list", "--token", "abc"]).token).toBe("abc");
  });
});
