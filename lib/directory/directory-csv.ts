import { validationError } from "../core/errors.js";

/** Largest CSV import accepted (bytes) and most rows, so one import stays a bounded amount of work. */
export const CSV_IMPORT_LIMIT_BYTES = 1024 * 1024;
export const CSV_IMPORT_MAX_ROWS = 5000;
const MAX_FIELDS = 64;

/**
 * Parses RFC 4180 CSV (quoted fields, doubled quotes, CRLF or LF) into rows of fields. Throws AppError
 * validation on an unterminated quote, too many rows or too many fields in a row.
 */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  let i = 0;
  const endField = () => {
    row.push(field);
    field = "";
    if (row.length > MAX_FIELDS) throw validationError(`Row ${rows.length + 1} has more than ${MAX_FIELDS} fields`, "invalid-csv");
  };
  const endRow = () => {
    endField();
    if (!(row.length === 1 && row[0] === "")) rows.push(row);
    row = [];
    if (rows.length > CSV_IMPORT_MAX_ROWS + 1) throw validationError(`At most ${CSV_IMPORT_MAX_ROWS} rows per import`, "invalid-csv");
  };
  const body = text.startsWith("\uFEFF") ? text.slice(1) : text;
  while (i < body.length) {
    const c = body[i] as string;
    if (quoted) {
      if (c === '"') {
        if (body[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
      } else field += c;
      i++;
      continue;
    }
    if (c === '"' && field === "") quoted = true;
    else if (c === ",") endField();
    else if (c === "\n") endRow();
    else if (c !== "\r") field += c;
    i++;
  }
  if (quoted) throw validationError("The CSV ends inside a quoted field", "invalid-csv");
  if (field !== "" || row.length > 0) endRow();
  return rows;
}
