import { act, render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";

import { App } from "../../App";
import type { AppError } from "../../bindings/AppError";
import type { ConnectionView } from "../../bindings/ConnectionView";
import * as platform from "../../platform";
import { connection, deferred, installFakePlatform } from "../../test/fakePlatform";

vi.mock("../../platform");

const TOKEN = "fergPAT_3f2b9c1e-7d4a-4b8e-9f00-1a2b3c4d3f9a";

async function openTokenStep() {
  const user = userEvent.setup();
  render(<App />);
  await user.click(within(screen.getByRole("navigation", { name: "Main" })).getByRole("button", { name: /Add a system/ }));
  await user.click(await screen.findByTestId("system-fergus"));
  await screen.findByTestId("wizard-token");
  return user;
}

describe("connect wizard", () => {
  let fake: ReturnType<typeof installFakePlatform>;
  beforeEach(() => {
    vi.clearAllMocks();
    fake = installFakePlatform(platform, []);
  });

  it("shows the catalog with cost and hosting, coming-soon systems not selectable", async () => {
    const user = userEvent.setup();
    render(<App />);
    await user.click(within(screen.getByRole("navigation", { name: "Main" })).getByRole("button", { name: /Add a system/ }));
    const choose = await screen.findByTestId("wizard-choose");
    expect(within(choose).getByTestId("system-fergus")).toHaveTextContent("Uses 1 of your 10 credits");
    expect(within(choose).getByTestId("system-fergus")).toHaveTextContent("Cloud");
    expect(within(choose).getByTestId("system-simpro")).toBeDisabled();
    expect(within(choose).getByTestId("system-simpro")).toHaveTextContent("Coming soon");
    await user.type(within(choose).getByLabelText("Search"), "zzz");
    expect(within(choose).queryByTestId("system-fergus")).toBeNull();
  });

  it("checks the token format in plain words before calling the engine", async () => {
    const user = await openTokenStep();
    await user.type(screen.getByTestId("token-input"), "not-a-token");
    await user.click(screen.getByRole("button", { name: "Check and connect" }));
    expect(await screen.findByText(/doesn't look like a Fergus access token/)).toBeInTheDocument();
    expect(fake.mocked.connect).not.toHaveBeenCalled();
  });

  it("turns progress events into rows, then shows the engine's error with its hint; Try again keeps what was typed", async () => {
    const first = deferred<ConnectionView>();
    fake.mocked.connect.mockReturnValueOnce(first.promise);
    const user = await openTokenStep();
    const name = screen.getByLabelText("What should we call this connection?");
    await user.clear(name);
    await user.type(name, "Fergus – Smith Plumbing");
    await user.type(screen.getByTestId("token-input"), `  ${TOKEN} `);
    await user.click(screen.getByRole("button", { name: "Check and connect" }));

    await screen.findByTestId("wizard-check");
    expect(fake.mocked.connect).toHaveBeenCalledTimes(1);
    const request = fake.mocked.connect.mock.calls[0]?.[0];
    expect(request).toMatchObject({ system: "fergus", name: "Fergus – Smith Plumbing", token: TOKEN, apiUrl: null, allowDuplicate: false });
    const attemptId: string = request.attemptId;
    expect(attemptId).toBeTruthy();

    // Never a spinner without words.
    expect(screen.getByTestId("progress-starting")).toHaveTextContent("Getting ready to reach Fergus");

    act(() => {
      fake.emit({ type: "connectProgress", attemptId, step: "reach", status: "running", label: "Reaching Fergus…", entity: null, error: null });
    });
    expect(screen.getByTestId("progress-reach")).toHaveAttribute("data-status", "running");
    expect(screen.getByTestId("progress-reach")).toHaveTextContent("Reaching Fergus…");
    act(() => {
      fake.emit({ type: "connectProgress", attemptId, step: "reach", status: "passed", label: "Reaching Fergus…", entity: null, error: null });
      fake.emit({ type: "connectProgress", attemptId, step: "checkAccess", status: "passed", label: "Checking access to jobs…", entity: "jobs", error: null });
      // Another attempt's events are ignored.
      fake.emit({ type: "connectProgress", attemptId: "other", step: "save", status: "running", label: "Saving…", entity: null, error: null });
    });
    expect(screen.getByTestId("progress-reach")).toHaveAttribute("data-status", "passed");
    // A finished step reads as finished, never "…".
    expect(screen.getByTestId("progress-reach")).toHaveTextContent("Reached Fergus");
    expect(screen.getByTestId("progress-access-jobs")).toHaveTextContent("Can read jobs");
    expect(screen.getByTestId("progress-access-jobs")).not.toHaveTextContent("…");
    expect(screen.queryByTestId("progress-save")).toBeNull();

    act(() => {
      fake.emit({ type: "connectProgress", attemptId, step: "signIn", status: "running", label: "Signing in…", entity: null, error: null });
    });
    expect(screen.getByTestId("progress-signIn")).toHaveTextContent("Signing in…");
    act(() => {
      fake.emit({ type: "connectProgress", attemptId, step: "signIn", status: "failed", label: "Signing in…", entity: null, error: null });
    });
    expect(screen.getByTestId("progress-signIn")).toHaveAttribute("data-status", "failed");
    expect(screen.getByTestId("progress-signIn")).toHaveTextContent("Couldn't sign in");
    expect(screen.getByTestId("progress-signIn")).not.toHaveTextContent("…");

    const error: AppError = {
      code: "auth_rejected",
      message: "Fergus didn't accept this token.",
      hint: "Check you copied all of it (it starts with fergPAT_).",
      detail: "GET /company → HTTP 401",
      problems: [],
    };
    await act(async () => first.reject(error));
    const box = await screen.findByTestId("error-box");
    expect(box).toHaveAttribute("data-code", "auth_rejected");
    expect(box).toHaveTextContent("Fergus didn't accept this token.");
    expect(box).toHaveTextContent("Check you copied all of it");
    expect(within(box).queryByText(/HTTP 401/)).toBeNull();
    await user.click(screen.getByTestId("error-details-toggle"));
    expect(within(box).getByText(/HTTP 401/)).toBeInTheDocument();

    fake.mocked.connect.mockResolvedValueOnce(connection({ name: "Fergus – Smith Plumbing" }));
    await user.click(within(box).getByRole("button", { name: "Try again" }));
    expect(fake.mocked.connect).toHaveBeenCalledTimes(2);
    expect(fake.mocked.connect.mock.calls[1]?.[0]).toMatchObject({ name: "Fergus – Smith Plumbing", token: TOKEN });
    expect(fake.mocked.connect.mock.calls[1]?.[0].attemptId).not.toBe(attemptId);

    const done = await screen.findByTestId("wizard-done");
    expect(done).toHaveTextContent("Connected to Smith Plumbing Ltd.");
    expect(done).toHaveTextContent("Patchbay can read jobs and customers, and create jobs and customers.");
  });

  it("Back to edit returns to the form with everything still typed", async () => {
    fake.mocked.connect.mockRejectedValueOnce({ code: "unreachable", message: "We couldn't reach Fergus.", hint: null, detail: null });
    const user = await openTokenStep();
    await user.type(screen.getByTestId("token-input"), TOKEN);
    await user.click(screen.getByRole("button", { name: "Check and connect" }));
    await user.click(await screen.findByRole("button", { name: "Back to edit" }));
    expect(screen.getByTestId("token-input")).toHaveValue(TOKEN);
  });

  it("offers Connect anyway for a company that is already connected", async () => {
    fake.mocked.connect
      .mockRejectedValueOnce({ code: "duplicate_connection", message: "Smith Plumbing Ltd is already connected.", hint: null, detail: null })
      .mockResolvedValueOnce(connection({ id: "c2" }));
    const user = await openTokenStep();
    await user.type(screen.getByTestId("token-input"), TOKEN);
    await user.click(screen.getByRole("button", { name: "Check and connect" }));
    await user.click(await screen.findByRole("button", { name: "Connect anyway" }));
    expect(fake.mocked.connect.mock.calls[1]?.[0]).toMatchObject({ allowDuplicate: true, token: TOKEN });
    await screen.findByTestId("wizard-done");
  });

  it("sends the typed address for the sandbox and opens its settings page", async () => {
    const user = await openTokenStep();
    await user.click(screen.getByText("Advanced"));
    const address = screen.getByTestId("address-input");
    await user.clear(address);
    await user.type(address, "http://127.0.0.1:4010");
    await user.click(screen.getByRole("button", { name: /Open Fergus settings/ }));
    expect(fake.mocked.openSettingsPage).toHaveBeenCalledWith({ systemId: "fergus", apiUrl: "http://127.0.0.1:4010" });
  });

  it("Esc cancels with 'Nothing was saved'", async () => {
    const user = await openTokenStep();
    await user.keyboard("{Escape}");
    expect(await screen.findByTestId("notice")).toHaveTextContent("Nothing was saved.");
    expect(screen.getByTestId("screen-board")).toBeInTheDocument();
  });
});

describe("slow and abandoned steps", () => {
  beforeEach(() => {
    vi.clearAllMocks();
  });

  it("says when a step takes long, and gives up after a minute with a message", async () => {
    const fake = installFakePlatform(platform, []);
    fake.mocked.connect.mockReturnValue(new Promise(() => undefined));
    const user = await openTokenStep();
    await user.type(screen.getByTestId("token-input"), TOKEN);
    vi.useFakeTimers({ shouldAdvanceTime: true });
    try {
      await user.click(screen.getByRole("button", { name: "Check and connect" }));
      await act(async () => {
        vi.advanceTimersByTime(16_000);
      });
      expect(screen.getByTestId("slow-warning")).toHaveTextContent("This is taking longer than usual.");
      await act(async () => {
        vi.advanceTimersByTime(45_000);
      });
      await waitFor(() => expect(screen.getByTestId("error-box")).toHaveTextContent("stopped waiting"));
      expect(screen.queryByTestId("slow-warning")).toBeNull();
    } finally {
      vi.useRealTimers();
    }
  });
});

describe("token form checks", () => {
  it("explains dates it can't read and dates in the future", async () => {
    const { validateValues, initialValues } = await import("./TokenForm");
    const { fergus } = await import("../../test/fakePlatform");
    const base = { ...initialValues(fergus), token: TOKEN };
    expect(validateValues(fergus, base, true)).toEqual({});
    expect(validateValues(fergus, { ...base, tokenCreated: "4/12/2026" }, true).tokenCreated).toMatch(/year-month-day/);
    expect(validateValues(fergus, { ...base, tokenCreated: "2999-01-01" }, true).tokenCreated).toMatch(/future/);
    expect(validateValues(fergus, { ...base, apiUrl: "api.fergus.com" }, true).apiUrl).toBe("This should be a web address.");
    expect(validateValues(fergus, { ...base, apiUrl: "" }, true, false)).toEqual({});
    expect(validateValues(fergus, { ...base, name: "  " }, true).name).toMatch(/Give the connection a name/);
  });
});
