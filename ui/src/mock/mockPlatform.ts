// DEV ONLY: a fake platform with sample data, swapped in by `vite --mode mock`
// (see vite.config.ts) so the UI can be looked at in a plain browser.
// Never imported by production code. Scenario by query string:
//   ?empty  — no connections;  ?wrong — connects fail with auth_rejected;
//   ?slow   — connect steps take 20 s;  ?dup — duplicate company.

import type * as Real from "../platform";
import type { AppError } from "../bindings/AppError";
import type { ConnectionView } from "../bindings/ConnectionView";
import type { EngineEvent } from "../bindings/EngineEvent";
import type { Record as EntityRecord } from "../bindings/Record";
import type { SystemDescriptor } from "../bindings/SystemDescriptor";

const params = new URLSearchParams(typeof location !== "undefined" ? location.search : "");
const listeners = new Set<(e: EngineEvent) => void>();
const reconnectListeners = new Set<(id: string) => void>();
const emit = (e: EngineEvent) => listeners.forEach((l) => l(e));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const iso = (msAgo: number) => new Date(Date.now() - msAgo).toISOString();

const fergus: SystemDescriptor = {
  id: "fergus",
  name: "Fergus",
  summary: "Job management for trades businesses: quotes, jobs, scheduling and invoices.",
  category: "Job management",
  hosting: "cloud",
  creditCost: 1,
  fields: [
    {
      key: "token",
      label: "Fergus access token",
      example: "fergPAT_…",
      help: "Paste the personal access token you generated in Fergus. It starts with fergPAT_.",
      secret: true,
      required: true,
      pattern: "^fergPAT_[A-Za-z0-9-]{8,}$",
      patternMessage: "This doesn't look like a Fergus access token. It starts with fergPAT_ — check you copied all of it.",
      defaultValue: null,
      advanced: false,
    },
    {
      key: "apiUrl",
      label: "Fergus address",
      example: "https://api.fergus.com",
      help: "Leave this as it is unless support asked you to change it.",
      secret: false,
      required: true,
      pattern: "^https?://[^\\s/?#]+[^\\s]*$",
      patternMessage: "This should be a web address starting with https://, like https://api.fergus.com.",
      defaultValue: "https://api.fergus.com",
      advanced: true,
    },
  ],
  guidance: {
    steps: [
      "Sign in to Fergus as an Admin or Full User (other roles can't create a token).",
      "Open Settings → Integrations → Fergus API.",
      'Press Generate PAT and give it a name, for example "Patchbay".',
      "Copy the token at once — Fergus shows it only once — and paste it here.",
    ],
    notes: [
      "Each Fergus user has one token. Generating a new one replaces the old one, and anything using the old one stops working.",
      "A token expires 365 days after it was made. You can renew it on the same page.",
    ],
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
      sortableFields: ["jobNo", "createdAt", "lastModified", "status"],
      columns: [
        { path: "jobNo", label: "Job number" },
        { path: "description", label: "Description" },
        { path: "status", label: "Status" },
        { path: "customer.customerFullName", label: "Customer" },
        { path: "lastModified", label: "Last changed" },
      ],
    },
    {
      key: "customers",
      label: "Customers",
      singular: "Customer",
      searchable: true,
      creatable: true,
      requiredForConnect: true,
      sortableFields: ["customerFullName", "createdAt"],
      columns: [
        { path: "customerFullName", label: "Name" },
        { path: "mainContact.firstName", label: "Contact" },
        { path: "physicalAddress.addressCity", label: "City" },
        { path: "createdAt", label: "Added" },
      ],
    },
    {
      key: "sites",
      label: "Sites",
      singular: "Site",
      searchable: false,
      creatable: false,
      requiredForConnect: true,
      sortableFields: ["name"],
      columns: [
        { path: "name", label: "Name" },
        { path: "physicalAddress.addressCity", label: "City" },
      ],
    },
  ],
  tokenLifetimeDays: 365,
  available: true,
};
const soon = (id: string, name: string, category: string, hosting: "cloud" | "on_premises"): SystemDescriptor => ({
  ...fergus,
  id,
  name,
  category,
  hosting,
  creditCost: hosting === "cloud" ? 1 : 2,
  summary: `${name} — coming soon to Patchbay.`,
  available: false,
});
const systems = [
  fergus,
  soon("simpro", "simPRO", "Job management", "on_premises"),
  soon("servicem8", "ServiceM8", "Field service", "cloud"),
  soon("xero", "Xero", "Accounting", "cloud"),
];

