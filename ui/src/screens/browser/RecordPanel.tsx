import { useEffect, useState } from "react";

import type { AppError } from "../../bindings/AppError";
import type { EntityTypeSpec } from "../../bindings/EntityTypeSpec";
import type { Record as EntityRecord } from "../../bindings/Record";
import { ErrorBox } from "../../components/ErrorBox";
import { Icon } from "../../components/Icon";
import { flattenFields } from "../../lib/fields";
import { toAppError } from "../../lib/errors";
import { formatAbsolute } from "../../lib/time";
import * as platform from "../../platform";

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;

/** Every field the system sent for one record; empty ones greyed. */
export function RecordPanel({
  connectionId,
  spec,
  record,
  onClose,
}: {
  connectionId: string;
  spec: EntityTypeSpec;
  record: EntityRecord;
  onClose: () => void;
}) {
  const [loaded, setLoaded] = useState<{ id: string; record: EntityRecord | null; error: AppError | null } | null>(null);
  const [showEmpty, setShowEmpty] = useState(true);

  useEffect(() => {
    let cancelled = false;
    platform.getRecord(connectionId, spec.key, record.id).then(
      (r) => !cancelled && setLoaded({ id: record.id, record: r, error: null }),
      (e: unknown) => !cancelled && setLoaded({ id: record.id, record: null, error: toAppError(e) }),
    );
    return () => {
      cancelled = true;
    };
  }, [connectionId, spec.key, record.id]);

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.key === "Escape" && !event.defaultPrevented) onClose();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [onClose]);

  const current = loaded?.id === record.id ? loaded : null;
  const full = current?.record ?? null;
  const error = current?.error ?? null;
  const shown = full ?? record;
  const fields = flattenFields(shown.fields);
  const empty = fields.filter((f) => f.empty).length;

  return (
    <aside className="record-panel" data-testid="record-panel" aria-labelledby="record-panel-title">
      <header className="record-panel-header">
        <div>
          <p className="eyebrow">{spec.singular}</p>
          <h2 id="record-panel-title">{shown.title}</h2>
        </div>
        <button type="button" className="icon-button" aria-label={`Close this ${spec.singular.toLowerCase()}`} onClick={onClose}>
          <Icon name="x" />
        </button>
      </header>
      <p className="muted record-panel-summary">
        {fields.length} fields · {fields.length - empty} with a value · {empty} empty
        {!full && !error && (
          <span className="inline-progress">
            {" "}
            <Icon name="spinner" size={14} /> Getting every field…
          </span>
        )}
      </p>
      <label className="checkbox">
        <input type="checkbox" checked={showEmpty} onChange={(e) => setShowEmpty(e.target.checked)} />
        Show empty fields
      </label>
      {error && <ErrorBox error={error} title="Showing the fields from the list only" />}
      <dl className="field-list">
        {fields
          .filter((f) => showEmpty || !f.empty)
          .map((f) => (
            <div key={f.path} className={`field-row${f.empty ? " field-empty" : ""}`} data-empty={f.empty ? "true" : "false"}>
              <dt>{f.path}</dt>
              <dd>
                {f.empty ? (
                  <span className="empty-mark">empty</span>
                ) : ISO_TIME.test(f.text) && formatAbsolute(f.text) ? (
                  <time dateTime={f.text} title={f.text}>
                    {formatAbsolute(f.text)}
                  </time>
                ) : (
                  f.text
                )}
              </dd>
            </div>
          ))}
      </dl>
      <details className="raw">
        <summary>Show exactly as sent (JSON)</summary>
        <pre>{JSON.stringify(shown.fields, null, 2)}</pre>
      </details>
    </aside>
  );
}
