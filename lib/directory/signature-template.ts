import { AppError } from "../core/errors.js";
import type { DirectoryUser } from "./directory.js";

/** An Outlook signature template: `{{fieldName}}` placeholders in an HTML and a plain-text body. */
export interface SignatureTemplate {
  html: string;
  text: string;
}

/** The user fields a template may name. */
export const SIGNATURE_FIELDS = [
  "displayName",
  "givenName",
  "surname",
  "jobTitle",
  "department",
  "companyName",
  "officeLocation",
  "businessPhones",
  "mobilePhone",
  "mail",
  "streetAddress",
  "city",
  "postalCode",
  "country",
] as const;

export type SignatureField = (typeof SIGNATURE_FIELDS)[number];

/** Largest accepted html or text body, in UTF-8 bytes. */
export const MAX_TEMPLATE_BYTES = 64 * 1024;

const PLACEHOLDER = /\{\{\s*([^{}\s]*)\s*\}\}/g;
const KNOWN = new Set<string>(SIGNATURE_FIELDS);
// C0 and C1 controls, DEL, and the Unicode line/paragraph separators: none belongs in a signature value.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g;

/** Returns the template unchanged when valid. Throws AppError "validation" (code "signature-template") naming unknown placeholders, or when a body exceeds MAX_TEMPLATE_BYTES. */
export function validateTemplate(template: SignatureTemplate): SignatureTemplate {
  for (const [part, body] of [
    ["html", template.html],
    ["text", template.text],
  ] as const) {
    if (Buffer.byteLength(body, "utf8") > MAX_TEMPLATE_BYTES) {
      throw new AppError("validation", `The ${part} template exceeds ${MAX_TEMPLATE_BYTES} bytes.`, {
        code: "signature-template",
      });
    }
  }
  const unknown = [...new Set([...placeholders(template.html), ...placeholders(template.text)])].filter(
    (name) => !KNOWN.has(name),
  );
  if (unknown.length > 0) {
    throw new AppError("validation", `Unknown placeholders: ${unknown.map((n) => `{{${n}}}`).join(", ")}.`, {
      code: "signature-template",
      extensions: { unknownPlaceholders: unknown, allowedPlaceholders: [...SIGNATURE_FIELDS] },
    });
  }
  return template;
}

/** Returns the template filled with the user's fields: HTML-escaped in html, stripped of control characters in text; missing fields and unknown placeholders render as empty. Never throws. */
export function renderSignature(
  template: SignatureTemplate,
  user: Partial<Pick<DirectoryUser, SignatureField>>,
): SignatureTemplate {
  return {
    html: template.html.replace(PLACEHOLDER, (_m, name: string) => escapeHtml(fieldValue(user, name))),
    text: template.text.replace(PLACEHOLDER, (_m, name: string) => fieldValue(user, name)),
  };
}

function placeholders(body: string): string[] {
  return [...body.matchAll(PLACEHOLDER)].map((m) => m[1] ?? "");
}

function fieldValue(user: Partial<Pick<DirectoryUser, SignatureField>>, name: string): string {
  if (!KNOWN.has(name)) return "";
  const raw = user[name as SignatureField];
  const value = Array.isArray(raw) ? raw.map(clean).filter((p) => p !== "").join(", ") : raw;
  return clean(value ?? "");
}

function clean(value: string): string {
  return value.replace(CONTROL, " ").trim();
}

function escapeHtml(value: string): string {
  return value
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}
