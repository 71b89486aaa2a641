import { act, fireEvent, render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import type { ListQuery } from "../../bindings/ListQuery";
import type { RecordPage } from "../../bindings/RecordPage";
import * as platform from "../../platform";
import { fergus, installFakePlatform } from "../../test/fakePlatform";
import { columnMinPx, fittingColumns, RecordsTable } from "./RecordsTable";

vi.mock("../../platform");

const jobs = fergus.entityTypes[0]!;
const TOTAL = 100_000;

function page(query: ListQuery): RecordPage {
  const offset = Number(query.cursor ?? "0");
  const size = query.pageSize ?? 200;
  return {
    records: Array.from({ length: Math.min(size, TOTAL - offset) }, (_, i) => ({
      id: String(offset + i + 1),
      title: `Job-${offset + i + 1}`,
      fields: { jobNo: `Job-${offset + i + 1}`, customer: { customerFullName: "Aroha Ngata" } },
    })),
    nextCursor: offset + size < TOTAL ? String(offset + size) : null,
    total: BigInt(TOTAL) as unknown as bigint,
  };
}

// jsdom has no layout: give the scroll box a size so the virtualiser renders rows.
const rect = { x: 0, y: 0, top: 0, left: 0, bottom: 400, right: 800, width: 800, height: 400, toJSON: () => ({}) };
let restore: (() => void) | undefined;

describe("virtualised records table", () => {
  beforeEach(() => {
    vi.clearAllMocks();
    const original = HTMLElement.prototype.getBoundingClientRect;
    HTMLElement.prototype.getBoundingClientRect = function () {
      return rect as DOMRect;
    };
    Object.defineProperty(HTMLElement.prototype, "clientHeight", { configurable: true, get: () => 400 });
    Object.defineProperty(HTMLElement.prototype, "clientWidth", { configurable: true, get: () => 800 });
    restore = () => {
      HTMLElement.prototype.getBoundingClientRect = original;
      delete (HTMLElement.prototype as { clientHeight?: number }).clientHeight;
      delete (HTMLElement.prototype as { clientWidth?: number }).clientWidth;
    };
  });
  afterEach(() => restore?.());

  it("loads the first page, sizes the scroll for the total, and renders only visible rows", async () => {
    const fake = installFakePlatform(platform, []);
    fake.mocked.browse.mockImplementation(async (_c: string, _e: string, q: ListQuery) => page(q));
    render(
      <RecordsTable connectionId="c1" spec={jobs} search="" sort={{ field: null, descending: false }} onSort={() => undefined} selectedId={null} onOpen={() => undefined} />,
    );
    await waitFor(() => expect(screen.getAllByTestId("record-row").length).toBeGreaterThan(5));
    expect(fake.mocked.browse).toHaveBeenCalledWith("c1", "jobs", expect.objectContaining({ cursor: null, pageSize: 200 }));
    const table = screen.getByTestId("records-table");
    expect(table).toHaveAttribute("data-row-count", String(TOTAL));
    expect(screen.getAllByTestId("record-row").length).toBeLessThan(100);
    expect(screen.getAllByTestId("record-row")[0]).toHaveTextContent("Job-1");
    expect(screen.getAllByTestId("record-row")[0]).toHaveTextContent("Aroha Ngata");
  });

  it("fetches the page under the viewport when scrolled far, by offset", async () => {
    const fake = installFakePlatform(platform, []);
    fake.mocked.browse.mockImplementation(async (_c: string, _e: string, q: ListQuery) => page(q));
    render(
      <RecordsTable connectionId="c1" spec={jobs} search="" sort={{ field: null, descending: false }} onSort={() => undefined} selectedId={null} onOpen={() => undefined} />,
    );
    await waitFor(() => expect(screen.getAllByTestId("record-row").length).toBeGreaterThan(5));
    const scroller = screen.getByTestId("records-scroll");
    act(() => {
      scroller.scrollTop = 40 * 50_000;
      fireEvent.scroll(scroller);
    });
    await waitFor(() =>
      expect(fake.mocked.browse).toHaveBeenCalledWith("c1", "jobs", expect.objectContaining({ cursor: "50000" })),
    );
    const cursors = fake.mocked.browse.mock.calls.map((call) => (call[2] as ListQuery).cursor);
    // Pages in between were never fetched.
    expect(cursors).not.toContain("25000");
    expect(cursors.length).toBeLessThan(8);
    await waitFor(() => expect(screen.getAllByTestId("record-row").some((r) => r.textContent?.includes("Job-50001"))).toBe(true));
  });

  it("opens a record with Enter or a click, and sorts from a column header", async () => {
    const fake = installFakePlatform(platform, []);
    fake.mocked.browse.mockImplementation(async (_c: string, _e: string, q: ListQuery) => page(q));
    const onOpen = vi.fn();
    const onSort = vi.fn();
    const user = userEvent.setup();
    render(
      <RecordsTable connectionId="c1" spec={jobs} search="" sort={{ field: null, descending: false }} onSort={onSort} selectedId={null} onOpen={onOpen} />,
    );
    await waitFor(() => expect(screen.getAllByTestId("record-row").length).toBeGreaterThan(5));
    const first = screen.getAllByTestId("record-row")[0]!;
    first.focus();
    await user.keyboard("{Enter}");
    expect(onOpen).toHaveBeenCalledWith(expect.objectContaining({ id: "1" }));
    await user.click(screen.getAllByTestId("record-row")[2]!);
    expect(onOpen).toHaveBeenLastCalledWith(expect.objectContaining({ id: "3" }));
    await user.click(screen.getByRole("button", { name: /Job number/ }));
    expect(onSort).toHaveBeenCalledWith({ field: "jobNo", descending: false });
  });

  it("shows the engine's error with Try again", async () => {
    const fake = installFakePlatform(platform, []);
    fake.mocked.browse.mockRejectedValueOnce({ code: "rate_limited", message: "Fergus asked us to slow down.", hint: "Trying again in 40 s.", detail: null });
    fake.mocked.browse.mockImplementation(async (_c: string, _e: string, q: ListQuery) => page(q));
    const user = userEvent.setup();
    render(
      <RecordsTable connectionId="c1" spec={jobs} search="" sort={{ field: null, descending: false }} onSort={() => undefined} selectedId={null} onOpen={() => undefined} />,
    );
    const box = await screen.findByTestId("error-box");
    expect(box).toHaveAttribute("data-code", "rate_limited");
    await user.click(screen.getByRole("button", { name: "Try again" }));
    await waitFor(() => expect(screen.getAllByTestId("record-row").length).toBeGreaterThan(5));
  });
});

describe("column widths", () => {
  const columns = [
    { path: "jobNo", label: "Job number" },
    { path: "description", label: "Description" },
    { path: "status", label: "Status" },
    { path: "customer.customerFullName", label: "Customer" },
    { path: "updatedAt", label: "Last changed" },
  ];
  const sum = (list: typeof columns) => list.reduce((total, c) => total + columnMinPx(c), 0);

  it("never makes a column narrower than its header", () => {
    for (const column of columns) {
      expect(columnMinPx(column)).toBeGreaterThanOrEqual(column.label.length * 8);
    }
    // Free text gets room for a few words.
    expect(columnMinPx(columns[1]!)).toBeGreaterThanOrEqual(180);
  });

  it("shows every column when there is room, and only those that fit when there isn't", () => {
    expect(fittingColumns(columns, null)).toEqual(columns);
    expect(fittingColumns(columns, 1000)).toEqual(columns);
    const narrow = fittingColumns(columns, 600);
    expect(narrow.length).toBeLessThan(columns.length);
    expect(narrow[0]).toBe(columns[0]);
    expect(narrow).toContain(columns[1]);
    expect(sum(narrow)).toBeLessThanOrEqual(600);
    // The first column always shows, even in a tiny space.
    expect(fittingColumns(columns, 50)).toEqual([columns[0]]);
  });
});

