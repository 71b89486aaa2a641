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

/** The list's copy of a record is shown at once; a "checking" line only appears if the full one is slow. */
export const LOADING_HINT_AFTER_MS = 400;
/** After this long without the full record, stop saying it's coming. */
export const LOADING_GIVE_UP_MS = 20_000;

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
  // Which record the slow-loading line (or the gave-up line) is about.
  const [wait, setWait] = useState<{ id: string; stage: "slow" | "gaveUp" } | null>(null);

  useEffect(() => {
    let cancelled = false;
    const id = record.id;
    const slow = window.setTimeout(() => setWait({ id, stage: "slow" }), LOADING_HINT_AFTER_MS);
    const giveUp = window.setTimeout(() => setWait({ id, stage: "gaveUp" }), LOADING_GIVE_UP_MS);
    const settle = (next: { id: string; record: EntityRecord | null; error: AppError | null }) => {
      window.clearTimeout(slow);
      window.clearTimeout(giveUp);
      if (cancelled) return;
      setLoaded(next);
      setWait(null);
    };
    platform.getRecord(connectionId, spec.key, id).then(
      (r) => settle({ id, record: r, error: null }),
      (e: unknown) => settle({ id, record: null, error: toAppError(e) }),
    );
    return () => {
      cancelled = true;
      window.clearTimeout(slow);
      window.clearTimeout(giveUp);
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
  const waiting = !current && wait?.id === record.id ? wait.stage : null;

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
      </p>
      <p className="record-panel-loading" role="status" data-testid="record-panel-loading">
        {waiting === "slow" && (
          <span className="inline-progress">
            <Icon name="spinner" size={14} /> Checking for more fields…
          </span>
        )}
        {waiting === "gaveUp" && <span className="muted">Showing the fields from the list (the full record didn't arrive).</span>}
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
              <dt>
                {/* Long nested names wrap after a dot, not mid-word. */}
                {f.path.split(".").map((part, i) => (i === 0 ? part : [<wbr key={i} />, `.${part}`]))}
              </dt>
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