function conn(partial: Partial<ConnectionView> & { id: string; name: string }): ConnectionView {
  return {
    system: "fergus",
    systemName: "Fergus",
    accountId: "c-" + partial.id,
    accountName: "Smith Plumbing Ltd",
    apiUrl: "https://api.fergus.com",
    lifecycle: "connected",
    health: "healthy",
    reason: "Checked 2 minutes ago.",
    since: iso(3 * 86_400_000),
    lastSuccess: iso(120_000),
    lastFailure: null,
    lastLatencyMs: 180,
    nextCheck: new Date(Date.now() + 180_000).toISOString(),
    maskedSecret: "fergPAT_…3f9a",
    tokenCreated: "2026-03-01",
    tokenExpiresAt: "2027-03-01T00:00:00Z",
    createdAt: iso(40 * 86_400_000),
    creditCost: 1,
    readableEntities: ["jobs", "customers", "sites"],
    settingsPageUrl: "https://app.fergus.com/settings/integrations/fergus-api",
    ...partial,
  };
}

let connections: ConnectionView[] = params.has("empty")
  ? []
  : [
      conn({ id: "c1", name: "Fergus – Smith Plumbing" }),
      conn({
        id: "c2",
        name: "Fergus – Harbour Electrical",
        accountName: "Harbour Electrical Ltd",
        health: "needs_reconnect",
        reason: "Fergus stopped accepting the access token on 4 Dec at 10:42. Reconnect to fix it.",
        since: iso(2 * 3_600_000),
        lastSuccess: iso(2 * 3_600_000 + 60_000),
        maskedSecret: "fergPAT_…91bc",
      }),
      conn({
        id: "c3",
        name: "Fergus – Kiwi Gasfitting",
        accountName: "Kiwi Gasfitting",
        health: "expiring",
        reason: "The Fergus token expires in 6 days. Renew it now, it takes a minute.",
        since: iso(86_400_000),
        tokenExpiresAt: new Date(Date.now() + 6.5 * 86_400_000).toISOString(),
      }),
    ];

const STATUSES = ["To Price", "Quote Sent", "To Schedule", "In Progress", "To Invoice", "Completed"];
const NAMES = ["Aroha Ngata", "Harbour View Cafe", "Jo Smith", "Tane Mahuta Builders", "Mere Parata", "Cook St Dental"];
const CITIES = ["Wellington", "Auckland", "Christchurch", "Dunedin", "Nelson"];
function job(i: number): EntityRecord {
  return {
    id: String(i + 1),
    title: `Job-${i + 1} · ${["Replace hot water cylinder", "Fix leaking tap", "New switchboard", "Blocked drain"][i % 4]}`,
    fields: {
      id: i + 1,
      jobNo: `Job-${i + 1}`,
      description: ["Replace hot water cylinder", "Fix leaking tap", "New switchboard", "Blocked drain"][i % 4],
      longDescription: i % 3 === 0 ? null : "Customer called about it on Monday.",
      jobType: "Quote",
      status: STATUSES[i % STATUSES.length],
      customer: { id: 100 + (i % 6), customerFullName: NAMES[i % NAMES.length] },
      siteAddress: { id: 500 + (i % 9), name: `${i % 90} Cuba St`, addressCity: CITIES[i % CITIES.length] },
      mainContact: i % 4 === 0 ? null : { firstName: "Kiri", lastName: "" },
      onHold: i % 17 === 0,
      archived: false,
      createdAt: iso((i % 400) * 86_400_000),
      lastModified: iso((i % 50) * 3_600_000),
      links: [{ href: `/jobs/${i + 1}`, rel: "self", type: "GET" }],
    },
  };
}
function customer(i: number): EntityRecord {
  return {
    id: String(100 + i),
    title: NAMES[i % NAMES.length] ?? "Customer",
    fields: {
      id: 100 + i,
      customerFullName: `${NAMES[i % NAMES.length]} ${i}`,
      mainContact: { firstName: "Kiri", lastName: i % 2 ? "Smith" : "", contactItems: [] },
      physicalAddress: { address1: `${i} Queen St`, addressCity: CITIES[i % CITIES.length], addressPostcode: "" },
      createdAt: iso(i * 86_400_000),
    },
  };
}

