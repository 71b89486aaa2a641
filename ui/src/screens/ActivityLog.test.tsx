import { render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";

import * as platform from "../platform";
import { ConnectionsProvider } from "../state/connections";
import { connection, installFakePlatform } from "../test/fakePlatform";
import { ActivityLog } from "./ActivityLog";

vi.mock("../platform");

describe("activity log", () => {
  beforeEach(() => {
    vi.clearAllMocks();
  });

  it("lists events, filters by connection and exports a CSV", async () => {
    const fake = installFakePlatform(platform, [connection()]);
    fake.mocked.listEvents.mockResolvedValue([
      { id: 2, at: new Date().toISOString(), actor: "monitor", connectionId: "c1", kind: "health.offline", summary: "No answer from Fergus.", data: {} },
      { id: 1, at: new Date().toISOString(), actor: "you", connectionId: "c1", kind: "connection.created", summary: "Connected Smith Plumbing Ltd.", data: {} },
    ]);
    fake.mocked.exportEventsCsv.mockResolvedValue("/home/office/Downloads/patchbay-activity.csv");
    const user = userEvent.setup();
    render(
      <ConnectionsProvider>
        <ActivityLog />
      </ConnectionsProvider>,
    );
    expect(await screen.findByText("No answer from Fergus.")).toBeInTheDocument();
    expect(screen.getByText("Health check")).toBeInTheDocument();
    expect(fake.mocked.listEvents).toHaveBeenCalledWith({ connectionId: null, limit: 500 });

    await waitFor(() => expect(screen.getByRole("option", { name: "Fergus – Smith Plumbing" })).toBeInTheDocument());
    await user.selectOptions(screen.getByLabelText("Show"), "c1");
    await waitFor(() => expect(fake.mocked.listEvents).toHaveBeenLastCalledWith({ connectionId: "c1", limit: 500 }));

    await user.click(screen.getByRole("button", { name: /Export CSV/ }));
    expect(fake.mocked.exportEventsCsv).toHaveBeenCalledWith({ connectionId: "c1", limit: null });
    expect(await screen.findByTestId("export-saved")).toHaveTextContent("Saved to /home/office/Downloads/patchbay-activity.csv");
  });
});
