import { useEffect, useId, useState } from "react";

import type { AppError } from "../../bindings/AppError";
import type { Settings } from "../../bindings/Settings";
import { ErrorBox } from "../../components/ErrorBox";
import { Icon } from "../../components/Icon";
import { toAppError } from "../../lib/errors";
import * as platform from "../../platform";
import { useConnections } from "../../state/connections";
import { AlertsSection } from "./AlertsSection";

/** The per-kind notification switches, in the order Settings shows them. */
export const NOTIFY_KINDS = [
  { key: "notifyNeedsReconnect", label: "Needs you", help: "The token stopped working and someone has to reconnect." },
  { key: "notifyOffline", label: "Can't reach the system", help: "The system or the internet isn't answering." },
  { key: "notifyExpiring", label: "Token expiring soon", help: "14, 7 and 1 day before a token stops working." },
  { key: "notifyBackOnline", label: "Back online", help: "A connection is working again." },
] as const satisfies readonly { key: keyof Settings; label: string; help: string }[];

export type NotifyKey = (typeof NOTIFY_KINDS)[number]["key"];

export interface SettingsDraft {
  minutes: string;
  allowance: string;
  notifications: boolean;
  kinds: Record<NotifyKey, boolean>;
}

export function toDraft(settings: Settings): SettingsDraft {
  return {
    minutes: String(Math.max(1, Math.round(settings.checkIntervalSecs / 60))),
    allowance: String(settings.creditsAllowance),
    notifications: settings.notificationsEnabled,
    kinds: {
      notifyNeedsReconnect: settings.notifyNeedsReconnect,
      notifyOffline: settings.notifyOffline,
      notifyExpiring: settings.notifyExpiring,
      notifyBackOnline: settings.notifyBackOnline,
    },
  };
}

export function draftProblems(draft: SettingsDraft, creditsUsed: number): Partial<Record<"minutes" | "allowance", string>> {
  const problems: Partial<Record<"minutes" | "allowance", string>> = {};
  const minutes = Number(draft.minutes);
  if (!/^\d+$/.test(draft.minutes.trim()) || minutes < 1 || minutes > 1440)
    problems.minutes = "Choose a whole number of minutes from 1 to 1440 (a day).";
  const allowance = Number(draft.allowance);
  if (!/^\d+$/.test(draft.allowance.trim()) || allowance < 0) problems.allowance = "Type a whole number of credits.";
  else if (allowance < creditsUsed)
    problems.allowance = `Your connections use ${creditsUsed} credits now. Disconnect some first, or keep at least ${creditsUsed}.`;
  return problems;
}

