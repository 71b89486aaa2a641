import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";

import type { WebhookDelivery } from "../../bindings/WebhookDelivery";
import type { WebhookEndpoint } from "../../bindings/WebhookEndpoint";
import * as platform from "../../platform";
import { ConnectionsProvider } from "../../state/connections";
import { installFakePlatform } from "../../test/fakePlatform";
import { chosenEvents, WEBHOOK_EVENTS } from "./AlertsSection";
import { SettingsScreen } from "./SettingsScreen";

vi.mock("../../platform");

const endpoint: WebhookEndpoint = {
  id: "wh_1",
  url: "https://hooks.example.com/patchbay",
  description: "Office chat",
  eventTypes: null,
  enabled: true,
  disabledReason: null,
  maskedSecret: "whsec_…k3Qa",
  createdAt: new Date().toISOString(),
};
const failed: WebhookDelivery = {
  messageId: "msg_1",
  endpointId: "wh_1",
  eventType: "connection.offline",
  connectionId: "c1",
  createdAt: new Date().toISOString(),
  status: "failed",
  attempts: 8,
  nextAttemptAt: null,
  lastAttemptAt: new Date().toISOString(),
  lastStatusCode: 500,
  lastError: null,
  payload: {},
  log: [{ at: new Date().toISOString(), statusCode: 500, latencyMs: 312, responseExcerpt: "oops", error: null }],
};

function renderSettings() {
  return render(
    <ConnectionsProvider>
      <SettingsScreen />
    </ConnectionsProvider>,
  );
}

describe("settings", () => {
  let fake: ReturnType<typeof installFakePlatform>;
  beforeEach(() => {
    vi.clearAllMocks();
    fake = installFakePlatform(platform, []);
    fake.mocked.listWebhooks.mockResolvedValue([endpoint]);
    fake.mocked.webhookDeliveries.mockResolvedValue([failed]);
  });

  it("saves the check interval in minutes, the allowance and notifications", async () => {
    fake.mocked.updateSettings.mockImplementation(async (s: unknown) => s);
    const user = userEvent.setup();
    renderSettings();
    const minutes = await screen.findByLabelText("Check each connection every");
    expect(minutes).toHaveValue("5");
    await user.clear(minutes);
    await user.type(minutes, "10");
    await user.click(screen.getByLabelText(/Show desktop notifications/));
    await user.click(screen.getByRole("button", { name: "Save settings" }));
    expect(fake.mocked.updateSettings).toHaveBeenCalledWith({
      checkIntervalSecs: 600,
      creditsAllowance: 10,
      notificationsEnabled: false,
      notifyNeedsReconnect: true,
      notifyOffline: true,
      notifyExpiring: true,
      notifyBackOnline: true,
    });
    expect(await screen.findByText("Saved")).toBeInTheDocument();
  });

  it("turns each kind of notification on or off under the master switch", async () => {
    fake.mocked.updateSettings.mockImplementation(async (s: unknown) => s);
    const user = userEvent.setup();
    renderSettings();
    const kinds = await screen.findByTestId("notify-kinds");
    for (const label of ["Needs you", "Can't reach the system", "Token expiring soon", "Back online"]) {
      expect(screen.getByRole("checkbox", { name: new RegExp(`^${label}`) })).toBeChecked();
    }
    expect(screen.getByText(/banner on the Connections screen and the tray icon\s+always show every problem/)).toBeInTheDocument();
    await user.click(screen.getByRole("checkbox", { name: /^Token expiring soon/ }));
    await user.click(screen.getByRole("checkbox", { name: /^Back online/ }));
    await user.click(screen.getByRole("button", { name: "Save settings" }));
    expect(fake.mocked.updateSettings).toHaveBeenCalledWith(
      expect.objectContaining({
        notificationsEnabled: true,
        notifyNeedsReconnect: true,
        notifyOffline: true,
        notifyExpiring: false,
        notifyBackOnline: false,
      }),
    );

    // With the master switch off, the kinds can't be changed.
    await user.click(screen.getByLabelText(/Show desktop notifications/));
    expect(kinds).toBeDisabled();
  });

  it("keeps an interval set in seconds when the minutes were not touched", async () => {
    fake.mocked.getSettings.mockResolvedValue({ checkIntervalSecs: 10, creditsAllowance: 10, notificationsEnabled: true });
    fake.mocked.updateSettings.mockImplementation(async (s: unknown) => s);
    const user = userEvent.setup();
    renderSettings();
    expect(await screen.findByLabelText("Check each connection every")).toHaveValue("1");
    await user.click(screen.getByRole("button", { name: "Save settings" }));
    expect(fake.mocked.updateSettings).toHaveBeenCalledWith(expect.objectContaining({ checkIntervalSecs: 10 }));
  });

  it("explains a bad interval in plain words", async () => {
    const user = userEvent.setup();
    renderSettings();
    const minutes = await screen.findByLabelText("Check each connection every");
    await user.clear(minutes);
    await user.type(minutes, "0");
    await user.click(screen.getByRole("button", { name: "Save settings" }));
    expect(screen.getByText(/whole number of minutes from 1 to 1440/)).toBeInTheDocument();
    expect(fake.mocked.updateSettings).not.toHaveBeenCalled();
  });
});

