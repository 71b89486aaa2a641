import { useVirtualizer } from "@tanstack/react-virtual";
import { memo, useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from "react";

import type { AppError } from "../../bindings/AppError";
import type { ColumnSpec } from "../../bindings/ColumnSpec";
import type { EntityTypeSpec } from "../../bindings/EntityTypeSpec";
import type { Record as EntityRecord } from "../../bindings/Record";
import { ErrorBox } from "../../components/ErrorBox";
import { Icon } from "../../components/Icon";
import { cellText, formatCount } from "../../lib/fields";
import { PageCache } from "../../lib/pageCache";
import { toAppError } from "../../lib/errors";
import { useLatestRef } from "../../lib/useLatest";
import * as platform from "../../platform";

export const PAGE_SIZE = 200;
const ROW_HEIGHT = 40;

/** Wider columns for free text (descriptions most), narrower for numbers, dates and flags. */
export function columnWeight(path: string): number {
  const last = path.split(".").pop() ?? path;
  if (/description|title|text/i.test(last)) return 3;
  if (/name|address|email/i.test(last)) return 2;
  if (/^(is[A-Z]|has[A-Z])|id$|No$|Number$|count|duration/i.test(last)) return 0.8;
  return 1;
}

/** The narrowest a column can be and still be read: its whole header, or a few words of text. */
export function columnMinPx(column: ColumnSpec): number {
  const weight = columnWeight(column.path);
  // Header: ~8.5 px a character at its size, plus padding and the sort arrow.
  const header = column.label.length * 8.5 + 44;
  const content = weight >= 3 ? 180 : weight >= 2 ? 160 : weight < 1 ? 80 : 130;
  return Math.ceil(Math.max(header, content));
}

/**
 * The columns that fit in `width` px, in the system's order (the first always
 * shows). `null` width (not measured yet) shows them all.
 */
export function fittingColumns(columns: ColumnSpec[], width: number | null): ColumnSpec[] {
  if (width === null) return columns;
  const shown: ColumnSpec[] = [];
  let used = 0;
  columns.forEach((column, i) => {
    const min = columnMinPx(column);
    if (i > 0 && used + min > width) return;
    shown.push(column);
    used += min;
  });
  return shown;
}

/** Room for the vertical scrollbar the rows keep (scrollbar-gutter: stable). */
const SCROLLBAR_PX = 16;

export interface SortState {
  field: string | null;
  descending: boolean;
}

/**
 * A virtualised table over a connection's records: only visible rows are in
 * the DOM; pages of PAGE_SIZE are fetched as the viewport nears them.
 */
export function RecordsTable({
  connectionId,
  spec,
  search,
  sort,
  onSort,
  selectedId,
  onOpen,
  onTotal,
}: {
  connectionId: string;
  spec: EntityTypeSpec;
  search: string;
  sort: SortState;
  onSort: (sort: SortState) => void;
  selectedId: string | null;
  onOpen: (record: EntityRecord) => void;
  onTotal?: (total: number | null) => void;
}) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const queryKey = `${connectionId}|${spec.key}|${search}|${sort.field ?? ""}|${sort.descending}`;
  const cache = useMemo(() => {
    void queryKey;
    return new PageCache<EntityRecord>(PAGE_SIZE);
  }, [queryKey]);
  const [, setVersion] = useState(0);
  const [error, setError] = useState<AppError | null>(null);
  const [activeRow, setActiveRow] = useState(0);
  const onTotalRef = useRef(onTotal);
  useEffect(() => {
    onTotalRef.current = onTotal;
  }, [onTotal]);

  const count = cache.rowCount();
  // TanStack Virtual returns functions the React Compiler can't memoise; this
  // component is not compiled, which is what we want for a scroll-driven view.
  // eslint-disable-next-line react-hooks/incompatible-library
  const virtualizer = useVirtualizer({
    count,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
  });
  const items = virtualizer.getVirtualItems();
  const firstRow = items[0]?.index ?? 0;
  const lastRow = items[items.length - 1]?.index ?? 0;

  const fetchPage = useCallback(
    (page: number) => {
      const cursor = cache.cursorFor(page);
      if (cursor === undefined) return;
      cache.markLoading(page);
      platform
        .browse(connectionId, spec.key, {
          cursor,
          pageSize: cache.pageSize,
          search: search || null,
          sortField: sort.field,
          sortDescending: sort.descending,
        })
        .then(
          (result) => {
            cache.store(page, {
              records: result.records,
              nextCursor: result.nextCursor,
              total: result.total === null ? null : Number(result.total),
            });
            if (page === 0) onTotalRef.current?.(cache.isComplete() || result.total !== null ? cache.rowCount() : null);
            setError(null);
            setVersion((v) => v + 1);
          },
          (e: unknown) => {
            cache.markFailed(page);
            setError(toAppError(e));
          },
        );
    },
    [cache, connectionId, spec.key, search, sort.field, sort.descending],
  );

  useEffect(() => {
    if (error) return;
    for (const page of cache.pagesToFetch(firstRow, lastRow, 1)) fetchPage(page);
  });

  useEffect(() => {
    scrollRef.current?.scrollTo?.({ top: 0 });
    setActiveRow(0);
  }, [cache]);

  const sortable = new Set(spec.sortableFields);
  // Show only the columns that fit (the record panel shows every field), so
  // none is squeezed to a few letters when the panel is open or the window small.
  const tableRef = useRef<HTMLDivElement>(null);
  const [tableWidth, setTableWidth] = useState<number | null>(null);
  useLayoutEffect(() => {
    const element = tableRef.current;
    if (!element) return;
    const measure = (width: number) => setTableWidth(width > 0 ? Math.floor(width - SCROLLBAR_PX) : null);
    measure(element.getBoundingClientRect().width);
    if (typeof ResizeObserver === "undefined") return;
    const observer = new ResizeObserver((entries) => {
      const entry = entries[entries.length - 1];
      if (entry) measure(entry.contentRect.width);
    });
    observer.observe(element);
    return () => observer.disconnect();
  }, []);
  const columns = useMemo(() => fittingColumns(spec.columns, tableWidth), [spec.columns, tableWidth]);
  const hiddenColumns = spec.columns.length - columns.length;
  const template = columns.map((c) => `minmax(${columnMinPx(c)}px, ${columnWeight(c.path)}fr)`).join(" ");

  const focusRow = (index: number) => {
    const clamped = Math.max(0, Math.min(count - 1, index));
    setActiveRow(clamped);
    virtualizer.scrollToIndex(clamped, { align: "auto" });
    window.requestAnimationFrame(() => {
      scrollRef.current?.querySelector<HTMLElement>(`[data-index="${clamped}"]`)?.focus();
    });
  };

  const handleRowKey = (event: React.KeyboardEvent, index: number, record: EntityRecord | undefined) => {
    const page = Math.max(1, Math.floor((scrollRef.current?.clientHeight ?? 400) / ROW_HEIGHT) - 1);
    switch (event.key) {
      case "ArrowDown":
        event.preventDefault();
        focusRow(index + 1);
        break;
      case "ArrowUp":
        event.preventDefault();
        focusRow(index - 1);
        break;
      case "PageDown":
        event.preventDefault();
        focusRow(index + page);
        break;
      case "PageUp":
        event.preventDefault();
        focusRow(index - page);
        break;
      case "Home":
        event.preventDefault();
        focusRow(0);
        break;
      case "End":
        event.preventDefault();
        focusRow(count - 1);
        break;
      case "Enter":
      case " ":
        event.preventDefault();
        if (record) onOpen(record);
        break;
    }
  };

  // Stable identity so memoised rows don't redraw on every render.
  const rowKeyRef = useLatestRef(handleRowKey);
  const onRowKey = useCallback(
    (event: React.KeyboardEvent, index: number, record: EntityRecord | undefined) =>
      rowKeyRef.current(event, index, record),
    [rowKeyRef],
  );

  const loadedNothing = cache.isComplete() && count === 0;

  return (
    <div className="records">
      {error && (
        <ErrorBox error={error} title={`Patchbay couldn't load the ${spec.label.toLowerCase()}`}>
          <button type="button" className="button" onClick={() => setError(null)}>
            Try again
          </button>
        </ErrorBox>
      )}
      <div
        ref={tableRef}
        className="records-table"
        role="table"
        aria-label={spec.label}
        aria-rowcount={cache.total !== null ? cache.total + 1 : -1}
        data-testid="records-table"
        data-row-count={count}
      >
        <div className="records-head" role="rowgroup">
          <div className="records-row records-header-row" role="row" aria-rowindex={1} style={{ gridTemplateColumns: template }}>
            {columns.map((column) => {
              const canSort = sortable.has(column.path);
              const active = sort.field === column.path;
              return (
                <div
                  key={column.path}
                  role="columnheader"
                  className="records-cell records-header-cell"
                  aria-sort={active ? (sort.descending ? "descending" : "ascending") : canSort ? "none" : undefined}
                >
                  {canSort ? (
                    <button
                      type="button"
                      className="sort-button"
                      onClick={() => onSort({ field: column.path, descending: active ? !sort.descending : false })}
                    >
                      {column.label}
                      <Icon name={active ? "chevron-down" : "sort"} size={14} className={active && !sort.descending ? "flip" : ""} />
                      <span className="visually-hidden">
                        {active ? (sort.descending ? ", sorted newest or highest first" : ", sorted oldest or lowest first") : ", sort"}
                      </span>
                    </button>
                  ) : (
                    column.label
                  )}
                </div>
              );
            })}
          </div>
        </div>
        <div ref={scrollRef} className="records-scroll" role="rowgroup" data-testid="records-scroll">
          {loadedNothing ? (
            <p className="records-empty">
              {search ? `No ${spec.label.toLowerCase()} match “${search}”.` : `No ${spec.label.toLowerCase()} yet.`}
            </p>
          ) : (
            <div style={{ height: virtualizer.getTotalSize(), position: "relative" }}>
              {items.map((item) => {
                const record = cache.row(item.index);
                return (
                  <RecordRow
                    key={item.key}
                    index={item.index}
                    start={item.start}
                    record={record}
                    columns={columns}
                    template={template}
                    selected={record !== undefined && record.id === selectedId}
                    active={item.index === activeRow}
                    onActivate={setActiveRow}
                    onOpen={onOpen}
                    onKey={onRowKey}
                  />
                );
              })}
            </div>
          )}
        </div>
      </div>
      <p className="records-foot muted" aria-live="polite">
        {cache.total !== null
          ? `${formatCount(cache.total)} ${spec.label.toLowerCase()}`
          : `${formatCount(cache.rowCount())}+ ${spec.label.toLowerCase()} so far`}
        {" · "}Use the arrow keys to move, Enter to open.
        {hiddenColumns > 0 && (
          <>
            {" · "}
            {hiddenColumns === 1 ? "1 column is" : `${hiddenColumns} columns are`} hidden to fit — open a{" "}
            {spec.singular.toLowerCase()} to see every field.
          </>
        )}
      </p>
    </div>
  );
}

