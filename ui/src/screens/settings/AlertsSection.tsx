import { useCallback, useEffect, useId, useState } from "react";

import type { AppError } from "../../bindings/AppError";
import type { WebhookDelivery } from "../../bindings/WebhookDelivery";
import type { WebhookEndpoint } from "../../bindings/WebhookEndpoint";
import { CopyButton } from "../../components/CopyButton";
import { Dialog } from "../../components/Dialog";
import { ErrorBox } from "../../components/ErrorBox";
import { Icon } from "../../components/Icon";
import { TimeAgo } from "../../components/TimeAgo";
import { toAppError } from "../../lib/errors";
import * as platform from "../../platform";

/** The events an endpoint can choose, in plain words (webhook.test is always sent on request). */
export const WEBHOOK_EVENTS: { type: string; label: string }[] = [
  { type: "connection.reauthorization_required", label: "A connection needs reconnecting" },
  { type: "connection.offline", label: "A system can't be reached" },
  { type: "connection.degraded", label: "A system is slow" },
  { type: "connection.recovered", label: "A connection is working again" },
  { type: "connection.expiring", label: "A token expires soon" },
  { type: "connection.created", label: "A system was connected" },
  { type: "connection.reconnected", label: "A connection was reconnected" },
  { type: "connection.disconnected", label: "A connection was disconnected" },
];

export function eventLabel(type: string): string {
  if (type === "webhook.test") return "Test event";
  return WEBHOOK_EVENTS.find((e) => e.type === type)?.label ?? type;
}

/** The event list to send: null means "all of them". */
export function chosenEvents(chosen: ReadonlySet<string>): string[] | null {
  if (WEBHOOK_EVENTS.every((e) => chosen.has(e.type))) return null;
  return WEBHOOK_EVENTS.filter((e) => chosen.has(e.type)).map((e) => e.type);
}

export function deliveryWords(delivery: WebhookDelivery): { label: string; tone: "good" | "warn" | "bad" | "neutral" } {
  switch (delivery.status) {
    case "delivered":
      return { label: "Delivered", tone: "good" };
    case "failed":
      return { label: "Failed", tone: "bad" };
    case "pending":
      return delivery.attempts === 0
        ? { label: "Sending…", tone: "neutral" }
        : { label: `Waiting to try again (${delivery.attempts} ${delivery.attempts === 1 ? "try" : "tries"} so far)`, tone: "warn" };
  }
}

const FOLLOW_UP_MS = [800, 2000, 4000, 8000];

export function AlertsSection() {
  const [endpoints, setEndpoints] = useState<WebhookEndpoint[] | null>(null);
  const [error, setError] = useState<AppError | null>(null);
  const [adding, setAdding] = useState(false);
  const [generation, setGeneration] = useState(0);

  useEffect(() => {
    let cancelled = false;
    platform.listWebhooks().then(
      (list) => {
        if (cancelled) return;
        setEndpoints(list);
        setError(null);
      },
      (e: unknown) => !cancelled && setError(toAppError(e)),
    );
    return () => {
      cancelled = true;
    };
  }, [generation]);

  const replace = (endpoint: WebhookEndpoint) =>
    setEndpoints((list) => (list ?? []).map((e) => (e.id === endpoint.id ? endpoint : e)));

  return (
    <section className="card form" aria-labelledby="alerts-title" data-testid="alerts">
      <div className="endpoint-head">
        <div>
          <h2 id="alerts-title" className="section-title">
            Alerts to other tools (webhooks)
          </h2>
          <p className="field-help">
            Patchbay can tell your other tools — an automation, a dashboard, a chat channel — the moment a connection
            breaks or recovers. Each message is signed so the tool can trust it.
          </p>
        </div>
        <button type="button" className="button button-primary" onClick={() => setAdding(true)}>
          <Icon name="plus" size={18} /> Add an endpoint
        </button>
      </div>
      {error && (
        <ErrorBox error={error} title="The alert endpoints couldn't be loaded">
          <button type="button" className="button" onClick={() => setGeneration((g) => g + 1)}>
            Try again
          </button>
        </ErrorBox>
      )}
      {!endpoints && !error && (
        <p className="loading-line" role="status">
          <Icon name="spinner" size={18} /> Loading alert endpoints…
        </p>
      )}
      {endpoints && endpoints.length === 0 && <p className="muted">No endpoints yet.</p>}
      {endpoints?.map((endpoint) => (
        <EndpointCard
          key={endpoint.id}
          endpoint={endpoint}
          onChanged={replace}
          onRemoved={() => setEndpoints((list) => (list ?? []).filter((e) => e.id !== endpoint.id))}
        />
      ))}
      {adding && (
        <AddWebhookDialog
          onClose={() => setAdding(false)}
          onAdded={(endpoint) => setEndpoints((list) => [...(list ?? []), endpoint])}
        />
      )}
    </section>
  );
}

