import { act, render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { App, NOTICE_MS } from "./App";
import * as platform from "./platform";
import { connection, installFakePlatform } from "./test/fakePlatform";

vi.mock("./platform");

describe("notices", () => {
  beforeEach(() => {
    vi.clearAllMocks();
    vi.useFakeTimers({ shouldAdvanceTime: true });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  const setup = () => {
    installFakePlatform(platform, [connection({ health: "needs_reconnect", reason: "Token not accepted." })]);
    const user = userEvent.setup({ advanceTimers: vi.advanceTimersByTime });
    render(<App />);
    return user;
  };

  it("shows a notice on the next screen, then clears it when the person moves on", async () => {
    const user = setup();
    await user.click(await screen.findByRole("button", { name: /Reconnect Fergus – Smith Plumbing/ }));
    await user.click(await screen.findByRole("button", { name: "Cancel" }));
    await screen.findByTestId("screen-board");
    expect(screen.getByTestId("notice")).toHaveTextContent("Nothing was changed.");

    await user.click(screen.getByRole("button", { name: "Activity log" }));
    await screen.findByTestId("screen-log");
    expect(screen.queryByTestId("notice")).toBeNull();
  });

  it("replaces an older notice with a newer one", async () => {
    const user = setup();
    await user.click(await screen.findByRole("button", { name: /Reconnect Fergus – Smith Plumbing/ }));
    await user.click(await screen.findByRole("button", { name: "Cancel" }));
    expect(await screen.findByTestId("notice")).toHaveTextContent("Nothing was changed.");

    const nav = screen.getByRole("navigation", { name: "Main" });
    await user.click(within(nav).getByRole("button", { name: "Add a system" }));
    await screen.findByTestId("screen-wizard");
    await user.click(screen.getByRole("button", { name: "Cancel" }));
    await screen.findByTestId("screen-board");
    const notices = screen.getAllByTestId("notice");
    expect(notices).toHaveLength(1);
    expect(notices[0]).toHaveTextContent("Nothing was saved.");
    expect(notices[0]).not.toHaveTextContent("Nothing was changed.");
  });

  it("goes away by itself after a few seconds", async () => {
    const user = setup();
    await user.click(await screen.findByRole("button", { name: /Reconnect Fergus – Smith Plumbing/ }));
    await user.click(await screen.findByRole("button", { name: "Cancel" }));
    expect(await screen.findByTestId("notice")).toBeInTheDocument();
    act(() => {
      vi.advanceTimersByTime(NOTICE_MS + 100);
    });
    expect(screen.queryByTestId("notice")).toBeNull();
  });
});