/** One row; memoised so loading another page doesn't redraw the rows on screen. */
const RecordRow = memo(function RecordRow({
  index,
  start,
  record,
  columns,
  template,
  selected,
  active,
  onActivate,
  onOpen,
  onKey,
}: {
  index: number;
  start: number;
  record: EntityRecord | undefined;
  columns: ColumnSpec[];
  template: string;
  selected: boolean;
  active: boolean;
  onActivate: (index: number) => void;
  onOpen: (record: EntityRecord) => void;
  onKey: (event: React.KeyboardEvent, index: number, record: EntityRecord | undefined) => void;
}) {
  return (
    <div
      role="row"
      aria-rowindex={index + 2}
      aria-selected={selected}
      data-index={index}
      data-testid={record ? "record-row" : "record-row-loading"}
      data-record-id={record?.id}
      tabIndex={active ? 0 : -1}
      className={`records-row${selected ? " records-row-selected" : ""}${record ? "" : " records-row-loading"}`}
      style={{ transform: `translateY(${start}px)`, height: ROW_HEIGHT, gridTemplateColumns: template }}
      onClick={() => {
        onActivate(index);
        if (record) onOpen(record);
      }}
      onFocus={() => onActivate(index)}
      onKeyDown={(e) => onKey(e, index, record)}
    >
      {columns.map((column, i) =>
        record ? (
          <div key={column.path} role="cell" className="records-cell">
            {cellText(record.fields, column.path)}
          </div>
        ) : (
          <div key={column.path} role="cell" className="records-cell">
            {i === 0 ? <span className="muted">Loading…</span> : <span className="skeleton" />}
          </div>
        ),
      )}
    </div>
  );
});
