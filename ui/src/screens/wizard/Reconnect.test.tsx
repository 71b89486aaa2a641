import { act, render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";

import { App } from "../../App";
import type { ConnectionView } from "../../bindings/ConnectionView";
import * as platform from "../../platform";
import { connection, deferred, installFakePlatform } from "../../test/fakePlatform";

vi.mock("../../platform");

const TOKEN = "fergPAT_aaaabbbb-cccc-dddd";
const broken = connection({
  health: "needs_reconnect",
  reason: "Fergus stopped accepting the access token on 4 Dec at 10:42. Reconnect to fix it.",
});

async function startReconnect() {
  const user = userEvent.setup();
  render(<App />);
  const card = await screen.findByTestId("connection-card");
  await user.click(within(card).getByRole("button", { name: /^Reconnect$/ }));
  await screen.findByTestId("screen-reconnect");
  return user;
}

describe("reconnect flow", () => {
  beforeEach(() => {
    vi.clearAllMocks();
  });

  it("explains what happened, asks only for the token, validates live and returns to a healthy card with the same id", async () => {
    const fake = installFakePlatform(platform, [broken]);
    const pending = deferred<ConnectionView>();
    fake.mocked.reconnect.mockReturnValue(pending.promise);
    const user = await startReconnect();

    expect(screen.getByTestId("reconnect-reason")).toHaveTextContent("Fergus stopped accepting the access token");
    expect(screen.queryByLabelText("What should we call this connection?")).toBeNull();
    expect(screen.queryByTestId("address-input")).toBeNull();
    expect(screen.getByTestId("guidance")).toHaveTextContent("Open Settings → Integrations → Fergus API.");

    await user.type(screen.getByTestId("token-input"), TOKEN);
    await user.click(screen.getByRole("button", { name: "Check and reconnect" }));
    const request = fake.mocked.reconnect.mock.calls[0]?.[0];
    expect(request).toMatchObject({ connectionId: "c1", token: TOKEN, allowDifferentAccount: false });

    act(() => {
      fake.emit({ type: "connectProgress", attemptId: request.attemptId, step: "signIn", status: "passed", label: "Signing in…", entity: null, error: null });
    });
    expect(screen.getByTestId("progress-signIn")).toHaveAttribute("data-status", "passed");

    await act(async () => pending.resolve(connection({ health: "healthy", reason: "Reconnected just now." })));
    const card = await screen.findByTestId("connection-card");
    expect(card).toHaveAttribute("data-connection-id", "c1");
    expect(card).toHaveAttribute("data-health", "healthy");
    expect(screen.getAllByTestId("connection-card")).toHaveLength(1);
    expect(screen.queryByTestId("attention-banner")).toBeNull();
  });

  it("refuses a token from a different company with a clear message and keeps the token typed", async () => {
    const fake = installFakePlatform(platform, [broken]);
    fake.mocked.reconnect.mockRejectedValue({
      code: "different_account",
      message: "This token belongs to Harbour Electrical Ltd, not Smith Plumbing Ltd.",
      hint: "Generate the token while signed in to Smith Plumbing Ltd in Fergus.",
      detail: null,
    });
    const user = await startReconnect();
    await user.type(screen.getByTestId("token-input"), TOKEN);
    await user.click(screen.getByRole("button", { name: "Check and reconnect" }));
    const box = await screen.findByTestId("error-box");
    expect(box).toHaveAttribute("data-code", "different_account");
    expect(box).toHaveTextContent("This token belongs to Harbour Electrical Ltd, not Smith Plumbing Ltd.");
    expect(within(box).queryByRole("button", { name: /anyway/i })).toBeNull();
    await user.click(within(box).getByRole("button", { name: "Back to edit" }));
    await waitFor(() => expect(screen.getByTestId("token-input")).toHaveValue(TOKEN));
  });
});
