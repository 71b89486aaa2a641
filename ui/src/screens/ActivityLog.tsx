import { useEffect, useId, useState } from "react";

import type { AppError } from "../bindings/AppError";
import type { AuditEvent } from "../bindings/AuditEvent";
import { ErrorBox } from "../components/ErrorBox";
import { Icon } from "../components/Icon";
import { TimeAgo } from "../components/TimeAgo";
import { toAppError } from "../lib/errors";
import * as platform from "../platform";
import { useConnections } from "../state/connections";

const ACTORS: Record<string, string> = {
  you: "You",
  monitor: "Health check",
  cli: "Command line",
  system: "Patchbay",
};

export function ActivityLog() {
  const ids = useId();
  const { connections } = useConnections();
  const [connectionId, setConnectionId] = useState("");
  const [result, setResult] = useState<{ key: string; events: AuditEvent[] | null; error: AppError | null } | null>(null);
  const [exporting, setExporting] = useState(false);
  const [savedTo, setSavedTo] = useState<string | null>(null);
  const [exportError, setExportError] = useState<AppError | null>(null);
  const [generation, setGeneration] = useState(0);

  const key = `${connectionId}|${generation}`;
  useEffect(() => {
    let cancelled = false;
    platform.listEvents({ connectionId: connectionId || null, limit: 500 }).then(
      (list) => !cancelled && setResult({ key, events: list, error: null }),
      (e: unknown) => !cancelled && setResult({ key, events: null, error: toAppError(e) }),
    );
    return () => {
      cancelled = true;
    };
  }, [connectionId, key]);
  const current = result?.key === key ? result : null;
  const events = current?.events ?? null;
  const error = current?.error ?? null;

  const exportCsv = () => {
    setExporting(true);
    setSavedTo(null);
    setExportError(null);
    platform.exportEventsCsv({ connectionId: connectionId || null, limit: null }).then(
      (path) => {
        setExporting(false);
        setSavedTo(path);
      },
      (e: unknown) => {
        setExporting(false);
        setExportError(toAppError(e));
      },
    );
  };

  const nameOf = (id: string | null) => (id ? (connections.find((c) => c.id === id)?.name ?? "A removed connection") : "—");

  return (
    <section className="screen" data-testid="screen-log" aria-labelledby="log-title">
      <header className="screen-header">
        <div>
          <h1 id="log-title">Activity log</h1>
          <p className="screen-lede">Everything that happened to your connections, newest first. Nothing here is ever changed.</p>
        </div>
        <div className="screen-header-side">
          <div className="field field-inline">
            <label htmlFor={`${ids}-filter`}>Show</label>
            <select id={`${ids}-filter`} value={connectionId} onChange={(e) => setConnectionId(e.target.value)}>
              <option value="">All connections</option>
              {connections.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.name}
                </option>
              ))}
            </select>
          </div>
          <button type="button" className="button" onClick={exportCsv} disabled={exporting}>
            <Icon name={exporting ? "spinner" : "download"} size={18} />
            {exporting ? "Saving…" : "Export CSV"}
          </button>
        </div>
      </header>

      {savedTo && (
        <p className="notice notice-good" role="status" data-testid="export-saved">
          <Icon name="check-circle" size={18} />
          <span>
            Saved to <code>{savedTo}</code>
          </span>
        </p>
      )}
      {exportError && <ErrorBox error={exportError} title="The CSV couldn't be saved" />}
      {error && (
        <ErrorBox error={error} title="The activity log couldn't be loaded">
          <button type="button" className="button" onClick={() => setGeneration((g) => g + 1)}>
            Try again
          </button>
        </ErrorBox>
      )}
      {!events && !error && (
        <p className="loading-line" role="status">
          <Icon name="spinner" size={18} /> Loading the activity log…
        </p>
      )}
      {events && events.length === 0 && <p className="muted">Nothing has happened yet.</p>}
      {events && events.length > 0 && (
        <div className="table-wrap">
          <table className="data-table" data-testid="events-table">
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Connection</th>
                <th scope="col">What happened</th>
                <th scope="col">By</th>
              </tr>
            </thead>
            <tbody>
              {events.map((e) => (
                <tr key={e.id} data-kind={e.kind}>
                  <td className="nowrap">
                    <TimeAgo value={e.at} />
                  </td>
                  <td className="log-connection">{nameOf(e.connectionId)}</td>
                  <td>{e.summary}</td>
                  <td className="nowrap">{ACTORS[e.actor] ?? e.actor}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
