// The ONLY module that talks to Tauri. Every other module calls these typed
// functions; tests mock this module (vi.mock("../platform")).
//
// Commands are those of the desktop contract (DESKTOP.md); each rejects with
// an AppError (normalised here, so callers can rely on code/message/hint).

import { invoke } from "@tauri-apps/api/core";
import { listen, type UnlistenFn } from "@tauri-apps/api/event";

import type { AuditEvent } from "./bindings/AuditEvent";
import type { CreatedWebhook } from "./bindings/CreatedWebhook";
import type { ConnectRequest } from "./bindings/ConnectRequest";
import type { ConnectionView } from "./bindings/ConnectionView";
import type { CreateOutcome } from "./bindings/CreateOutcome";
import type { CreditSummary } from "./bindings/CreditSummary";
import type { EngineEvent } from "./bindings/EngineEvent";
import type { EntityCount } from "./bindings/EntityCount";
import type { EventFilter } from "./bindings/EventFilter";
import type { HealthCheckRecord } from "./bindings/HealthCheckRecord";
import type { ListQuery } from "./bindings/ListQuery";
import type { ReconnectRequest } from "./bindings/ReconnectRequest";
import type { Record as EntityRecord } from "./bindings/Record";
import type { RecordPage } from "./bindings/RecordPage";
import type { Settings } from "./bindings/Settings";
import type { SystemDescriptor } from "./bindings/SystemDescriptor";
import type { WebhookDelivery } from "./bindings/WebhookDelivery";
import type { WebhookEndpoint } from "./bindings/WebhookEndpoint";
import type { WebhookInput } from "./bindings/WebhookInput";
import { toAppError } from "./lib/errors";

async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (error) {
    throw toAppError(error);
  }
}

export type Unlisten = () => void;

export const listSystems = () => call<SystemDescriptor[]>("list_systems");
export const listConnections = () => call<ConnectionView[]>("list_connections");
export const getConnection = (connectionId: string) =>
  call<ConnectionView>("get_connection", { connectionId });
export const connect = (request: ConnectRequest) => call<ConnectionView>("connect", { request });
export const reconnect = (request: ReconnectRequest) => call<ConnectionView>("reconnect", { request });
export const disconnect = (connectionId: string) => call<ConnectionView>("disconnect", { connectionId });
export const renameConnection = (connectionId: string, name: string) =>
  call<ConnectionView>("rename_connection", { connectionId, name });
export const checkNow = (connectionId: string) => call<ConnectionView>("check_now", { connectionId });
export const checkAll = () => call<ConnectionView[]>("check_all");
export const connectionHistory = (connectionId: string, limit: number) =>
  call<HealthCheckRecord[]>("connection_history", { connectionId, limit });
export const listEvents = (filter: EventFilter) => call<AuditEvent[]>("list_events", { filter });
/** Writes a CSV and resolves with its absolute path. */
export const exportEventsCsv = (filter: EventFilter) => call<string>("export_events_csv", { filter });
export const entityCounts = (connectionId: string) => call<EntityCount[]>("entity_counts", { connectionId });
export const browse = (connectionId: string, entity: string, query: ListQuery) =>
  call<RecordPage>("browse", { connectionId, entity, query });
export const getRecord = (connectionId: string, entity: string, recordId: string) =>
  call<EntityRecord>("get_record", { connectionId, entity, recordId });
export const createRecord = (connectionId: string, entity: string, data: Record<string, unknown>) =>
  call<CreateOutcome>("create_record", { connectionId, entity, data });
export const getCredits = () => call<CreditSummary>("get_credits");
export const getSettings = () => call<Settings>("get_settings");
export const updateSettings = (settings: Settings) => call<Settings>("update_settings", { settings });
export const openSettingsPage = (args: { connectionId?: string; systemId: string; apiUrl?: string }) =>
  call<null>("open_settings_page", args);

// Alerts: webhook endpoints (Settings → Alerts).
/** Adds an endpoint; the signing secret comes back this once. */
export const addWebhook = (input: WebhookInput) => call<CreatedWebhook>("add_webhook", { input });
export const listWebhooks = () => call<WebhookEndpoint[]>("list_webhooks");
export const removeWebhook = (endpointId: string) => call<null>("remove_webhook", { endpointId });
export const setWebhookEnabled = (endpointId: string, enabled: boolean) =>
  call<WebhookEndpoint>("set_webhook_enabled", { endpointId, enabled });
export const revealWebhookSecret = (endpointId: string) => call<string>("reveal_webhook_secret", { endpointId });
/** Queues a `webhook.test` message; resolves with its (pending) delivery. */
export const testWebhook = (endpointId: string) => call<WebhookDelivery>("test_webhook", { endpointId });
/** Newest first; every endpoint when `endpointId` is null. */
export const webhookDeliveries = (endpointId: string | null, limit: number) =>
  call<WebhookDelivery[]>("webhook_deliveries", { endpointId, limit });
export const retryDelivery = (messageId: string) => call<WebhookDelivery>("retry_delivery", { messageId });

/** Tell the shell the first screen has its data (start-up benchmark marker). */
export const uiReady = () => call<number>("ui_ready");

/** Every engine event (connect progress, connection changes, transitions). */
export async function onEngineEvent(callback: (event: EngineEvent) => void): Promise<Unlisten> {
  const unlisten: UnlistenFn = await listen<EngineEvent>("engine-event", (event) => callback(event.payload));
  return unlisten;
}

/** A notification or the tray asked to fix a connection. */
export async function onOpenReconnect(callback: (connectionId: string) => void): Promise<Unlisten> {
  const unlisten: UnlistenFn = await listen<{ connectionId: string }>("open-reconnect", (event) =>
    callback(event.payload.connectionId),
  );
  return unlisten;
}
