import { describe, expect, it } from "vitest";

import { attentionHeadline, connectionLook, healthLook, needsAttention, reconnectIsPrimary } from "./health";

describe("health in words, icon and colour", () => {
  it("maps every health to the words of ui-words.md", () => {
    expect(healthLook("healthy")).toEqual({ label: "Working", icon: "check-circle", tone: "good" });
    expect(healthLook("degraded").label).toBe("Slow");
    expect(healthLook("offline", "Fergus").label).toBe("Can't reach Fergus");
    expect(healthLook("needs_reconnect")).toEqual({ label: "Needs you", icon: "key", tone: "urgent" });
    expect(healthLook("expiring").label).toBe("Expires soon");
    expect(healthLook("unknown").label).toBe("Not checked yet");
  });

  it("never relies on colour alone: every state has its own icon", () => {
    const states = ["healthy", "degraded", "offline", "needs_reconnect", "expiring", "unknown"] as const;
    const icons = new Set(states.map((s) => healthLook(s).icon));
    expect(icons.size).toBe(states.length);
  });

  it("shows the lifecycle before the health", () => {
    expect(connectionLook({ lifecycle: "disconnected", health: "healthy", systemName: "Fergus" }).label).toBe("Disconnected");
    expect(connectionLook({ lifecycle: "inactive", health: "healthy", systemName: "Fergus" }).label).toBe(
      "Paused (out of credits)",
    );
  });

  it("knows what needs attention and when Reconnect is the main action", () => {
    expect(needsAttention({ lifecycle: "connected", health: "offline" })).toBe(true);
    expect(needsAttention({ lifecycle: "connected", health: "degraded" })).toBe(false);
    expect(needsAttention({ lifecycle: "disconnected", health: "needs_reconnect" })).toBe(false);
    expect(reconnectIsPrimary({ lifecycle: "connected", health: "expiring" })).toBe(true);
    expect(reconnectIsPrimary({ lifecycle: "connected", health: "offline" })).toBe(false);
  });

  it("writes the banner headline", () => {
    expect(attentionHeadline([{ lifecycle: "connected", health: "healthy" }])).toBeNull();
    expect(attentionHeadline([{ lifecycle: "connected", health: "needs_reconnect" }])).toBe("1 connection needs you");
    expect(
      attentionHeadline([
        { lifecycle: "connected", health: "needs_reconnect" },
        { lifecycle: "connected", health: "offline" },
      ]),
    ).toBe("2 connections need attention");
  });
});