const rejected = (e: Partial<AppError> & Pick<AppError, "code" | "message">): AppError =>
  ({ hint: null, detail: null, problems: [], ...e }) as AppError;

async function runSteps(attemptId: string | null, slow: boolean) {
  const id = attemptId ?? "x";
  const steps: [EngineEvent & { type: "connectProgress" }][] = [];
  void steps;
  const seq: { step: "reach" | "signIn" | "checkAccess" | "save"; label: string; entity: string | null }[] = [
    { step: "reach", label: "Reaching Fergus…", entity: null },
    { step: "signIn", label: "Signing in…", entity: null },
    { step: "checkAccess", label: "Checking access to jobs…", entity: "jobs" },
    { step: "checkAccess", label: "Checking access to customers…", entity: "customers" },
    { step: "checkAccess", label: "Checking access to sites…", entity: "sites" },
    { step: "save", label: "Saving the connection…", entity: null },
  ];
  for (const [i, s] of seq.entries()) {
    emit({ type: "connectProgress", attemptId: id, step: s.step, status: "running", label: s.label, entity: s.entity, error: null });
    await sleep(slow && i === 1 ? 20_000 : 450);
    if (params.has("wrong") && s.step === "signIn") {
      const error = rejected({
        code: "auth_rejected",
        message: "Fergus didn't accept this token.",
        hint: "Check you copied all of it (it starts with fergPAT_). If it was made a while ago, it may have been replaced — generate a new one.",
        detail: "GET https://api.fergus.com/company → HTTP 401",
      });
      emit({ type: "connectProgress", attemptId: id, step: s.step, status: "failed", label: s.label, entity: s.entity, error });
      throw error;
    }
    emit({ type: "connectProgress", attemptId: id, step: s.step, status: "passed", label: s.label, entity: s.entity, error: null });
  }
}

export const listSystems: typeof Real.listSystems = async () => systems;
export const listConnections: typeof Real.listConnections = async () => connections;
export const getConnection: typeof Real.getConnection = async (id) => {
  const c = connections.find((x) => x.id === id);
  if (!c) throw rejected({ code: "not_found", message: "That connection isn't there." });
  return c;
};
export const connect: typeof Real.connect = async (request) => {
  if (params.has("dup") && !request.allowDuplicate) {
    await runSteps(request.attemptId, false).catch(() => undefined);
    throw rejected({
      code: "duplicate_connection",
      message: "Smith Plumbing Ltd is already connected as “Fergus – Smith Plumbing”.",
      hint: "Use the existing connection, or connect again anyway if you need a second one.",
    });
  }
  await runSteps(request.attemptId, params.has("slow"));
  const c = conn({ id: `c${Date.now()}`, name: request.name, health: "unknown", reason: "Not checked yet. First check in a moment." });
  connections = [...connections, c];
  emit({ type: "connectionChanged", connection: c });
  return c;
};
export const reconnect: typeof Real.reconnect = async (request) => {
  await runSteps(request.attemptId, false);
  const c = connections.find((x) => x.id === request.connectionId);
  if (!c) throw rejected({ code: "not_found", message: "That connection isn't there." });
  const updated = { ...c, health: "healthy" as const, reason: "Reconnected just now.", since: iso(0), maskedSecret: "fergPAT_…77aa" };
  connections = connections.map((x) => (x.id === c.id ? updated : x));
  emit({ type: "connectionChanged", connection: updated });
  return updated;
};
export const disconnect: typeof Real.disconnect = async (id) => {
  const c = await getConnection(id);
  const updated = { ...c, lifecycle: "disconnected" as const, reason: "Disconnected by you.", nextCheck: null };
  connections = connections.map((x) => (x.id === id ? updated : x));
  return updated;
};
export const renameConnection: typeof Real.renameConnection = async (id, name) => {
  const c = await getConnection(id);
  const updated = { ...c, name };
  connections = connections.map((x) => (x.id === id ? updated : x));
  return updated;
};
export const checkNow: typeof Real.checkNow = async (id) => {
  await sleep(900);
  const c = await getConnection(id);
  return { ...c, lastSuccess: c.health === "healthy" ? iso(0) : c.lastSuccess };
};
export const checkAll: typeof Real.checkAll = async () => {
  await sleep(900);
  return connections;
};
export const connectionHistory: typeof Real.connectionHistory = async (id) =>
  Array.from({ length: 12 }, (_, i) => ({
    connectionId: id,
    at: iso(i * 300_000),
    outcome: id === "c2" && i < 3 ? "auth_rejected" : "success",
    latencyMs: 150 + ((i * 37) % 200),
    detail: null,
    health: id === "c2" && i < 3 ? ("needs_reconnect" as const) : ("healthy" as const),
  }));