describe("alerts (webhooks)", () => {
  let fake: ReturnType<typeof installFakePlatform>;
  beforeEach(() => {
    vi.clearAllMocks();
    fake = installFakePlatform(platform, []);
    fake.mocked.listWebhooks.mockResolvedValue([endpoint]);
    fake.mocked.webhookDeliveries.mockResolvedValue([failed]);
  });

  it("sends all events when every box is ticked, else the chosen list", () => {
    const all = new Set(WEBHOOK_EVENTS.map((e) => e.type));
    expect(chosenEvents(all)).toBeNull();
    expect(chosenEvents(new Set(["connection.offline"]))).toEqual(["connection.offline"]);
  });

  it("adds an endpoint and shows its signing secret once, with a copy button", async () => {
    fake.mocked.addWebhook.mockResolvedValue({
      endpoint: { ...endpoint, id: "wh_2", url: "https://example.org/hook" },
      signingSecret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
    });
    const user = userEvent.setup();
    renderSettings();
    await user.click(await screen.findByRole("button", { name: /Add an endpoint/ }));
    const dialog = screen.getByRole("dialog");
    await user.type(within(dialog).getByLabelText("Web address that receives the alerts"), "https://example.org/hook");
    await user.click(within(dialog).getByLabelText(/A system is slow/));
    await user.click(within(dialog).getByRole("button", { name: "Add endpoint" }));
    expect(fake.mocked.addWebhook).toHaveBeenCalledWith({
      url: "https://example.org/hook",
      description: null,
      eventTypes: WEBHOOK_EVENTS.map((e) => e.type).filter((t) => t !== "connection.degraded"),
    });
    const secret = await screen.findByTestId("webhook-secret");
    expect(secret).toHaveTextContent("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
    expect(within(secret).getByRole("button", { name: /Copy secret/ })).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "I've copied it" }));
    expect(screen.queryByTestId("webhook-secret")).toBeNull();
    expect(screen.getAllByTestId("webhook-endpoint")).toHaveLength(2);
  });

  it("shows the engine's warning for a plain http address", async () => {
    fake.mocked.addWebhook.mockRejectedValue({
      code: "webhook_url_invalid",
      message: "Alerts can only go to https:// addresses.",
      hint: "http:// works only for this computer.",
      detail: null,
    });
    const user = userEvent.setup();
    renderSettings();
    await user.click(await screen.findByRole("button", { name: /Add an endpoint/ }));
    await user.type(screen.getByLabelText("Web address that receives the alerts"), "http://example.org/hook");
    await user.click(screen.getByRole("button", { name: "Add endpoint" }));
    const box = await screen.findByTestId("error-box");
    expect(box).toHaveAttribute("data-code", "webhook_url_invalid");
    expect(box).toHaveTextContent("http:// works only for this computer.");
  });

  it("sends a test event, lists deliveries and retries a failed one", async () => {
    const pending: WebhookDelivery = { ...failed, messageId: "msg_2", eventType: "webhook.test", status: "pending", attempts: 0, log: [] };
    fake.mocked.testWebhook.mockResolvedValue(pending);
    fake.mocked.retryDelivery.mockResolvedValue({ ...failed, status: "pending" });
    const user = userEvent.setup();
    renderSettings();
    const card = await screen.findByTestId("webhook-endpoint");
    await user.click(within(card).getByRole("button", { name: /Send test event/ }));
    expect(fake.mocked.testWebhook).toHaveBeenCalledWith("wh_1");
    const list = await within(card).findByTestId("webhook-deliveries");
    await waitFor(() => expect(within(list).getAllByTestId("webhook-delivery").length).toBeGreaterThan(0));
    const failedRow = within(list)
      .getAllByTestId("webhook-delivery")
      .find((row) => row.getAttribute("data-status") === "failed");
    expect(failedRow).toHaveTextContent("HTTP 500 · 312 ms");
    await user.click(within(failedRow!).getByRole("button", { name: /Retry now/ }));
    expect(fake.mocked.retryDelivery).toHaveBeenCalledWith("msg_1");
  });

  it("removes an endpoint only after confirmation", async () => {
    fake.mocked.removeWebhook.mockResolvedValue(null);
    const user = userEvent.setup();
    renderSettings();
    const card = await screen.findByTestId("webhook-endpoint");
    await user.click(within(card).getByRole("button", { name: "Remove" }));
    expect(fake.mocked.removeWebhook).not.toHaveBeenCalled();
    await user.click(within(screen.getByRole("dialog")).getByRole("button", { name: "Remove" }));
    expect(fake.mocked.removeWebhook).toHaveBeenCalledWith("wh_1");
    await waitFor(() => expect(screen.queryByTestId("webhook-endpoint")).toBeNull());
  });
});
