import { useEffect, useState } from "react";

import type { AppError } from "../../bindings/AppError";
import type { AuditEvent } from "../../bindings/AuditEvent";
import type { ConnectionView } from "../../bindings/ConnectionView";
import type { HealthCheckRecord } from "../../bindings/HealthCheckRecord";
import { Dialog } from "../../components/Dialog";
import { ErrorBox } from "../../components/ErrorBox";
import { HealthBadge } from "../../components/HealthBadge";
import { Icon } from "../../components/Icon";
import { TimeAgo } from "../../components/TimeAgo";
import { healthLook } from "../../lib/health";
import { toAppError } from "../../lib/errors";
import * as platform from "../../platform";

/** A check's outcome in plain words. */
export function outcomeWords(outcome: string, systemName: string): string {
  switch (outcome) {
    case "success":
      return "Worked";
    case "auth_rejected":
      return `${systemName} didn't accept the token`;
    case "permission_missing":
      return "The token's user lacks the rights";
    case "unreachable":
      return `No answer from ${systemName}`;
    case "service_down":
      return `${systemName} had a problem`;
    case "rate_limited":
      return `${systemName} asked us to slow down`;
    case "tls_untrusted":
      return "The secure connection wasn't trusted";
    case "unexpected_response":
      return `${systemName} answered something unexpected`;
    default:
      return outcome.replace(/_/g, " ");
  }
}

export function HistoryDialog({ connection, onClose }: { connection: ConnectionView; onClose: () => void }) {
  const [checks, setChecks] = useState<HealthCheckRecord[] | null>(null);
  const [events, setEvents] = useState<AuditEvent[] | null>(null);
  const [error, setError] = useState<AppError | null>(null);

  useEffect(() => {
    let cancelled = false;
    Promise.all([
      platform.connectionHistory(connection.id, 50),
      platform.listEvents({ connectionId: connection.id, limit: 50 }),
    ]).then(
      ([c, e]) => {
        if (cancelled) return;
        setChecks(c);
        setEvents(e);
      },
      (e: unknown) => !cancelled && setError(toAppError(e)),
    );
    return () => {
      cancelled = true;
    };
  }, [connection.id]);

  return (
    <Dialog title={`History of ${connection.name}`} onClose={onClose} side testId="history-panel">
      {error && <ErrorBox error={error} title="The history couldn't be loaded" />}
      {!error && (checks === null || events === null) && (
        <p className="loading-line" role="status">
          <Icon name="spinner" size={18} /> Loading the history…
        </p>
      )}
      {events && (
        <section aria-labelledby="history-events">
          <h3 id="history-events">What happened</h3>
          {events.length === 0 ? (
            <p className="muted">Nothing yet.</p>
          ) : (
            <ol className="timeline">
              {events.map((e) => (
                <li key={e.id} className="timeline-item">
                  <span className="timeline-time">
                    <TimeAgo value={e.at} />
                  </span>
                  <span className="timeline-text">{e.summary}</span>
                </li>
              ))}
            </ol>
          )}
        </section>
      )}
      {checks && (
        <section aria-labelledby="history-checks">
          <h3 id="history-checks">Recent checks</h3>
          {checks.length === 0 ? (
            <p className="muted">No checks yet.</p>
          ) : (
            <ol className="timeline">
              {checks.map((c, i) => {
                const previous = checks[i + 1];
                const changed = !previous || previous.health !== c.health;
                return (
                  <li key={`${c.at}-${i}`} className={`timeline-item${c.outcome === "success" ? "" : " timeline-item-problem"}`}>
                    <span className="timeline-time">
                      <TimeAgo value={c.at} />
                    </span>
                    <span className="timeline-text">
                      {outcomeWords(c.outcome, connection.systemName)}
                      {c.latencyMs != null && <span className="muted"> · {c.latencyMs} ms</span>}
                    </span>
                    {changed && <HealthBadge look={healthLook(c.health, connection.systemName)} />}
                  </li>
                );
              })}
            </ol>
          )}
        </section>
      )}
    </Dialog>
  );
}