export function SettingsScreen() {
  const ids = useId();
  const { credits, refreshCredits } = useConnections();
  const [settings, setSettings] = useState<Settings | null>(null);
  const [draft, setDraft] = useState<SettingsDraft | null>(null);
  const [error, setError] = useState<AppError | null>(null);
  const [saveError, setSaveError] = useState<AppError | null>(null);
  const [saving, setSaving] = useState(false);
  const [saved, setSaved] = useState(false);
  const [submitted, setSubmitted] = useState(false);

  useEffect(() => {
    let cancelled = false;
    platform.getSettings().then(
      (s) => {
        if (cancelled) return;
        setSettings(s);
        setDraft(toDraft(s));
      },
      (e: unknown) => !cancelled && setError(toAppError(e)),
    );
    return () => {
      cancelled = true;
    };
  }, []);

  const problems = draft ? draftProblems(draft, credits?.used ?? 0) : {};

  const save = (event: React.FormEvent) => {
    event.preventDefault();
    setSubmitted(true);
    if (!settings || !draft || Object.keys(problems).length > 0) return;
    setSaving(true);
    setSaved(false);
    setSaveError(null);
    platform
      .updateSettings({
        ...settings,
        // Untouched minutes keep the exact seconds (an interval set in seconds elsewhere stays).
        checkIntervalSecs:
          draft.minutes === toDraft(settings).minutes ? settings.checkIntervalSecs : Number(draft.minutes) * 60,
        creditsAllowance: Number(draft.allowance),
        notificationsEnabled: draft.notifications,
        ...draft.kinds,
      })
      .then(
        (s) => {
          setSettings(s);
          setDraft(toDraft(s));
          setSaving(false);
          setSaved(true);
          refreshCredits();
        },
        (e: unknown) => {
          setSaving(false);
          setSaveError(toAppError(e));
        },
      );
  };

  const change = (next: Partial<SettingsDraft>) => {
    if (draft) setDraft({ ...draft, ...next });
    setSaved(false);
  };

  return (
    <section className="screen screen-narrow" data-testid="screen-settings" aria-labelledby="settings-title">
      <header className="screen-header">
        <div>
          <h1 id="settings-title">Settings</h1>
          <p className="screen-lede">How often Patchbay checks, your credits, and how it tells you about problems.</p>
        </div>
      </header>
      {error && <ErrorBox error={error} title="Settings couldn't be loaded" />}
      {!draft && !error && (
        <p className="loading-line" role="status">
          <Icon name="spinner" size={18} /> Loading settings…
        </p>
      )}
      {draft && (
        <form className="form card" onSubmit={save} noValidate>
          <h2 className="section-title">Checks</h2>
          <div className="field field-narrow">
            <label htmlFor={`${ids}-minutes`}>Check each connection every</label>
            <div className="input-suffix">
              <input
                id={`${ids}-minutes`}
                inputMode="numeric"
                value={draft.minutes}
                onChange={(e) => change({ minutes: e.target.value })}
                aria-invalid={submitted && problems.minutes ? true : undefined}
                aria-describedby={`${ids}-minutes-help`}
              />
              <span>{draft.minutes.trim() === "1" ? "minute" : "minutes"}</span>
            </div>
            <p id={`${ids}-minutes-help`} className="field-help">
              Each check uses one request of your company's shared allowance with the system (Fergus allows 100 a
              minute). Every 5 minutes is a good balance.
            </p>
            {submitted && problems.minutes && <p className="field-problem">{problems.minutes}</p>}
          </div>

          <h2 className="section-title">Credits</h2>
          <div className="field field-narrow">
            <label htmlFor={`${ids}-allowance`}>Credits in your plan</label>
            <input
              id={`${ids}-allowance`}
              inputMode="numeric"
              value={draft.allowance}
              onChange={(e) => change({ allowance: e.target.value })}
              aria-invalid={submitted && problems.allowance ? true : undefined}
              aria-describedby={`${ids}-allowance-help`}
            />
            <p id={`${ids}-allowance-help`} className="field-help">
              {credits ? `${credits.used} in use now. ` : ""}A cloud system uses 1 credit, an on-premises one 2.
            </p>
            {submitted && problems.allowance && <p className="field-problem">{problems.allowance}</p>}
          </div>

          <h2 className="section-title">Notifications</h2>
          <label className="checkbox">
            <input type="checkbox" checked={draft.notifications} onChange={(e) => change({ notifications: e.target.checked })} />
            Show desktop notifications
          </label>
          <fieldset className="notify-kinds" disabled={!draft.notifications} data-testid="notify-kinds">
            <legend>Tell me when a connection…</legend>
            {NOTIFY_KINDS.map((kind) => (
              <label key={kind.key} className="checkbox">
                <input
                  type="checkbox"
                  checked={draft.kinds[kind.key]}
                  onChange={(e) => change({ kinds: { ...draft.kinds, [kind.key]: e.target.checked } })}
                  aria-describedby={`${ids}-${kind.key}-help`}
                />
                <span>
                  {kind.label}
                  <span id={`${ids}-${kind.key}-help`} className="field-help checkbox-help">
                    {kind.help}
                  </span>
                </span>
              </label>
            ))}
          </fieldset>
          <p className="field-help">
            These switches only change desktop notifications. The banner on the Connections screen and the tray icon
            always show every problem.
          </p>

          {saveError && <ErrorBox error={saveError} title="Settings weren't saved" />}
          <div className="button-row">
            <button type="submit" className="button button-primary" disabled={saving}>
              {saving ? "Saving…" : "Save settings"}
            </button>
            {saved && (
              <span className="inline-result" role="status">
                <Icon name="check" size={16} /> Saved
              </span>
            )}
          </div>
        </form>
      )}
      <AlertsSection />
    </section>
  );
}
