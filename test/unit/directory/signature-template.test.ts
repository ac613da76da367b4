import { describe, expect, it } from "vitest";
import { AppError } from "../../../lib/core/errors.js";
import { DEMO_REALMS } from "../../../lib/directory/demo-directory.js";
import { MAX_TEMPLATE_BYTES, renderSignature, validateTemplate } from "../../../lib/directory/signature-template.js";

const eve = DEMO_REALMS.flatMap((r) => r.users).find((u) => u.userPrincipalName === "eve@fabrikam.example");
if (eve === undefined) throw new Error("demo data lacks eve");

function validationFailure(fn: () => unknown): AppError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(AppError);
    expect((e as AppError).kind).toBe("validation");
    return e as AppError;
  }
  throw new Error("expected a validation error");
}

describe("signature templates", () => {
  it("when a display name holds a script tag, then the HTML shows it as text", () => {
    const out = renderSignature({ html: "<p><b>{{displayName}}</b></p>", text: "{{displayName}}" }, eve);
    expect(out.html).toBe("<p><b>Eve &lt;script&gt;alert(1)&lt;/script&gt; &amp; Co</b></p>");
    expect(out.html).not.toContain("<script>");
    expect(out.text).toBe("Eve <script>alert(1)</script> & Co");
  });

  it("when values hold quotes, then they are escaped for attributes too", () => {
    const out = renderSignature({ html: `<a title="{{jobTitle}}" data-x='{{surname}}'>x</a>`, text: "" }, eve);
    expect(out.html).toBe(`<a title="Sales &quot;Lead&quot;" data-x='O&#39;Hara'>x</a>`);
  });

  it("when business phones are several, then they are joined with a comma", () => {
    const out = renderSignature({ html: "{{businessPhones}}", text: "T: {{ businessPhones }}" }, { businessPhones: ["+1 1", "+1 2"] });
    expect(out).toEqual({ html: "+1 1, +1 2", text: "T: +1 1, +1 2" });
  });

  it("when a field is missing, then it renders as empty", () => {
    const out = renderSignature({ html: "[{{mobilePhone}}]", text: "[{{officeLocation}}][{{businessPhones}}]" }, { displayName: "A" });
    expect(out).toEqual({ html: "[]", text: "[][]" });
  });

  it("when a value carries CR/LF or control characters, then the text stays one plain line", () => {
    const out = renderSignature(
      { html: "{{jobTitle}}", text: "Title: {{jobTitle}}\nEnd" },
      { jobTitle: "Boss\r\nBcc: victim@example.com\u0000\u001b[31m\u2028x" },
    );
    expect(out.text).toBe("Title: Boss Bcc: victim@example.com [31m x\nEnd");
    expect(out.html).toBe("Boss Bcc: victim@example.com [31m x");
  });

  it("when a template names only known fields, then it validates unchanged", () => {
    const template = { html: "<p>{{displayName}} | {{ mail }}</p>", text: "{{givenName}} {{surname}}" };
    expect(validateTemplate(template)).toBe(template);
  });

  it("when a template names unknown placeholders, then the validation error names each once", () => {
    const error = validationFailure(() =>
      validateTemplate({ html: "{{displayName}} {{password}} {{}}", text: "{{password}} {{ manager.mail }}" }),
    );
    expect(error.message).toContain("{{password}}");
    expect(error.message).toContain("{{manager.mail}}");
    expect(error.extensions?.["unknownPlaceholders"]).toEqual(["password", "", "manager.mail"]);
  });

  it("when a template is larger than the bound, then it is refused", () => {
    const big = "x".repeat(MAX_TEMPLATE_BYTES + 1);
    validationFailure(() => validateTemplate({ html: big, text: "" }));
    validationFailure(() => validateTemplate({ html: "", text: big }));
    expect(validateTemplate({ html: "x".repeat(MAX_TEMPLATE_BYTES), text: "" }).html).toHaveLength(MAX_TEMPLATE_BYTES);
  });

  it("when an unknown placeholder reaches rendering anyway, then it renders as empty rather than leaking", () => {
    expect(renderSignature({ html: "a{{constructor}}b{{toString}}", text: "" }, eve).html).toBe("ab");
  });
});
