import { useEffect, useState } from "react";

import type { AppError } from "../../bindings/AppError";
import type { SystemDescriptor } from "../../bindings/SystemDescriptor";
import { ErrorBox } from "../../components/ErrorBox";
import { HealthBadge } from "../../components/HealthBadge";
import { Icon } from "../../components/Icon";
import { connectionLook } from "../../lib/health";
import { toAppError } from "../../lib/errors";
import { todayIso } from "../../lib/time";
import * as platform from "../../platform";
import { useConnections } from "../../state/connections";
import { useNavigate } from "../../state/navigation";
import { useNotice } from "../../state/notice";
import { useLatestRef } from "../../lib/useLatest";
import { GuidancePanel } from "./GuidancePanel";
import { ProgressRows } from "./ProgressRows";
import { TokenForm, type TokenValues } from "./TokenForm";
import { useAttempt } from "./useAttempt";

/** Only the token step, for an existing connection; same id, settings and history. */
export function Reconnect({ connectionId }: { connectionId: string }) {
  const navigate = useNavigate();
  const notice = useNotice();
  const { connections, loaded, upsert } = useConnections();
  const connection = connections.find((c) => c.id === connectionId) ?? null;
  const [system, setSystem] = useState<SystemDescriptor | null>(null);
  const [loadError, setLoadError] = useState<AppError | null>(null);
  const [values, setValues] = useState<TokenValues>({ name: "", token: "", tokenCreated: todayIso(), apiUrl: "" });
  const [checking, setChecking] = useState(false);
  const systemId = connection?.system;
  const attempt = useAttempt(connection?.systemName ?? "the system");
  const { state, abandon } = attempt;

  useEffect(() => {
    if (!systemId) return;
    let cancelled = false;
    platform.listSystems().then(
      (list) => {
        if (cancelled) return;
        const found = list.find((s) => s.id === systemId) ?? null;
        setSystem(found);
        if (!found) setLoadError({ code: "not_found", message: "Patchbay doesn't know this system any more.", hint: null, detail: systemId, problems: [] } as AppError);
      },
      (e: unknown) => !cancelled && setLoadError(toAppError(e)),
    );
    return () => {
      cancelled = true;
    };
  }, [systemId]);

  const cancel = () => {
    if (state.phase === "running") abandon();
    notice("Nothing was changed.");
    navigate({ screen: "board" });
  };
  const cancelRef = useLatestRef(cancel);
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.key !== "Escape" || event.defaultPrevented) return;
      event.preventDefault();
      cancelRef.current();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [cancelRef]);

  const start = (v: TokenValues) => {
    if (!connection) return;
    setValues(v);
    setChecking(true);
    attempt.run((attemptId) =>
      platform.reconnect({
        connectionId: connection.id,
        token: v.token,
        tokenCreated: v.tokenCreated || null,
        allowDifferentAccount: false,
        attemptId,
      }),
      {
        onSuccess: (updated) => {
          upsert(updated);
          notice(`${updated.name} is reconnected.`);
          navigate({ screen: "board" });
        },
      },
    );
  };

  if (!connection) {
    return (
      <section className="screen screen-narrow" data-testid="screen-reconnect" aria-labelledby="reconnect-title">
        <h1 id="reconnect-title">Reconnect</h1>
        {loaded ? (
          <p>This connection isn't there any more. It may have been disconnected.</p>
        ) : (
          <p className="loading-line" role="status">
            <Icon name="spinner" size={18} /> Loading…
          </p>
        )}
        <button type="button" className="button" onClick={() => navigate({ screen: "board" })}>
          Back to the board
        </button>
      </section>
    );
  }

  const look = connectionLook(connection);
  const running = state.phase === "running";
  const renewing = connection.lifecycle === "connected" && connection.health === "expiring";

  return (
    <section className="screen screen-narrow" data-testid="screen-reconnect" aria-labelledby="reconnect-title">
      <header className="screen-header">
        <div>
          <h1 id="reconnect-title">
            {connection.lifecycle === "disconnected"
              ? `Connect again: ${connection.name}`
              : renewing
                ? `Renew the token for ${connection.name}`
                : `Reconnect ${connection.name}`}
          </h1>
          <p className="screen-lede">
            Give Patchbay a new {connection.systemName} token. The connection, its settings and its history stay as
            they are.
          </p>
        </div>
        <button type="button" className="button button-quiet" onClick={cancel}>
          <Icon name="x" size={18} />
          Cancel
        </button>
      </header>

      <div className="what-happened">
        <HealthBadge look={look} large />
        <p data-testid="reconnect-reason">{connection.reason}</p>
      </div>

      {loadError && <ErrorBox error={loadError} />}

      {system && !checking && (
        <div className="wizard-split" data-testid="wizard-token">
          <div>
            <h2 className="wizard-question">Paste a new token</h2>
            <p className="muted">
              It must belong to <b>{connection.accountName}</b> in {connection.systemName}.
            </p>
            <TokenForm
              system={system}
              values={values}
              onChange={setValues}
              askName={false}
              showAddress={false}
              submitLabel="Check and reconnect"
              onSubmit={start}
              onBack={cancel}
              backLabel="Back to the board"
            />
          </div>
          <GuidancePanel system={system} connectionId={connection.id} />
        </div>
      )}

      {checking && (
        <div data-testid="wizard-check">
          <h2 className="wizard-question">Checking the new token</h2>
          <ProgressRows
            rows={attempt.rows}
            stopped={state.phase === "failed" || state.phase === "timedOut"}
            waitingLabel={`Getting ready to reach ${connection.systemName}…`} />
          {state.phase === "running" && state.slow && (
            <div className="notice notice-warn notice-wrap" role="status" data-testid="slow-warning">
              <Icon name="alert" size={18} />
              <span>This is taking longer than usual.</span>
              <button type="button" className="button button-small" onClick={attempt.keepWaiting}>
                Keep waiting
              </button>
              <button type="button" className="button button-small" onClick={cancel}>
                Cancel
              </button>
            </div>
          )}
          {(state.phase === "failed" || state.phase === "timedOut") && (
            <ErrorBox
              error={state.error}
              title={state.error.code === "different_account" ? "This token is for a different company" : "The new token didn't work"}
            >
              {state.error.code === "different_account" ? (
                <button type="button" className="button" onClick={() => navigate({ screen: "wizard" })}>
                  Connect it as a new connection instead
                </button>
              ) : (
                <button type="button" className="button button-primary" onClick={() => start(values)}>
                  <Icon name="refresh" size={18} />
                  Try again
                </button>
              )}
              <button type="button" className="button" onClick={() => setChecking(false)}>
                <Icon name="arrow-left" size={18} />
                Back to edit
              </button>
            </ErrorBox>
          )}
          {running && (
            <div className="button-row">
              <button
                type="button"
                className="button"
                onClick={() => {
                  abandon();
                  setChecking(false);
                }}
              >
                <Icon name="arrow-left" size={18} />
                Back
              </button>
            </div>
          )}
        </div>
      )}
    </section>
  );
}

