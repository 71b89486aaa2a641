import { useEffect, useId, useMemo, useState } from "react";

import type { AppError } from "../../bindings/AppError";
import type { EntityCount } from "../../bindings/EntityCount";
import type { EntityTypeSpec } from "../../bindings/EntityTypeSpec";
import type { Record as EntityRecord } from "../../bindings/Record";
import type { SystemDescriptor } from "../../bindings/SystemDescriptor";
import { ErrorBox } from "../../components/ErrorBox";
import { Icon } from "../../components/Icon";
import { formatCount } from "../../lib/fields";
import { toAppError } from "../../lib/errors";
import * as platform from "../../platform";
import { useConnections } from "../../state/connections";
import { useNavigate } from "../../state/navigation";
import { CreateRecordDialog } from "./CreateRecordDialog";
import { RecordPanel } from "./RecordPanel";
import { RecordsTable, type SortState } from "./RecordsTable";

/** "sortField" → "Sort field", unless a column names it. */
export function fieldLabel(spec: EntityTypeSpec, field: string): string {
  const column = spec.columns.find((c) => c.path === field);
  if (column) return column.label;
  const words = field.replace(/[_.]/g, " ").replace(/([a-z])([A-Z])/g, "$1 $2").toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

export function useDebounced<T>(value: T, ms: number): T {
  const [debounced, setDebounced] = useState(value);
  useEffect(() => {
    const timer = window.setTimeout(() => setDebounced(value), ms);
    return () => window.clearTimeout(timer);
  }, [value, ms]);
  return debounced;
}

export function Browser({ initialConnectionId, initialEntity }: { initialConnectionId?: string; initialEntity?: string }) {
  const ids = useId();
  const navigate = useNavigate();
  const { connections, loaded } = useConnections();
  const usable = connections.filter((c) => c.lifecycle === "connected");
  const [connectionId, setConnectionId] = useState<string | null>(initialConnectionId ?? null);
  const effectiveId = connectionId ?? usable[0]?.id ?? null;
  const connection = connections.find((c) => c.id === effectiveId) ?? null;

  const [systems, setSystems] = useState<SystemDescriptor[] | null>(null);
  const [countsResult, setCountsResult] = useState<{ id: string; counts: EntityCount[] | null; error: AppError | null } | null>(
    null,
  );
  const [entity, setEntity] = useState<string | null>(initialEntity ?? null);
  const [searchText, setSearchText] = useState("");
  const search = useDebounced(searchText.trim(), 350);
  const [sort, setSort] = useState<SortState>({ field: null, descending: false });
  const [selected, setSelected] = useState<EntityRecord | null>(null);
  const [creating, setCreating] = useState(false);

  useEffect(() => {
    let cancelled = false;
    platform.listSystems().then(
      (list) => !cancelled && setSystems(list),
      () => undefined,
    );
    return () => {
      cancelled = true;
    };
  }, []);

  useEffect(() => {
    if (!effectiveId) return;
    let cancelled = false;
    platform.entityCounts(effectiveId).then(
      (list) => !cancelled && setCountsResult({ id: effectiveId, counts: list, error: null }),
      (e: unknown) => !cancelled && setCountsResult({ id: effectiveId, counts: null, error: toAppError(e) }),
    );
    return () => {
      cancelled = true;
    };
  }, [effectiveId]);

  const countsNow = countsResult?.id === effectiveId ? countsResult : null;
  const counts = countsNow?.counts ?? null;
  const countsError = countsNow?.error ?? null;
  const system = systems?.find((s) => s.id === connection?.system) ?? null;
  const specs = useMemo(() => {
    const all = system?.entityTypes ?? [];
    const readable = connection?.readableEntities;
    return readable && readable.length > 0 ? all.filter((s) => readable.includes(s.key)) : all;
  }, [system, connection]);
  const spec = specs.find((s) => s.key === entity) ?? specs[0] ?? null;

  const chooseEntity = (key: string) => {
    setEntity(key);
    setSearchText("");
    setSort({ field: null, descending: false });
    setSelected(null);
  };

  if (loaded && usable.length === 0) {
    return (
      <section className="screen" data-testid="screen-browser" aria-labelledby="browser-title">
        <h1 id="browser-title">Browse data</h1>
        <div className="empty-state">
          <h2>Nothing to browse yet</h2>
          <p>Connect a system first. Then you can look through its jobs, customers and more here.</p>
          <button type="button" className="button button-primary button-large" onClick={() => navigate({ screen: "wizard" })}>
            <Icon name="plus" size={20} /> Connect your first system
          </button>
        </div>
      </section>
    );
  }

  return (
    <section className="screen screen-wide" data-testid="screen-browser" aria-labelledby="browser-title">
      <header className="screen-header">
        <div>
          <h1 id="browser-title">Browse data</h1>
          <p className="screen-lede">Everything Patchbay can see through a connection, as the system sent it.</p>
        </div>
        <div className="field field-inline">
          <label htmlFor={`${ids}-connection`}>Connection</label>
          <select
            id={`${ids}-connection`}
            value={effectiveId ?? ""}
            onChange={(e) => {
              setConnectionId(e.target.value);
              setEntity(null);
              setSelected(null);
              setSearchText("");
            }}
          >
            {usable.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name}
              </option>
            ))}
          </select>
        </div>
      </header>

      {countsError && <ErrorBox error={countsError} title="Patchbay couldn't count the records" />}

      <div className="browser">
        <nav className="entity-list" aria-label="What to look at">
          <ul>
            {specs.map((s) => {
              const count = counts?.find((c) => c.entity === s.key)?.count;
              const current = spec?.key === s.key;
              return (
                <li key={s.key}>
                  <button
                    type="button"
                    className={`entity-item${current ? " entity-item-current" : ""}`}
                    aria-current={current ? "true" : undefined}
                    onClick={() => chooseEntity(s.key)}
                    data-testid={`entity-${s.key}`}
                  >
                    <span>{s.label}</span>
                    <span className="entity-count">
                      {counts === null && !countsError ? "…" : count != null ? formatCount(count) : ""}
                    </span>
                  </button>
                </li>
              );
            })}
          </ul>
        </nav>

        {spec && effectiveId && (
          <div className={`browser-main${selected ? " browser-main-with-panel" : ""}`}>
            <div className="browser-table">
              <div className="table-toolbar">
                {spec.searchable && (
                  <div className="field search-field">
                    <label htmlFor={`${ids}-search`}>Search {spec.label.toLowerCase()}</label>
                    <div className="input-icon">
                      <Icon name="search" size={18} />
                      <input
                        id={`${ids}-search`}
                        type="search"
                        value={searchText}
                        onChange={(e) => setSearchText(e.target.value)}
                        placeholder="Name, number or words"
                        autoComplete="off"
                      />
                    </div>
                  </div>
                )}
                {spec.sortableFields.length > 0 && (
                  <div className="field field-inline">
                    <label htmlFor={`${ids}-sort`}>Sort by</label>
                    <select
                      id={`${ids}-sort`}
                      value={sort.field ? `${sort.field}|${sort.descending ? "desc" : "asc"}` : ""}
                      onChange={(e) => {
                        const [field, direction] = e.target.value.split("|");
                        setSort(field ? { field, descending: direction === "desc" } : { field: null, descending: false });
                      }}
                    >
                      <option value="">As {connection?.systemName ?? "the system"} lists them</option>
                      {spec.sortableFields.flatMap((f) => [
                        <option key={`${f}|asc`} value={`${f}|asc`}>
                          {fieldLabel(spec, f)} (A→Z, oldest first)
                        </option>,
                        <option key={`${f}|desc`} value={`${f}|desc`}>
                          {fieldLabel(spec, f)} (Z→A, newest first)
                        </option>,
                      ])}
                    </select>
                  </div>
                )}
                {spec.creatable && (
                  <button type="button" className="button button-primary" onClick={() => setCreating(true)}>
                    <Icon name="plus" size={18} />
                    New {spec.singular.toLowerCase()}
                  </button>
                )}
              </div>
              <RecordsTable
                key={`${effectiveId}|${spec.key}`}
                connectionId={effectiveId}
                spec={spec}
                search={spec.searchable ? search : ""}
                sort={sort}
                onSort={setSort}
                selectedId={selected?.id ?? null}
                onOpen={setSelected}
              />
            </div>
            {selected && (
              <RecordPanel
                connectionId={effectiveId}
                spec={spec}
                record={selected}
                onClose={() => setSelected(null)}
              />
            )}
          </div>
        )}
      </div>

      {creating && spec && effectiveId && (
        <CreateRecordDialog
          connectionId={effectiveId}
          spec={spec}
          onClose={() => setCreating(false)}
          onShow={(record) => {
            setCreating(false);
            setSelected(record);
          }}
        />
      )}
    </section>
  );
}