function EndpointCard({
  endpoint,
  onChanged,
  onRemoved,
}: {
  endpoint: WebhookEndpoint;
  onChanged: (e: WebhookEndpoint) => void;
  onRemoved: () => void;
}) {
  const [deliveries, setDeliveries] = useState<WebhookDelivery[] | null>(null);
  const [showDeliveries, setShowDeliveries] = useState(false);
  const [error, setError] = useState<AppError | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [secret, setSecret] = useState<string | null>(null);
  const [confirmRemove, setConfirmRemove] = useState(false);
  const [testNote, setTestNote] = useState<string | null>(null);

  const loadDeliveries = useCallback(() => {
    return platform.webhookDeliveries(endpoint.id, 20).then(
      (list) => {
        setDeliveries(list);
        return list;
      },
      (e: unknown) => {
        setError(toAppError(e));
        return null;
      },
    );
  }, [endpoint.id]);

  useEffect(() => {
    if (!showDeliveries) return;
    void loadDeliveries();
  }, [showDeliveries, loadDeliveries]);

  // After "Send test event" or "Retry" the worker sends within moments; look
  // again a few times (bounded) so the person sees the outcome.
  const followUp = useCallback(
    (messageId: string) => {
      let step = 0;
      const next = () => {
        const delay = FOLLOW_UP_MS[step];
        if (delay === undefined) return;
        step += 1;
        window.setTimeout(() => {
          void loadDeliveries().then((list) => {
            const found = list?.find((d) => d.messageId === messageId);
            if (found && found.status === "pending" && found.attempts === 0) next();
          });
        }, delay);
      };
      next();
    },
    [loadDeliveries],
  );

  const act = (what: string, run: () => Promise<unknown>) => {
    setBusy(what);
    setError(null);
    run().then(
      () => setBusy(null),
      (e: unknown) => {
        setBusy(null);
        setError(toAppError(e));
      },
    );
  };

  const sendTest = () =>
    act("test", async () => {
      const delivery = await platform.testWebhook(endpoint.id);
      setTestNote("Test event queued. It shows below when it has been sent.");
      setShowDeliveries(true);
      setDeliveries((list) => [delivery, ...(list ?? []).filter((d) => d.messageId !== delivery.messageId)]);
      followUp(delivery.messageId);
    });

  const retry = (messageId: string) =>
    act(`retry-${messageId}`, async () => {
      const delivery = await platform.retryDelivery(messageId);
      setDeliveries((list) => (list ?? []).map((d) => (d.messageId === messageId ? delivery : d)));
      followUp(messageId);
    });

  const events = endpoint.eventTypes;
  return (
    <article className="endpoint card" data-testid="webhook-endpoint" data-endpoint-id={endpoint.id} data-enabled={endpoint.enabled}>
      <div className="endpoint-head">
        <div>
          <p className="endpoint-url">{endpoint.url}</p>
          {endpoint.description && <p className="muted">{endpoint.description}</p>}
        </div>
        <span className={`health-badge ${endpoint.enabled ? "tone-good" : "tone-neutral"}`}>
          <Icon name={endpoint.enabled ? "check-circle" : "pause"} size={16} />
          {endpoint.enabled ? "On" : "Off"}
        </span>
      </div>
      {!endpoint.enabled && endpoint.disabledReason && <p className="notice notice-warn">{endpoint.disabledReason}</p>}
      <dl className="facts">
        <div>
          <dt>Sends</dt>
          <dd>{events === null ? "Every event" : events.map(eventLabel).join(", ") || "Nothing"}</dd>
        </div>
        <div>
          <dt>Signing secret</dt>
          <dd>
            <code className="masked">{endpoint.maskedSecret}</code>
          </dd>
        </div>
        <div>
          <dt>Added</dt>
          <dd>
            <TimeAgo value={endpoint.createdAt} />
          </dd>
        </div>
      </dl>
      {secret && <SecretBox secret={secret} />}
      {testNote && (
        <p className="inline-result" role="status">
          <Icon name="check" size={16} /> {testNote}
        </p>
      )}
      {error && <ErrorBox error={error} />}
      <div className="card-actions">
        <button type="button" className="button" onClick={sendTest} disabled={busy !== null || !endpoint.enabled}>
          <Icon name={busy === "test" ? "spinner" : "send"} size={18} /> Send test event
        </button>
        <button
          type="button"
          className="button"
          aria-expanded={showDeliveries}
          onClick={() => setShowDeliveries((v) => !v)}
        >
          <Icon name="history" size={18} /> {showDeliveries ? "Hide deliveries" : "Recent deliveries"}
        </button>
        <span className="card-actions-spacer" />
        <button
          type="button"
          className="button button-quiet"
          disabled={busy !== null}
          onClick={() => act("reveal", async () => setSecret(await platform.revealWebhookSecret(endpoint.id)))}
        >
          <Icon name="eye" size={18} /> Reveal secret
        </button>
        <button
          type="button"
          className="button button-quiet"
          disabled={busy !== null}
          onClick={() => act("toggle", async () => onChanged(await platform.setWebhookEnabled(endpoint.id, !endpoint.enabled)))}
        >
          <Icon name={endpoint.enabled ? "pause" : "check-circle"} size={18} /> {endpoint.enabled ? "Turn off" : "Turn on"}
        </button>
        <button type="button" className="button button-quiet button-danger-quiet" onClick={() => setConfirmRemove(true)}>
          <Icon name="x" size={18} /> Remove
        </button>
      </div>

      {showDeliveries && (
        <div className="deliveries" data-testid="webhook-deliveries">
          <div className="endpoint-head">
            <h3>Recent deliveries</h3>
            <button type="button" className="button button-small" onClick={() => void loadDeliveries()}>
              <Icon name="refresh" size={16} /> Refresh
            </button>
          </div>
          {deliveries === null ? (
            <p className="loading-line" role="status">
              <Icon name="spinner" size={16} /> Loading deliveries…
            </p>
          ) : deliveries.length === 0 ? (
            <p className="muted">Nothing sent yet. Press “Send test event” to try it.</p>
          ) : (
            <div className="table-wrap">
              <table className="data-table">
                <thead>
                  <tr>
                    <th scope="col">When</th>
                    <th scope="col">Event</th>
                    <th scope="col">Result</th>
                    <th scope="col">Answer</th>
                    <th scope="col">
                      <span className="visually-hidden">Actions</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {deliveries.map((d) => {
                    const words = deliveryWords(d);
                    const last = d.log[d.log.length - 1];
                    return (
                      <tr key={d.messageId} data-testid="webhook-delivery" data-status={d.status}>
                        <td className="nowrap">
                          <TimeAgo value={d.createdAt} />
                        </td>
                        <td>{eventLabel(d.eventType)}</td>
                        <td>
                          <span className={`health-badge tone-${words.tone}`}>{words.label}</span>
                          {d.nextAttemptAt && d.status === "pending" && d.attempts > 0 && (
                            <span className="muted">
                              {" "}
                              next try <TimeAgo value={d.nextAttemptAt} future />
                            </span>
                          )}
                        </td>
                        <td className="nowrap">
                          {last
                            ? `${last.statusCode != null ? `HTTP ${last.statusCode}` : (last.error ?? "No answer")} · ${last.latencyMs} ms`
                            : "—"}
                        </td>
                        <td>
                          {d.status !== "delivered" && d.attempts > 0 && (
                            <button
                              type="button"
                              className="button button-small"
                              disabled={busy !== null}
                              onClick={() => retry(d.messageId)}
                            >
                              <Icon name="refresh" size={16} /> Retry now
                            </button>
                          )}
                        </td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </div>
          )}
        </div>
      )}

      {confirmRemove && (
        <Dialog title="Remove this endpoint?" onClose={() => setConfirmRemove(false)}>
          <p className="dialog-text">
            Patchbay will stop sending alerts to <code>{endpoint.url}</code> and forget its signing secret. Messages
            not yet delivered are dropped.
          </p>
          {error && <ErrorBox error={error} />}
          <div className="button-row">
            <button
              type="button"
              className="button button-danger"
              onClick={() =>
                act("remove", async () => {
                  await platform.removeWebhook(endpoint.id);
                  setConfirmRemove(false);
                  onRemoved();
                })
              }
            >
              Remove
            </button>
            <button type="button" className="button" data-autofocus onClick={() => setConfirmRemove(false)}>
              Keep it
            </button>
          </div>
        </Dialog>
      )}
    </article>
  );
}

function SecretBox({ secret }: { secret: string }) {
  return (
    <div className="secret-box" data-testid="webhook-secret">
      <p>
        <strong>Signing secret — copy it now.</strong> Give it to the tool that receives the alerts so it can check
        each message really came from Patchbay. Keep it private, like a password.
      </p>
      <div className="secret-value">
        <code>{secret}</code>
        <CopyButton text={secret} label="Copy secret" />
      </div>
    </div>
  );
}

export function AddWebhookDialog({
  onClose,
  onAdded,
}: {
  onClose: () => void;
  onAdded: (endpoint: WebhookEndpoint) => void;
}) {
  const ids = useId();
  const [url, setUrl] = useState("");
  const [description, setDescription] = useState("");
  const [chosen, setChosen] = useState<Set<string>>(() => new Set(WEBHOOK_EVENTS.map((e) => e.type)));
  const [problem, setProblem] = useState<string | null>(null);
  const [error, setError] = useState<AppError | null>(null);
  const [saving, setSaving] = useState(false);
  const [secret, setSecret] = useState<string | null>(null);
  const all = chosen.size === WEBHOOK_EVENTS.length;

  const submit = (event: React.FormEvent) => {
    event.preventDefault();
    setProblem(null);
    if (!url.trim()) return setProblem("Type the web address that should receive the alerts.");
    if (chosen.size === 0) return setProblem("Choose at least one event to send.");
    setSaving(true);
    setError(null);
    platform
      .addWebhook({ url: url.trim(), description: description.trim() || null, eventTypes: chosenEvents(chosen) })
      .then(
        (created) => {
          setSaving(false);
          onAdded(created.endpoint);
          setSecret(created.signingSecret);
        },
        (e: unknown) => {
          setSaving(false);
          setError(toAppError(e));
        },
      );
  };

  if (secret) {
    return (
      <Dialog title="Endpoint added" onClose={onClose} wide>
        <SecretBox secret={secret} />
        <p className="notice notice-warn">
          <Icon name="alert" size={18} />
          <span>Patchbay shows this secret only now. You can see it again later with “Reveal secret”.</span>
        </p>
        <div className="button-row">
          <button type="button" className="button button-primary" data-autofocus onClick={onClose}>
            I've copied it
          </button>
        </div>
      </Dialog>
    );
  }

  const toggle = (type: string) =>
    setChosen((set) => {
      const next = new Set(set);
      if (next.has(type)) next.delete(type);
      else next.add(type);
      return next;
    });

  return (
    <Dialog title="Add an alert endpoint" onClose={onClose} wide>
      <form className="form" onSubmit={submit} noValidate>
        <div className="field">
          <label htmlFor={`${ids}-url`}>Web address that receives the alerts</label>
          <input
            id={`${ids}-url`}
            type="url"
            value={url}
            onChange={(e) => setUrl(e.target.value)}
            placeholder="https://hooks.example.com/patchbay"
            data-autofocus
            autoComplete="off"
            spellCheck={false}
            aria-describedby={`${ids}-url-help`}
          />
          <p id={`${ids}-url-help`} className="field-help">
            Must start with https:// (http:// only works for this computer, for example http://localhost:8080).
          </p>
        </div>
        <div className="field">
          <label htmlFor={`${ids}-description`}>
            Description <span className="optional">(optional)</span>
          </label>
          <input id={`${ids}-description`} value={description} onChange={(e) => setDescription(e.target.value)} maxLength={500} />
        </div>
        <fieldset>
          <legend>Which events to send</legend>
          <label className="checkbox">
            <input
              type="checkbox"
              checked={all}
              onChange={() => setChosen(all ? new Set() : new Set(WEBHOOK_EVENTS.map((e) => e.type)))}
            />
            <strong>All events</strong>
          </label>
          <div className="events-grid">
            {WEBHOOK_EVENTS.map((e) => (
              <label key={e.type} className="checkbox">
                <input type="checkbox" checked={chosen.has(e.type)} onChange={() => toggle(e.type)} />
                <span>
                  {e.label} <code className="muted">{e.type}</code>
                </span>
              </label>
            ))}
          </div>
        </fieldset>
        {problem && (
          <p className="field-problem" role="alert">
            <Icon name="alert" size={16} /> {problem}
          </p>
        )}
        {error && <ErrorBox error={error} title="The endpoint wasn't added" />}
        <div className="button-row">
          <button type="submit" className="button button-primary" disabled={saving}>
            {saving ? "Adding…" : "Add endpoint"}
          </button>
          <button type="button" className="button" onClick={onClose}>
            Cancel
          </button>
        </div>
      </form>
    </Dialog>
  );
}
