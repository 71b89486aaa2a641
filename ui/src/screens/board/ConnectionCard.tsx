import { useState } from "react";

import type { AppError } from "../../bindings/AppError";
import type { ConnectionView } from "../../bindings/ConnectionView";
import { HealthBadge } from "../../components/HealthBadge";
import { Icon } from "../../components/Icon";
import { TimeAgo, useNow } from "../../components/TimeAgo";
import { ErrorBox } from "../../components/ErrorBox";
import { connectionLook, expiryWords, reconnectIsPrimary } from "../../lib/health";
import { toAppError } from "../../lib/errors";
import { formatDate } from "../../lib/time";
import * as platform from "../../platform";
import { useConnections } from "../../state/connections";
import { useNavigate } from "../../state/navigation";

export type CardDialog = "rename" | "disconnect" | "history";

type CheckState = { kind: "idle" } | { kind: "checking" } | { kind: "done"; label: string } | { kind: "failed"; error: AppError };

export function ConnectionCard({
  connection,
  flashing,
  onOpenDialog,
}: {
  connection: ConnectionView;
  flashing: boolean;
  onOpenDialog: (dialog: CardDialog, connection: ConnectionView) => void;
}) {
  const navigate = useNavigate();
  const { upsert } = useConnections();
  const [check, setCheck] = useState<CheckState>({ kind: "idle" });
  const look = connectionLook(connection);
  const active = connection.lifecycle === "connected" || connection.lifecycle === "inactive";
  const primaryReconnect = reconnectIsPrimary(connection);
  const headingId = `card-title-${connection.id}`;
  const now = useNow();
  const expiry =
    connection.lifecycle === "connected" && connection.health === "expiring"
      ? expiryWords(connection.tokenExpiresAt, now)
      : null;

  const runCheck = () => {
    setCheck({ kind: "checking" });
    platform.checkNow(connection.id).then(
      (updated) => {
        upsert(updated);
        setCheck({ kind: "done", label: connectionLook(updated).label });
      },
      (error: unknown) => setCheck({ kind: "failed", error: toAppError(error) }),
    );
  };

  return (
    <article
      className={`card connection-card tone-border-${look.tone}${flashing ? " flash" : ""}`}
      data-testid="connection-card"
      data-connection-id={connection.id}
      data-health={connection.health}
      data-lifecycle={connection.lifecycle}
      aria-labelledby={headingId}
    >
      <header className="card-header">
        <div className="card-title-block">
          <h2 id={headingId} className="card-title">
            {connection.name}
          </h2>
          <p className="card-subtitle">
            {connection.systemName}
            {connection.accountName && connection.accountName !== connection.name ? ` · ${connection.accountName}` : ""}
          </p>
        </div>
        <HealthBadge look={look} large />
      </header>

      {expiry && (
        <p className="expiry-callout" data-testid="expiry-callout">
          <Icon name="calendar-clock" size={20} />
          <strong>{expiry}</strong>
        </p>
      )}

      <p className="card-reason" data-testid="connection-reason">
        {connection.reason}
      </p>

      <dl className="facts">
        <div>
          <dt>Since</dt>
          <dd>
            <TimeAgo value={connection.since} />
          </dd>
        </div>
        <div>
          <dt>Last good check</dt>
          <dd>
            <TimeAgo value={connection.lastSuccess} fallback="Not yet" />
          </dd>
        </div>
        <div>
          <dt>Next check</dt>
          <dd>
            <TimeAgo value={connection.nextCheck} future fallback={active ? "Not planned" : "Not checked"} />
          </dd>
        </div>
        <div>
          <dt>Token</dt>
          <dd>
            <code className="masked">{connection.maskedSecret}</code>
          </dd>
        </div>
        {connection.tokenExpiresAt && (
          <div>
            <dt>Token expires</dt>
            <dd>{formatDate(connection.tokenExpiresAt)}</dd>
          </div>
        )}
      </dl>

      <div className="card-status" aria-live="polite">
        {check.kind === "checking" && (
          <span className="inline-progress">
            <Icon name="spinner" size={16} /> Checking {connection.systemName} now…
          </span>
        )}
        {check.kind === "done" && (
          <span className="inline-result">
            <Icon name="check" size={16} /> Checked just now: {check.label}
          </span>
        )}
      </div>
      {check.kind === "failed" && <ErrorBox error={check.error} title="The check couldn't run" />}

      {connection.lifecycle !== "disconnected" ? (
        <div className="card-actions">
          {primaryReconnect && (
            <button
              type="button"
              className="button button-primary"
              onClick={() => navigate({ screen: "reconnect", connectionId: connection.id })}
            >
              <Icon name="key" size={18} />
              {connection.health === "expiring" ? "Renew now" : "Reconnect"}
            </button>
          )}
          <button type="button" className="button" onClick={runCheck} disabled={check.kind === "checking"}>
            <Icon name="refresh" size={18} />
            Check now
          </button>
          <button type="button" className="button" onClick={() => navigate({ screen: "browser", connectionId: connection.id })}>
            <Icon name="table" size={18} />
            Browse data
          </button>
          <span className="card-actions-spacer" />
          {!primaryReconnect && (
            <button
              type="button"
              className="button button-quiet"
              onClick={() => navigate({ screen: "reconnect", connectionId: connection.id })}
            >
              <Icon name="key" size={18} /> Reconnect
            </button>
          )}
          <button type="button" className="button button-quiet" onClick={() => onOpenDialog("history", connection)}>
            <Icon name="history" size={18} /> History
          </button>
          <button type="button" className="button button-quiet" onClick={() => onOpenDialog("rename", connection)}>
            <Icon name="pencil" size={18} /> Rename
          </button>
          <button type="button" className="button button-quiet button-danger-quiet" onClick={() => onOpenDialog("disconnect", connection)}>
            <Icon name="unlink" size={18} /> Disconnect
          </button>
        </div>
      ) : (
        <div className="card-actions">
          <button
            type="button"
            className="button"
            onClick={() => navigate({ screen: "reconnect", connectionId: connection.id })}
          >
            <Icon name="key" size={18} /> Connect again
          </button>
          <button type="button" className="button button-quiet" onClick={() => onOpenDialog("history", connection)}>
            <Icon name="history" size={18} /> History
          </button>
        </div>
      )}
    </article>
  );
}
