// The page cache behind the virtualised records table.
//
// Rows are addressed by index. Pages of `pageSize` rows are fetched on demand
// when the viewport nears rows that are not loaded. When the system's cursor
// is an integer offset (Fergus: "200", "400", …) any page can be fetched
// directly; otherwise pages are fetched in order, each with the previous
// page's `nextCursor`.

export interface PageResult<T> {
  records: T[];
  nextCursor: string | null;
  /** Total rows when the system tells it. */
  total: number | null;
}

export class PageCache<T> {
  pageSize: number;
  private pages = new Map<number, T[]>();
  private loading = new Set<number>();
  /** nextCursor seen at the end of page n (for systems with opaque cursors). */
  private cursorAfter = new Map<number, string | null>();
  private offsetCursors: boolean | null = null;
  private lastPage: number | null = null;
  total: number | null = null;

  constructor(pageSize: number) {
    this.pageSize = Math.max(1, Math.floor(pageSize));
  }

  pageOf(row: number): number {
    return Math.floor(Math.max(0, row) / this.pageSize);
  }

  isLoaded(page: number): boolean {
    return this.pages.has(page);
  }

  isLoading(page: number): boolean {
    return this.loading.has(page);
  }

  row(index: number): T | undefined {
    const page = this.pages.get(this.pageOf(index));
    return page?.[index - this.pageOf(index) * this.pageSize];
  }

  /** How many rows the table shows (scroll height). */
  rowCount(): number {
    if (this.total !== null) return this.total;
    if (this.lastPage !== null) {
      const last = this.pages.get(this.lastPage);
      return this.lastPage * this.pageSize + (last?.length ?? 0);
    }
    // Unknown total: what is loaded plus one page to scroll into.
    let highest = -1;
    for (const page of this.pages.keys()) highest = Math.max(highest, page);
    return (highest + 2) * this.pageSize;
  }

  /** Whether there is nothing more to fetch. */
  isComplete(): boolean {
    return this.lastPage !== null || (this.total !== null && this.pages.size * this.pageSize >= this.total);
  }

  /** The cursor to fetch `page` with, or undefined when it can't be fetched yet. */
  cursorFor(page: number): string | null | undefined {
    if (page === 0) return null;
    if (this.offsetCursors) return String(page * this.pageSize);
    const after = this.cursorAfter.get(page - 1);
    return after ?? undefined;
  }

  /**
   * Pages to fetch so rows [firstRow, lastRow] (plus `aheadPages` pages on
   * either side) are loaded: not loaded, not loading, fetchable, in range.
   */
  pagesToFetch(firstRow: number, lastRow: number, aheadPages = 1): number[] {
    const first = Math.max(0, this.pageOf(firstRow) - aheadPages);
    const last = this.pageOf(lastRow) + aheadPages;
    const wanted: number[] = [];
    for (let page = first; page <= last; page += 1) {
      if (this.lastPage !== null && page > this.lastPage) break;
      if (this.total !== null && page * this.pageSize >= this.total) break;
      if (this.pages.has(page) || this.loading.has(page)) continue;
      if (this.cursorFor(page) === undefined) continue;
      wanted.push(page);
    }
    return wanted;
  }

  markLoading(page: number): void {
    this.loading.add(page);
  }

  markFailed(page: number): void {
    this.loading.delete(page);
  }

  store(page: number, result: PageResult<T>): void {
    this.loading.delete(page);
    this.pages.set(page, result.records);
    this.cursorAfter.set(page, result.nextCursor);
    if (result.total !== null) this.total = result.total;
    if (result.nextCursor === null) {
      this.lastPage = page;
      this.total = page * this.pageSize + result.records.length;
    }
    if (page === 0 && this.offsetCursors === null && result.nextCursor !== null) {
      // An integer cursor equal to the first page's length is an offset: any
      // page can be fetched directly. (The system may clamp the page size.)
      const offset = Number(result.nextCursor);
      this.offsetCursors = /^\d+$/.test(result.nextCursor) && offset === result.records.length && offset > 0;
      if (this.offsetCursors) this.pageSize = offset;
    }
  }
}
