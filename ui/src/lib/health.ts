// Health in words, with an icon and a colour (never colour alone).

import type { ConnectionView } from "../bindings/ConnectionView";
import type { Health } from "../bindings/Health";
import type { Lifecycle } from "../bindings/Lifecycle";
import type { IconName } from "../components/Icon";

export type Tone = "good" | "warn" | "bad" | "urgent" | "neutral";

export interface HealthLook {
  label: string;
  icon: IconName;
  tone: Tone;
}

export function healthLook(health: Health, systemName = "Fergus"): HealthLook {
  switch (health) {
    case "healthy":
      return { label: "Working", icon: "check-circle", tone: "good" };
    case "degraded":
      return { label: "Slow", icon: "gauge", tone: "warn" };
    case "offline":
      return { label: `Can't reach ${systemName}`, icon: "cloud-off", tone: "bad" };
    case "needs_reconnect":
      return { label: "Needs you", icon: "key", tone: "urgent" };
    case "expiring":
      return { label: "Expires soon", icon: "calendar-clock", tone: "warn" };
    case "unknown":
      return { label: "Not checked yet", icon: "dots-circle", tone: "neutral" };
  }
}

export function lifecycleLabel(lifecycle: Lifecycle): string {
  switch (lifecycle) {
    case "pending":
      return "Connecting…";
    case "connected":
      return "Connected";
    case "disconnected":
      return "Disconnected";
    case "inactive":
      return "Paused (out of credits)";
  }
}

/** The look of a whole connection: lifecycle first, then health. */
export function connectionLook(connection: Pick<ConnectionView, "lifecycle" | "health" | "systemName">): HealthLook {
  if (connection.lifecycle === "disconnected") {
    return { label: "Disconnected", icon: "unlink", tone: "neutral" };
  }
  if (connection.lifecycle === "inactive") {
    return { label: "Paused (out of credits)", icon: "pause", tone: "neutral" };
  }
  if (connection.lifecycle === "pending") {
    return { label: "Connecting…", icon: "dots-circle", tone: "neutral" };
  }
  return healthLook(connection.health, connection.systemName);
}

/** States a person should act on (or know about) now. */
export function needsAttention(connection: Pick<ConnectionView, "lifecycle" | "health">): boolean {
  return (
    connection.lifecycle === "connected" &&
    (connection.health === "needs_reconnect" || connection.health === "offline" || connection.health === "expiring")
  );
}

/** Whether the Reconnect button is the main action for this card. */
export function reconnectIsPrimary(connection: Pick<ConnectionView, "lifecycle" | "health">): boolean {
  return (
    connection.lifecycle === "connected" &&
    (connection.health === "needs_reconnect" || connection.health === "expiring")
  );
}

const SEVERITY: Record<Health, number> = {
  needs_reconnect: 5,
  offline: 4,
  expiring: 3,
  degraded: 2,
  unknown: 1,
  healthy: 0,
};

export function severity(health: Health): number {
  return SEVERITY[health];
}

/** "1 connection needs you", "2 connections need attention". */
export function attentionHeadline(connections: Pick<ConnectionView, "lifecycle" | "health">[]): string | null {
  const attention = connections.filter(needsAttention);
  if (attention.length === 0) return null;
  const needYou = attention.filter((c) => c.health === "needs_reconnect" || c.health === "expiring").length;
  const n = attention.length;
  const noun = n === 1 ? "connection" : "connections";
  if (needYou === n) return `${n} ${noun} ${n === 1 ? "needs" : "need"} you`;
  return `${n} ${noun} ${n === 1 ? "needs" : "need"} attention`;
}

/**
 * The expiry line an expiring card shows: "Expires in 6 days — renew now".
 * Whole days left, counted like the engine does (6 days 20 hours is 6 days).
 */
export function expiryWords(tokenExpiresAt: string | null | undefined, now: Date = new Date()): string | null {
  if (!tokenExpiresAt) return null;
  const at = new Date(tokenExpiresAt).getTime();
  if (Number.isNaN(at)) return null;
  const remaining = at - now.getTime();
  if (remaining <= 0) return "The token has expired — renew now";
  const days = Math.floor(remaining / 86_400_000);
  if (days === 0) return "Expires within a day — renew now";
  if (days === 1) return "Expires in 1 day — renew now";
  return `Expires in ${days} days — renew now`;
}
