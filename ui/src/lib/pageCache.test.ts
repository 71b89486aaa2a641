import { describe, expect, it } from "vitest";

import { PageCache } from "./pageCache";

const page = (from: number, n: number) => Array.from({ length: n }, (_, i) => from + i);

describe("page cache for the virtual table", () => {
  it("maps a row to its page", () => {
    const cache = new PageCache<number>(200);
    expect(cache.pageOf(0)).toBe(0);
    expect(cache.pageOf(199)).toBe(0);
    expect(cache.pageOf(200)).toBe(1);
    expect(cache.pageOf(50_123)).toBe(250);
  });

  it("fetches only the first page before anything is known", () => {
    const cache = new PageCache<number>(200);
    expect(cache.pagesToFetch(0, 20)).toEqual([0]);
    cache.markLoading(0);
    expect(cache.pagesToFetch(0, 20)).toEqual([]);
  });

  it("with offset cursors, jumps straight to the page under a far scroll position", () => {
    const cache = new PageCache<number>(200);
    cache.store(0, { records: page(0, 200), nextCursor: "200", total: 100_000 });
    expect(cache.rowCount()).toBe(100_000);
    // Viewport at rows 50,000–50,020: that page and one either side.
    expect(cache.pagesToFetch(50_000, 50_020)).toEqual([249, 250, 251]);
    expect(cache.cursorFor(250)).toBe("50000");
    cache.store(250, { records: page(50_000, 200), nextCursor: "50200", total: 100_000 });
    expect(cache.row(50_010)).toBe(50_010);
    expect(cache.row(49_999)).toBeUndefined();
  });

  it("never asks beyond the total", () => {
    const cache = new PageCache<number>(200);
    cache.store(0, { records: page(0, 200), nextCursor: "200", total: 450 });
    expect(cache.pagesToFetch(400, 449, 3)).toEqual([1, 2]);
  });

  it("adapts to a page size the system clamped", () => {
    const cache = new PageCache<number>(200);
    cache.store(0, { records: page(0, 100), nextCursor: "100", total: null });
    expect(cache.pageSize).toBe(100);
    expect(cache.cursorFor(3)).toBe("300");
  });

  it("with opaque cursors, fetches pages in order", () => {
    const cache = new PageCache<number>(2);
    cache.store(0, { records: [1, 2], nextCursor: "abc", total: null });
    expect(cache.pagesToFetch(0, 9, 0)).toEqual([1]);
    expect(cache.cursorFor(1)).toBe("abc");
    expect(cache.cursorFor(2)).toBeUndefined();
    // Unknown total: what is loaded plus one page to scroll into.
    expect(cache.rowCount()).toBe(4);
  });

  it("learns the end from the last page", () => {
    const cache = new PageCache<number>(200);
    cache.store(0, { records: page(0, 200), nextCursor: "200", total: null });
    cache.store(1, { records: page(200, 37), nextCursor: null, total: null });
    expect(cache.rowCount()).toBe(237);
    expect(cache.isComplete()).toBe(true);
    expect(cache.pagesToFetch(0, 500)).toEqual([]);
  });

  it("lets a failed page be fetched again", () => {
    const cache = new PageCache<number>(200);
    cache.markLoading(0);
    cache.markFailed(0);
    expect(cache.pagesToFetch(0, 10)).toEqual([0]);
  });
});
