import { useState } from "react";

import type { ConnectionView } from "../../bindings/ConnectionView";
import { ErrorBox } from "../../components/ErrorBox";
import { Icon } from "../../components/Icon";
import { attentionHeadline, needsAttention, severity } from "../../lib/health";
import { toAppError } from "../../lib/errors";
import type { AppError } from "../../bindings/AppError";
import * as platform from "../../platform";
import { useConnections } from "../../state/connections";
import { useNavigate } from "../../state/navigation";
import { ConnectionCard, type CardDialog } from "./ConnectionCard";
import { DisconnectDialog, RenameDialog } from "./CardDialogs";
import { HistoryDialog } from "./HistoryDialog";

export function Board() {
  const { connections, loaded, loadError, credits, flashing, upsert, reload } = useConnections();
  const navigate = useNavigate();
  const [dialog, setDialog] = useState<{ kind: CardDialog; connection: ConnectionView } | null>(null);
  const [checkingAll, setCheckingAll] = useState(false);
  const [checkAllError, setCheckAllError] = useState<AppError | null>(null);

  const live = connections.filter((c) => c.lifecycle !== "disconnected");
  const gone = connections.filter((c) => c.lifecycle === "disconnected");
  const attention = live.filter(needsAttention).sort((a, b) => severity(b.health) - severity(a.health));
  const ordered = live.slice().sort((a, b) => severity(b.health) - severity(a.health) || a.name.localeCompare(b.name));
  const headline = attentionHeadline(live);

  const checkAll = () => {
    setCheckingAll(true);
    setCheckAllError(null);
    platform.checkAll().then(
      (list) => {
        list.forEach(upsert);
        setCheckingAll(false);
      },
      (error: unknown) => {
        setCheckAllError(toAppError(error));
        setCheckingAll(false);
      },
    );
  };

  const current = dialog ? (connections.find((c) => c.id === dialog.connection.id) ?? dialog.connection) : null;

  return (
    <section className="screen" data-testid="screen-board" aria-labelledby="board-title">
      <header className="screen-header">
        <div>
          <h1 id="board-title">Connections</h1>
          <p className="screen-lede">How each connected system is doing, checked in the background.</p>
        </div>
        <div className="screen-header-side">
          {credits && (
            <p className="credits" data-testid="credits">
              <strong>{credits.used}</strong> of <strong>{credits.allowance}</strong> credits used
            </p>
          )}
          {live.length > 0 && (
            <button type="button" className="button" onClick={checkAll} disabled={checkingAll}>
              <Icon name={checkingAll ? "spinner" : "refresh"} size={18} />
              {checkingAll ? "Checking all…" : "Check all now"}
            </button>
          )}
          {live.length > 0 && (
            <button type="button" className="button button-primary" onClick={() => navigate({ screen: "wizard" })}>
              <Icon name="plus" size={18} />
              Add a system
            </button>
          )}
        </div>
      </header>

      {checkAllError && <ErrorBox error={checkAllError} title="The checks couldn't run" />}

      {headline && (
        <div className="attention-banner" data-testid="attention-banner" role="status">
          <Icon name="alert" size={24} className="attention-icon" />
          <div className="attention-body">
            <h2 className="attention-title">{headline}</h2>
            <ul className="attention-list">
              {attention.map((c) => (
                <li key={c.id}>
                  <span>
                    <strong>{c.name}</strong>: {c.reason}
                  </span>
                  {c.health === "offline" ? (
                    <span className="attention-note">We'll keep trying and tell you when it's back.</span>
                  ) : (
                    <button
                      type="button"
                      className="button button-primary"
                      onClick={() => navigate({ screen: "reconnect", connectionId: c.id })}
                    >
                      <Icon name="key" size={18} />
                      {c.health === "expiring" ? "Renew" : "Reconnect"} {c.name}
                    </button>
                  )}
                </li>
              ))}
            </ul>
          </div>
        </div>
      )}

      {!loaded && (
        <p className="loading-line" role="status">
          <Icon name="spinner" size={18} /> Loading your connections…
        </p>
      )}
      {loadError && (
        <ErrorBox error={loadError} title="Patchbay couldn't load your connections">
          <button type="button" className="button" onClick={reload}>
            Try again
          </button>
        </ErrorBox>
      )}

      {loaded && !loadError && live.length === 0 && (
        <div className="empty-state">
          <div className="empty-illustration" aria-hidden="true">
            <Icon name="board" size={48} />
          </div>
          <h2>No systems connected yet</h2>
          <p>
            Connect Fergus (or another system) and Patchbay will keep an eye on it for you, and tell you the moment
            something needs fixing.
          </p>
          <button type="button" className="button button-primary button-large" onClick={() => navigate({ screen: "wizard" })}>
            <Icon name="plus" size={20} />
            Connect your first system
          </button>
        </div>
      )}

      {ordered.length > 0 && (
        <div className="card-list" aria-label="Connections">
          {ordered.map((c) => (
            <ConnectionCard
              key={c.id}
              connection={c}
              flashing={flashing.has(c.id)}
              onOpenDialog={(kind, connection) => setDialog({ kind, connection })}
            />
          ))}
        </div>
      )}

      {gone.length > 0 && (
        <details className="disconnected-list">
          <summary>
            Disconnected ({gone.length}) — history kept
          </summary>
          <div className="card-list">
            {gone.map((c) => (
              <ConnectionCard
                key={c.id}
                connection={c}
                flashing={false}
                onOpenDialog={(kind, connection) => setDialog({ kind, connection })}
              />
            ))}
          </div>
        </details>
      )}

      {dialog && current && dialog.kind === "rename" && (
        <RenameDialog connection={current} onClose={() => setDialog(null)} onDone={upsert} />
      )}
      {dialog && current && dialog.kind === "disconnect" && (
        <DisconnectDialog connection={current} onClose={() => setDialog(null)} onDone={upsert} />
      )}
      {dialog && current && dialog.kind === "history" && (
        <HistoryDialog connection={current} onClose={() => setDialog(null)} />
      )}
    </section>
  );
}