export const listEvents: typeof Real.listEvents = async (filter) =>
  Array.from({ length: 30 }, (_, i) => ({
    id: 1000 - i,
    at: iso(i * 1_800_000),
    actor: ["monitor", "you", "system"][i % 3] ?? "system",
    connectionId: filter.connectionId ?? ["c1", "c2", "c3"][i % 3] ?? null,
    kind: ["health.checked", "connection.renamed", "health.needs_reconnect"][i % 3] ?? "x",
    summary: [
      "Checked: working (180 ms).",
      "Renamed to “Fergus – Smith Plumbing”.",
      "Fergus stopped accepting the access token.",
    ][i % 3] ?? "",
    data: {},
  }));
export const exportEventsCsv: typeof Real.exportEventsCsv = async () => "/home/office/Downloads/patchbay-activity-2026-12-04.csv";
export const entityCounts: typeof Real.entityCounts = async () => [
  { entity: "jobs", label: "Jobs", count: 100_000 },
  { entity: "customers", label: "Customers", count: 2_412 },
  { entity: "sites", label: "Sites", count: null },
];
export const browse: typeof Real.browse = async (_id, entity, query) => {
  await sleep(250);
  const offset = Number(query.cursor ?? "0");
  const size = query.pageSize ?? 200;
  const total = entity === "jobs" ? 100_000 : 2_412;
  const make = entity === "jobs" ? job : customer;
  const records = Array.from({ length: Math.max(0, Math.min(size, total - offset)) }, (_, i) => make(offset + i));
  return {
    records,
    nextCursor: offset + size < total ? String(offset + size) : null,
    total: BigInt(total) as never,
  };
};
export const getRecord: typeof Real.getRecord = async (_id, entity, recordId) => {
  await sleep(200);
  return entity === "jobs" ? job(Number(recordId) - 1) : customer(Number(recordId) - 100);
};
export const createRecord: typeof Real.createRecord = async (_id, _entity, data) => {
  await sleep(500);
  if (String(data.customerFullName ?? "").toLowerCase().includes("exists"))
    return { outcome: "alreadyExists", record: customer(3) };
  return { outcome: "created", record: customer(99) };
};
export const getCredits: typeof Real.getCredits = async () => {
  const used = connections.filter((c) => c.lifecycle === "connected").length;
  return { used, allowance: 10, available: 10 - used };
};
let settings = {
  checkIntervalSecs: 300,
  creditsAllowance: 10,
  notificationsEnabled: true,
  notifyNeedsReconnect: true,
  notifyOffline: true,
  notifyExpiring: true,
  notifyBackOnline: true,
};
export const getSettings: typeof Real.getSettings = async () => settings;
export const updateSettings: typeof Real.updateSettings = async (s) => {
  settings = s;
  return s;
};
export const openSettingsPage: typeof Real.openSettingsPage = async () => null;
export const uiReady: typeof Real.uiReady = async () => 0;
export const onEngineEvent: typeof Real.onEngineEvent = async (cb) => {
  listeners.add(cb);
  return () => listeners.delete(cb);
};
export const onOpenReconnect: typeof Real.onOpenReconnect = async (cb) => {
  reconnectListeners.add(cb);
  return () => reconnectListeners.delete(cb);
};

