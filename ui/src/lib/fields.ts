// Reading records whose shape we only partly know.

/** Value at a dotted path ("customer.customerFullName"); undefined if absent. */
export function getPath(source: unknown, path: string): unknown {
  let current: unknown = source;
  for (const part of path.split(".")) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}

export interface FlatField {
  /** Dotted name: "mainContact.firstName", "links.0.href". */
  path: string;
  /** The value as text for display ("" when empty). */
  text: string;
  /** null, undefined, "", [] or {}: shown greyed. */
  empty: boolean;
}

export function isEmptyValue(value: unknown): boolean {
  if (value === null || value === undefined) return true;
  if (typeof value === "string") return value.trim() === "";
  if (Array.isArray(value)) return value.length === 0;
  if (typeof value === "object") return Object.keys(value as object).length === 0;
  return false;
}

/** One value as plain text: booleans as Yes/No, numbers as they are. */
export function displayValue(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "boolean") return value ? "Yes" : "No";
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "bigint") return String(value);
  if (Array.isArray(value)) return value.length === 0 ? "" : `${value.length} items`;
  return JSON.stringify(value);
}

/**
 * Every field of a record, nested objects and arrays flattened with dotted
 * names, in the order the API returned them. Empty containers stay as one
 * (empty) row so "is this field there?" is answered at a glance.
 */
export function flattenFields(source: Record<string, unknown>, prefix = ""): FlatField[] {
  const out: FlatField[] = [];
  for (const [key, value] of Object.entries(source)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (value !== null && typeof value === "object" && !isEmptyValue(value)) {
      const entries = Array.isArray(value)
        ? Object.fromEntries(value.map((item, i) => [String(i), item as unknown]))
        : (value as Record<string, unknown>);
      out.push(...flattenFields(entries, path));
    } else {
      out.push({ path, text: displayValue(value), empty: isEmptyValue(value) });
    }
  }
  return out;
}

const cellDate = new Intl.DateTimeFormat("en-NZ", { day: "numeric", month: "short", year: "numeric" });
const counts = new Intl.NumberFormat("en-NZ");

/** A cell value for the table: short text, "—" when empty. */
export function cellText(record: Record<string, unknown>, path: string): string {
  const value = getPath(record, path);
  if (isEmptyValue(value)) return "—";
  if (typeof value === "string" && /^\d{4}-\d{2}-\d{2}T/.test(value)) {
    const date = new Date(value);
    if (!Number.isNaN(date.getTime())) return cellDate.format(date);
  }
  return displayValue(value);
}

export function formatCount(n: number | bigint | null | undefined): string {
  if (n === null || n === undefined) return "";
  return counts.format(n);
}
