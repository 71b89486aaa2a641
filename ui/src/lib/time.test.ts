import { describe, expect, it } from "vitest";

import { daysUntil, formatAbsolute, formatRelative, todayIso } from "./time";

const now = new Date("2026-12-04T10:42:00Z");
const ago = (ms: number) => new Date(now.getTime() - ms);

describe("relative time", () => {
  it("says 'just now' for the last few seconds", () => {
    expect(formatRelative(ago(10_000), now)).toBe("just now");
  });
  it("counts minutes, hours and days", () => {
    expect(formatRelative(ago(60_000), now)).toBe("1 minute ago");
    expect(formatRelative(ago(2 * 60_000), now)).toBe("2 minutes ago");
    expect(formatRelative(ago(3 * 3_600_000), now)).toBe("3 hours ago");
    expect(formatRelative(ago(26 * 3_600_000), now)).toBe("yesterday");
    expect(formatRelative(ago(3 * 86_400_000), now)).toBe("3 days ago");
  });
  it("talks about the future too", () => {
    expect(formatRelative(new Date(now.getTime() + 5 * 60_000), now)).toBe("in 5 minutes");
    expect(formatRelative(new Date(now.getTime() + 20_000), now)).toBe("in a moment");
  });
  it("says 'just now' for anything that happened within a minute, either side of the clock", () => {
    for (const ms of [0, 1_000, 30_000, 44_000, 50_000, 59_000]) {
      expect(formatRelative(ago(ms), now, "past")).toBe("just now");
      // Engine clock slightly ahead of the webview's: still "just now".
      expect(formatRelative(new Date(now.getTime() + ms), now, "past")).toBe("just now");
    }
    expect(formatRelative(ago(61_000), now, "past")).toBe("1 minute ago");
    expect(formatRelative(ago(2 * 60_000), now, "past")).toBe("2 minutes ago");
  });
  it("never says a past thing happens 'in a moment', even far ahead of the clock", () => {
    for (const ms of [5_000, 45_000, 90_000, 10 * 60_000]) {
      expect(formatRelative(new Date(now.getTime() + ms), now, "past")).not.toMatch(/^in /);
    }
  });
  it("puts planned times in the future: 'in 4 minutes', 'in a moment', never 'ago'", () => {
    expect(formatRelative(new Date(now.getTime() + 4 * 60_000), now, "future")).toBe("in 4 minutes");
    expect(formatRelative(new Date(now.getTime() + 4 * 60_000 + 10_000), now, "future")).toBe("in 4 minutes");
    expect(formatRelative(new Date(now.getTime() + 30_000), now, "future")).toBe("in a moment");
    // A check that is due (a little overdue) is about to happen.
    expect(formatRelative(ago(20_000), now, "future")).toBe("in a moment");
    expect(formatRelative(ago(5 * 60_000), now, "future")).toBe("in a moment");
    expect(formatRelative(new Date(now.getTime() + 3 * 3_600_000), now, "future")).toBe("in 3 hours");
  });
  it("falls back to a date (NZ order) after a week", () => {
    const text = formatRelative(ago(30 * 86_400_000), now);
    expect(text).toMatch(/^\d{1,2} [A-Z][a-z]{2}/);
  });
  it("calls a time slightly ahead of the clock 'just now' for things that already happened", () => {
    expect(formatRelative(new Date(now.getTime() + 15_000), now, "past")).toBe("just now");
    expect(formatRelative(new Date(now.getTime() + 15_000), now)).toBe("in a moment");
  });
  it("accepts ISO strings and ignores garbage", () => {
    expect(formatRelative(ago(120_000).toISOString(), now)).toBe("2 minutes ago");
    expect(formatRelative("not a date", now)).toBe("");
    expect(formatRelative(null, now)).toBe("");
  });
  it("gives an absolute time for hover text, day before month", () => {
    const text = formatAbsolute("2026-12-04T10:42:00Z");
    expect(text).toMatch(/\d{1,2} Dec 2026/);
  });
  it("counts days until a date and formats today for date inputs", () => {
    expect(daysUntil(new Date(now.getTime() + 6 * 86_400_000), now)).toBe(6);
    expect(todayIso(new Date(2026, 0, 5))).toBe("2026-01-05");
  });
});