// Alerts
import type { WebhookDelivery } from "../bindings/WebhookDelivery";
import type { WebhookEndpoint } from "../bindings/WebhookEndpoint";
let endpoints: WebhookEndpoint[] = params.has("empty")
  ? []
  : [
      {
        id: "wh_1",
        url: "https://hooks.example.com/patchbay",
        description: "Office chat channel",
        eventTypes: null,
        enabled: true,
        disabledReason: null,
        maskedSecret: "whsec_…k3Qa",
        createdAt: iso(5 * 86_400_000),
      },
    ];
let deliveries: WebhookDelivery[] = [
  {
    messageId: "msg_2",
    endpointId: "wh_1",
    eventType: "connection.reauthorization_required",
    connectionId: "c2",
    createdAt: iso(2 * 3_600_000),
    status: "failed",
    attempts: 8,
    nextAttemptAt: null,
    lastAttemptAt: iso(3_600_000),
    lastStatusCode: 500,
    lastError: null,
    payload: {},
    log: [{ at: iso(3_600_000), statusCode: 500, latencyMs: 312, responseExcerpt: "oops", error: null }],
  },
  {
    messageId: "msg_1",
    endpointId: "wh_1",
    eventType: "webhook.test",
    connectionId: null,
    createdAt: iso(86_400_000),
    status: "delivered",
    attempts: 1,
    nextAttemptAt: null,
    lastAttemptAt: iso(86_400_000),
    lastStatusCode: 200,
    lastError: null,
    payload: {},
    log: [{ at: iso(86_400_000), statusCode: 200, latencyMs: 84, responseExcerpt: "ok", error: null }],
  },
];
export const addWebhook: typeof Real.addWebhook = async (input) => {
  if (input.url.startsWith("http://") && !/localhost|127\.0\.0\.1/.test(input.url))
    throw rejected({
      code: "webhook_url_invalid",
      message: "Alerts can only go to https:// addresses (http:// works only for this computer).",
      hint: "Ask for the https:// address of the receiving tool.",
    });
  const endpoint: WebhookEndpoint = {
    id: `wh_${Date.now()}`,
    url: input.url,
    description: input.description ?? "",
    eventTypes: input.eventTypes,
    enabled: true,
    disabledReason: null,
    maskedSecret: "whsec_…Zx9Q",
    createdAt: iso(0),
  };
  endpoints = [...endpoints, endpoint];
  return { endpoint, signingSecret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw" };
};
export const listWebhooks: typeof Real.listWebhooks = async () => endpoints;
export const removeWebhook: typeof Real.removeWebhook = async (id) => {
  endpoints = endpoints.filter((e) => e.id !== id);
  return null;
};
export const setWebhookEnabled: typeof Real.setWebhookEnabled = async (id, enabled) => {
  endpoints = endpoints.map((e) => (e.id === id ? { ...e, enabled, disabledReason: enabled ? null : "Turned off by you." } : e));
  return endpoints.find((e) => e.id === id) as WebhookEndpoint;
};
export const revealWebhookSecret: typeof Real.revealWebhookSecret = async () => "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
export const testWebhook: typeof Real.testWebhook = async (id) => {
  const d: WebhookDelivery = { ...deliveries[1]!, messageId: `msg_${Date.now()}`, endpointId: id, createdAt: iso(0), status: "pending", attempts: 0, log: [] };
  deliveries = [d, ...deliveries];
  setTimeout(() => {
    deliveries = deliveries.map((x) =>
      x.messageId === d.messageId
        ? { ...x, status: "delivered", attempts: 1, log: [{ at: iso(0), statusCode: 200, latencyMs: 91, responseExcerpt: "ok", error: null }] }
        : x,
    );
  }, 600);
  return d;
};
export const webhookDeliveries: typeof Real.webhookDeliveries = async (id) => deliveries.filter((d) => !id || d.endpointId === id);
export const retryDelivery: typeof Real.retryDelivery = async (messageId) => {
  deliveries = deliveries.map((d) => (d.messageId === messageId ? { ...d, status: "pending", nextAttemptAt: iso(0) } : d));
  return deliveries.find((d) => d.messageId === messageId) as WebhookDelivery;
};
