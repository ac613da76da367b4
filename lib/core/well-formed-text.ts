import { AppError } from "./errors.js";

// Without the u flag a regex sees UTF-16 code units, so this finds a high surrogate not followed by a low one
// and a low surrogate not preceded by a high one: exactly the strings String.prototype.isWellFormed refuses.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
/** C0 controls except tab, LF and CR; DEL; C1 controls. Free text may hold line breaks, nothing else. */
// eslint-disable-next-line no-control-regex
const CONTROL_IN_TEXT = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/;
/** Every C0 and C1 control and DEL: for names, keys, identifiers and one-line settings. */
// eslint-disable-next-line no-control-regex
const ANY_CONTROL = /[\u0000-\u001F\u007F-\u009F]/;

export type TextFault = "ill-formed" | "control-character";

/** Why a string cannot be accepted, or undefined when it can. `lineBreaks` allows tab, LF and CR. */
export function textFault(text: string, lineBreaks: boolean): TextFault | undefined {
  if (LONE_SURROGATE.test(text)) return "ill-formed";
  if ((lineBreaks ? CONTROL_IN_TEXT : ANY_CONTROL).test(text)) return "control-character";
  return undefined;
}

/** True when the string is well-formed Unicode and holds no control character at all (tab and line breaks included). */
export const isPlainLine = (text: string): boolean => textFault(text, false) === undefined;

const FAULT_DETAIL: Record<TextFault, string> = {
  "ill-formed": "is not well-formed Unicode (it holds an unpaired UTF-16 surrogate)",
  "control-character": "holds a control character",
};

const MAX_PATH_CHARS = 200;

function describePath(path: readonly (string | number)[]): string {
  const text = path.length === 0 ? "(the value itself)" : path.map(String).join(".");
  return text.length > MAX_PATH_CHARS ? `${text.slice(0, MAX_PATH_CHARS)}…` : text;
}

interface Visit {
  value: unknown;
  parent: Visit | undefined;
  key: string | number | undefined;
}

// Paths are rebuilt from parent links only on a refusal, so the walk stays linear however deep the value is.
function pathOf(visit: Visit): (string | number)[] {
  const path: (string | number)[] = [];
  for (let v: Visit | undefined = visit; v !== undefined && v.key !== undefined; v = v.parent) path.push(v.key);
  return path.reverse();
}

/**
 * Refuses a parsed JSON value holding an ill-formed string or key, a control character in a key, or one
 * in a string other than tab, LF and CR. Walks iteratively (no recursion, whatever the nesting).
 * Throws AppError validation "invalid-text" naming where; the value itself is never echoed.
 */
export function assertWellFormedJson(value: unknown, what = "body"): void {
  const stack: Visit[] = [{ value, parent: undefined, key: undefined }];
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    const current = item.value;
    if (typeof current === "string") {
      const fault = textFault(current, true);
      if (fault !== undefined) throw textError(`A string of the ${what} at ${describePath(pathOf(item))} ${FAULT_DETAIL[fault]}`);
    } else if (Array.isArray(current)) {
      for (let i = current.length - 1; i >= 0; i--) stack.push({ value: current[i] as unknown, parent: item, key: i });
    } else if (typeof current === "object" && current !== null) {
      for (const [key, child] of Object.entries(current)) {
        const fault = textFault(key, false);
        if (fault !== undefined) throw textError(`A key of the ${what} at ${describePath(pathOf(item))} ${FAULT_DETAIL[fault]}`);
        stack.push({ value: child, parent: item, key });
      }
    }
  }
}

/** Refuses an ill-formed or control-holding name or value (path parameters, query values, header values). */
export function assertPlainValues(entries: Iterable<[string, string]>, what: "path" | "query" | "header"): void {
  for (const [name, value] of entries) {
    const nameFault = textFault(name, false);
    if (nameFault !== undefined) throw textError(`A ${what} name ${FAULT_DETAIL[nameFault]}`);
    // Header values may hold tabs (RFC 9110 field-value); no other value may hold any control.
    const valueFault = textFault(what === "header" ? value.replace(/\t/g, " ") : value, false);
    if (valueFault !== undefined) throw textError(`The ${what} value ${describePath([name])} ${FAULT_DETAIL[valueFault]}`);
  }
}

function textError(detail: string): AppError {
  return new AppError("validation", detail, { code: "invalid-text" });
}
