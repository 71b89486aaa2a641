import { act, render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";

import { App } from "../../App";
import * as platform from "../../platform";
import { connection, installFakePlatform } from "../../test/fakePlatform";

vi.mock("../../platform");

describe("status board", () => {
  beforeEach(() => {
    vi.clearAllMocks();
  });

  it("shows a friendly empty state with one button", async () => {
    installFakePlatform(platform, []);
    const user = userEvent.setup();
    render(<App />);
    const button = await screen.findByRole("button", { name: "Connect your first system" });
    await user.click(button);
    expect(await screen.findByTestId("screen-wizard")).toBeInTheDocument();
  });

  it("shows each connection's health in words, its reason, and the credits", async () => {
    installFakePlatform(platform, [connection()]);
    render(<App />);
    const card = await screen.findByTestId("connection-card");
    expect(card).toHaveAttribute("data-connection-id", "c1");
    expect(card).toHaveAttribute("data-health", "healthy");
    expect(card).toHaveTextContent("Working");
    expect(card).toHaveTextContent("Checked 2 minutes ago.");
    expect(card).toHaveTextContent("fergPAT_…3f9a");
    expect(await screen.findByTestId("credits")).toHaveTextContent("1 of 10 credits used");
    expect(screen.queryByTestId("attention-banner")).toBeNull();
  });

  it("applies live engine events: the card changes and the banner appears, without polling", async () => {
    const fake = installFakePlatform(platform, [connection()]);
    const user = userEvent.setup();
    render(<App />);
    await screen.findByTestId("connection-card");
    await waitFor(() => expect(fake.listenerCount()).toBeGreaterThan(0));

    const broken = connection({
      health: "needs_reconnect",
      reason: "Fergus stopped accepting the access token on 4 Dec at 10:42. Reconnect to fix it.",
    });
    act(() => {
      fake.emit({
        type: "healthTransition",
        connectionId: "c1",
        name: broken.name,
        system: "fergus",
        transition: { kind: "reauthorization_required", from: "healthy", to: "needs_reconnect", reason: broken.reason, at: new Date().toISOString() },
      });
      fake.emit({ type: "connectionChanged", connection: broken });
    });

    const card = screen.getByTestId("connection-card");
    expect(card).toHaveAttribute("data-health", "needs_reconnect");
    expect(card).toHaveTextContent("Needs you");
    expect(card).toHaveTextContent("Fergus stopped accepting the access token");
    const banner = screen.getByTestId("attention-banner");
    expect(banner).toHaveTextContent("1 connection needs you");
    expect(fake.mocked.listConnections).toHaveBeenCalledTimes(1);

    await user.click(within(banner).getByRole("button", { name: /Reconnect Fergus – Smith Plumbing/ }));
    expect(await screen.findByTestId("screen-reconnect")).toBeInTheDocument();
  });

  it("Check now shows progress in words, then the result", async () => {
    const fake = installFakePlatform(platform, [connection({ health: "unknown", reason: "Not checked yet." })]);
    let finish: (c: ReturnType<typeof connection>) => void = () => undefined;
    fake.mocked.checkNow.mockReturnValue(new Promise((resolve) => (finish = resolve)));
    const user = userEvent.setup();
    render(<App />);
    const card = await screen.findByTestId("connection-card");
    await user.click(within(card).getByRole("button", { name: "Check now" }));
    expect(card).toHaveTextContent("Checking Fergus now…");
    await act(async () => finish(connection()));
    expect(card).toHaveTextContent("Checked just now: Working");
    expect(card).toHaveAttribute("data-health", "healthy");
  });

  it("Disconnect asks first and says exactly what happens", async () => {
    const fake = installFakePlatform(platform, [connection()]);
    fake.mocked.disconnect.mockResolvedValue(connection({ lifecycle: "disconnected" }));
    const user = userEvent.setup();
    render(<App />);
    const card = await screen.findByTestId("connection-card");
    await user.click(within(card).getByRole("button", { name: "Disconnect" }));
    const dialog = screen.getByRole("dialog");
    expect(dialog).toHaveTextContent(
      "Patchbay will forget the token and stop checking. Your history stays. This frees 1 credit.",
    );
    expect(fake.mocked.disconnect).not.toHaveBeenCalled();
    await user.click(within(dialog).getByRole("button", { name: "Disconnect" }));
    expect(fake.mocked.disconnect).toHaveBeenCalledWith("c1");
    await waitFor(() => expect(screen.queryByRole("dialog")).toBeNull());
    expect(screen.getByText(/Disconnected \(1\)/)).toBeInTheDocument();
  });

  it("Rename saves the new name", async () => {
    const fake = installFakePlatform(platform, [connection()]);
    fake.mocked.renameConnection.mockResolvedValue(connection({ name: "Smith office" }));
    const user = userEvent.setup();
    render(<App />);
    const card = await screen.findByTestId("connection-card");
    await user.click(within(card).getByRole("button", { name: "Rename" }));
    const input = screen.getByLabelText("New name");
    await user.clear(input);
    await user.type(input, "Smith office{Enter}");
    expect(fake.mocked.renameConnection).toHaveBeenCalledWith("c1", "Smith office");
    await waitFor(() => expect(screen.getByTestId("connection-card")).toHaveTextContent("Smith office"));
  });

  it("History lists checks in plain words", async () => {
    const fake = installFakePlatform(platform, [connection()]);
    fake.mocked.connectionHistory.mockResolvedValue([
      { connectionId: "c1", at: new Date().toISOString(), outcome: "auth_rejected", latencyMs: 80, detail: null, health: "needs_reconnect" },
      { connectionId: "c1", at: new Date(Date.now() - 300_000).toISOString(), outcome: "success", latencyMs: 120, detail: null, health: "healthy" },
    ]);
    const user = userEvent.setup();
    render(<App />);
    const card = await screen.findByTestId("connection-card");
    await user.click(within(card).getByRole("button", { name: "History" }));
    const panel = await screen.findByTestId("history-panel");
    expect(await within(panel).findByText("Fergus didn't accept the token")).toBeInTheDocument();
    expect(within(panel).getByText("Worked")).toBeInTheDocument();
  });

  it("opens the reconnect flow when a notification asks for it", async () => {
    const fake = installFakePlatform(platform, [connection({ health: "needs_reconnect", reason: "Token not accepted." })]);
    render(<App />);
    await screen.findByTestId("connection-card");
    await waitFor(() => expect(fake.mocked.onOpenReconnect).toHaveBeenCalled());
    act(() => fake.openReconnect("c1"));
    expect(await screen.findByTestId("screen-reconnect")).toHaveTextContent("Token not accepted.");
  });

  it("shows an expiring token prominently, with Renew as the main action", async () => {
    installFakePlatform(platform, [
      connection({
        health: "expiring",
        reason: "The Fergus token expires in 6 days. Renew it now, it takes a minute.",
        tokenExpiresAt: new Date(Date.now() + 6 * 86_400_000 + 5 * 3_600_000).toISOString(),
      }),
    ]);
    const user = userEvent.setup();
    render(<App />);
    const card = await screen.findByTestId("connection-card");
    expect(card).toHaveAttribute("data-health", "expiring");
    expect(card).toHaveTextContent("Expires soon");
    expect(within(card).getByTestId("expiry-callout")).toHaveTextContent("Expires in 6 days — renew now");
    const renew = within(card).getByRole("button", { name: "Renew now" });
    expect(renew).toHaveClass("button-primary");
    // Only one way to reconnect on the card: the primary Renew button.
    expect(within(card).queryByRole("button", { name: "Reconnect" })).toBeNull();
    expect(screen.getByTestId("attention-banner")).toHaveTextContent("1 connection needs you");
    await user.click(renew);
    expect(await screen.findByTestId("screen-reconnect")).toBeInTheDocument();
  });

  it("says 'just now' for a check that just happened, even a little ahead of this clock", async () => {
    installFakePlatform(platform, [
      connection({
        since: new Date(Date.now() + 3_000).toISOString(),
        lastSuccess: new Date(Date.now() + 2_000).toISOString(),
        nextCheck: new Date(Date.now() + 4 * 60_000 + 10_000).toISOString(),
      }),
    ]);
    render(<App />);
    const card = await screen.findByTestId("connection-card");
    expect(card).not.toHaveTextContent("in a moment");
    expect(within(card).getByText("Since").nextElementSibling).toHaveTextContent("just now");
    expect(within(card).getByText("Last good check").nextElementSibling).toHaveTextContent("just now");
    expect(within(card).getByText("Next check").nextElementSibling).toHaveTextContent("in 4 minutes");
  });

  it("uses a level-2 heading for each card, right under the page's level-1 heading", async () => {
    installFakePlatform(platform, [connection()]);
    render(<App />);
    const card = await screen.findByTestId("connection-card");
    expect(within(card).getByRole("heading", { name: "Fergus – Smith Plumbing" }).tagName).toBe("H2");
  });
});
