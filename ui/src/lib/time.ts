// Dates for people: relative when recent ("2 minutes ago"), absolute on hover,
// local time zone, NZ/AU date order.

const LOCALE = "en-NZ";

const absoluteFormat = new Intl.DateTimeFormat(LOCALE, {
  weekday: "short",
  day: "numeric",
  month: "short",
  year: "numeric",
  hour: "numeric",
  minute: "2-digit",
});

const dayMonthTime = new Intl.DateTimeFormat(LOCALE, {
  day: "numeric",
  month: "short",
  hour: "numeric",
  minute: "2-digit",
});

const dateOnly = new Intl.DateTimeFormat(LOCALE, {
  day: "numeric",
  month: "short",
  year: "numeric",
});

export function parseDate(value: string | Date | null | undefined): Date | null {
  if (value == null) return null;
  const date = value instanceof Date ? value : new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
}

/** "Fri, 4 Dec 2026, 10:42 am" — for title attributes and exports. */
export function formatAbsolute(value: string | Date | null | undefined): string {
  const date = parseDate(value);
  return date ? absoluteFormat.format(date) : "";
}

/** "4 Dec 2026" */
export function formatDate(value: string | Date | null | undefined): string {
  const date = parseDate(value);
  return date ? dateOnly.format(date) : "";
}

function plural(n: number, unit: string): string {
  return `${n} ${unit}${n === 1 ? "" : "s"}`;
}

/**
 * What a date is about: `past` for things that already happened (a time a
 * little ahead of our clock is clock skew, not the future), `future` for
 * planned things (next check, next try), `either` when it can be both.
 */
export type TimeSide = "past" | "future" | "either";

/** Within this much of now, a past thing happened "just now" and a planned one is "in a moment". */
export const JUST_NOW_MS = 60_000;

/**
 * "just now", "2 minutes ago", "in 4 minutes", "3 hours ago", "yesterday",
 * or "4 Dec, 10:42 am" when more than a week away.
 */
export function formatRelative(
  value: string | Date | null | undefined,
  now: Date = new Date(),
  side: TimeSide = "either",
): string {
  const date = parseDate(value);
  if (!date) return "";
  const raw = date.getTime() - now.getTime();
  // Engine and display clocks differ by a little, and the display clock ticks
  // every few seconds: never call something that happened "in a moment", nor
  // a planned check "ago".
  const diffMs = side === "past" ? Math.min(0, raw) : side === "future" ? Math.max(0, raw) : raw;
  if (Math.abs(diffMs) < JUST_NOW_MS) {
    if (side === "future") return "in a moment";
    if (side === "past") return "just now";
    return raw > 0 ? "in a moment" : "just now";
  }
  const future = diffMs > 0;
  const seconds = Math.round(Math.abs(diffMs) / 1000);
  const wrap = (text: string) => (future ? `in ${text}` : `${text} ago`);
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return wrap(plural(Math.max(1, minutes), "minute"));
  const hours = Math.round(minutes / 60);
  if (hours < 24) return wrap(plural(hours, "hour"));
  const days = Math.round(hours / 24);
  if (days === 1) return future ? "tomorrow" : "yesterday";
  if (days < 7) return wrap(plural(days, "day"));
  return dayMonthTime.format(date);
}

/** Whole days from now until the date (negative when past). */
export function daysUntil(value: string | Date | null | undefined, now: Date = new Date()): number | null {
  const date = parseDate(value);
  if (!date) return null;
  return Math.ceil((date.getTime() - now.getTime()) / 86_400_000);
}

/** Today's date as YYYY-MM-DD in local time (for date inputs). */
export function todayIso(now: Date = new Date()): string {
  const y = now.getFullYear();
  const m = String(now.getMonth() + 1).padStart(2, "0");
  const d = String(now.getDate()).padStart(2, "0");
  return `${y}-${m}-${d}`;
}
