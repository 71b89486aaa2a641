// Test helper: fills the auto-mocked platform module (vi.mock("…/platform"))
// with sample data and lets a test emit engine events.

import { vi, type Mock } from "vitest";

import type { ConnectionView } from "../bindings/ConnectionView";
import type { EngineEvent } from "../bindings/EngineEvent";
import type { SystemDescriptor } from "../bindings/SystemDescriptor";
import type * as Platform from "../platform";

type Mocked = { [K in keyof typeof Platform]: Mock };

export const fergus: SystemDescriptor = {
  id: "fergus",
  name: "Fergus",
  summary: "Job management for trades businesses.",
  category: "Job management",
  hosting: "cloud",
  creditCost: 1,
  fields: [
    {
      key: "token",
      label: "Fergus access token",
      example: "fergPAT_…",
      help: "Paste the personal access token you generated in Fergus.",
      secret: true,
      required: true,
      pattern: "^fergPAT_[A-Za-z0-9-]{8,}$",
      patternMessage: "This doesn't look like a Fergus access token.",
      defaultValue: null,
      advanced: false,
    },
    {
      key: "apiUrl",
      label: "Fergus address",
      example: "https://api.fergus.com",
      help: "Leave this as it is.",
      secret: false,
      required: true,
      pattern: "^https?://[^\\s/?#]+[^\\s]*$",
      patternMessage: "This should be a web address.",
      defaultValue: "https://api.fergus.com",
      advanced: true,
    },
  ],
  guidance: {
    steps: ["Sign in to Fergus as an Admin or Full User.", "Open Settings → Integrations → Fergus API."],
    notes: ["A token expires 365 days after it was made."],
    settingsPath: "/settings/integrations/fergus-api",
    settingsUrl: "https://app.fergus.com/settings/integrations/fergus-api",
  },
  entityTypes: [
    {
      key: "jobs",
      label: "Jobs",
      singular: "Job",
      searchable: true,
      creatable: true,
      requiredForConnect: true,
      sortableFields: ["jobNo"],
      columns: [
        { path: "jobNo", label: "Job number" },
        { path: "customer.customerFullName", label: "Customer" },
      ],
    },
    {
      key: "customers",
      label: "Customers",
      singular: "Customer",
      searchable: true,
      creatable: true,
      requiredForConnect: true,
      sortableFields: [],
      columns: [{ path: "customerFullName", label: "Name" }],
    },
  ],
  tokenLifetimeDays: 365,
  available: true,
};

export const simpro: SystemDescriptor = { ...fergus, id: "simpro", name: "simPRO", hosting: "on_premises", available: false };

export function connection(partial: Partial<ConnectionView> = {}): ConnectionView {
  return {
    id: "c1",
    name: "Fergus – Smith Plumbing",
    system: "fergus",
    systemName: "Fergus",
    accountId: "42",
    accountName: "Smith Plumbing Ltd",
    apiUrl: "https://api.fergus.com",
    lifecycle: "connected",
    health: "healthy",
    reason: "Checked 2 minutes ago.",
    since: new Date(Date.now() - 3_600_000).toISOString(),
    lastSuccess: new Date(Date.now() - 120_000).toISOString(),
    lastFailure: null,
    lastLatencyMs: 120,
    nextCheck: new Date(Date.now() + 180_000).toISOString(),
    maskedSecret: "fergPAT_…3f9a",
    tokenCreated: "2026-01-01",
    tokenExpiresAt: "2027-01-01T00:00:00Z",
    createdAt: "2026-01-01T00:00:00Z",
    creditCost: 1,
    readableEntities: ["jobs", "customers"],
    settingsPageUrl: "https://app.fergus.com/settings/integrations/fergus-api",
    ...partial,
  };
}

export function installFakePlatform(platform: typeof Platform, connections: ConnectionView[] = []) {
  const mocked = platform as unknown as Mocked;
  const listeners = new Set<(e: EngineEvent) => void>();
  const reconnectListeners = new Set<(id: string) => void>();
  mocked.listSystems.mockResolvedValue([fergus, simpro]);
  mocked.listConnections.mockResolvedValue(connections);
  mocked.getCredits.mockResolvedValue({ used: connections.length, allowance: 10, available: 10 - connections.length });
  mocked.getSettings.mockResolvedValue({
    checkIntervalSecs: 300,
    creditsAllowance: 10,
    notificationsEnabled: true,
    notifyNeedsReconnect: true,
    notifyOffline: true,
    notifyExpiring: true,
    notifyBackOnline: true,
  });
  mocked.connectionHistory.mockResolvedValue([]);
  mocked.listEvents.mockResolvedValue([]);
  mocked.entityCounts.mockResolvedValue([]);
  mocked.openSettingsPage.mockResolvedValue(null);
  mocked.onEngineEvent.mockImplementation(async (cb: (e: EngineEvent) => void) => {
    listeners.add(cb);
    return () => listeners.delete(cb);
  });
  mocked.onOpenReconnect.mockImplementation(async (cb: (id: string) => void) => {
    reconnectListeners.add(cb);
    return () => reconnectListeners.delete(cb);
  });
  return {
    mocked,
    emit: (event: EngineEvent) => listeners.forEach((l) => l(event)),
    openReconnect: (id: string) => reconnectListeners.forEach((l) => l(id)),
    listenerCount: () => listeners.size,
  };
}

export function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

export { vi };
