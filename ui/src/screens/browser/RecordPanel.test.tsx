import { act, render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";

import * as platform from "../../platform";
import { deferred, fergus, installFakePlatform } from "../../test/fakePlatform";
import { LOADING_GIVE_UP_MS, LOADING_HINT_AFTER_MS, RecordPanel } from "./RecordPanel";

vi.mock("../../platform");

const jobs = fergus.entityTypes[0]!;
const listed = { id: "7", title: "Job-7 · Fix tap", fields: { id: 7, jobNo: "Job-7" } };
const full = {
  id: "7",
  title: "Job-7 · Fix tap",
  fields: { id: 7, jobNo: "Job-7", longDescription: null, customer: { id: 3, customerFullName: "" }, links: [] },
};

describe("record panel", () => {
  beforeEach(() => {
    vi.clearAllMocks();
  });

  it("shows every field the API returned, nested ones dotted, empty ones greyed", async () => {
    const fake = installFakePlatform(platform, []);
    fake.mocked.getRecord.mockResolvedValue(full);
    render(<RecordPanel connectionId="c1" spec={jobs} record={listed} onClose={() => undefined} />);
    const panel = screen.getByTestId("record-panel");
    await waitFor(() => expect(within(panel).getByText("customer.customerFullName")).toBeInTheDocument());
    expect(fake.mocked.getRecord).toHaveBeenCalledWith("c1", "jobs", "7");

    const row = (path: string) => within(panel).getByText(path).closest(".field-row");
    expect(row("jobNo")).toHaveAttribute("data-empty", "false");
    expect(row("jobNo")).toHaveTextContent("Job-7");
    expect(row("longDescription")).toHaveAttribute("data-empty", "true");
    expect(row("longDescription")).toHaveClass("field-empty");
    expect(row("customer.customerFullName")).toHaveAttribute("data-empty", "true");
    expect(row("customer.id")).toHaveAttribute("data-empty", "false");
    expect(row("links")).toHaveAttribute("data-empty", "true");
    expect(panel).toHaveTextContent("6 fields · 3 with a value · 3 empty");

    await userEvent.setup().click(within(panel).getByLabelText("Show empty fields"));
    expect(within(panel).queryByText("longDescription")).toBeNull();
  });

  it("keeps the listed fields when the full record can't be loaded", async () => {
    const fake = installFakePlatform(platform, []);
    fake.mocked.getRecord.mockRejectedValue({ code: "unreachable", message: "We couldn't reach Fergus.", hint: null, detail: null });
    render(<RecordPanel connectionId="c1" spec={jobs} record={listed} onClose={() => undefined} />);
    expect(await screen.findByTestId("error-box")).toHaveAttribute("data-code", "unreachable");
    expect(screen.getByText("jobNo")).toBeInTheDocument();
  });

  it("says it is checking for more fields only while that is true", async () => {
    vi.useFakeTimers();
    try {
      const fake = installFakePlatform(platform, []);
      const pending = deferred<typeof full>();
      fake.mocked.getRecord.mockReturnValue(pending.promise);
      render(<RecordPanel connectionId="c1" spec={jobs} record={listed} onClose={() => undefined} />);
      const loading = screen.getByTestId("record-panel-loading");
      // A fast answer never flashes a spinner.
      expect(loading).toBeEmptyDOMElement();
      act(() => {
        vi.advanceTimersByTime(LOADING_HINT_AFTER_MS + 10);
      });
      expect(loading).toHaveTextContent("Checking for more fields…");
      await act(async () => pending.resolve(full));
      expect(loading).toBeEmptyDOMElement();
      expect(screen.getByTestId("record-panel")).toHaveTextContent("6 fields");
      // Nothing comes back later.
      act(() => {
        vi.advanceTimersByTime(LOADING_GIVE_UP_MS);
      });
      expect(loading).toBeEmptyDOMElement();
    } finally {
      vi.useRealTimers();
    }
  });

  it("stops saying more fields are coming when the full record never arrives", () => {
    vi.useFakeTimers();
    try {
      const fake = installFakePlatform(platform, []);
      fake.mocked.getRecord.mockReturnValue(new Promise(() => undefined));
      render(<RecordPanel connectionId="c1" spec={jobs} record={listed} onClose={() => undefined} />);
      act(() => {
        vi.advanceTimersByTime(LOADING_GIVE_UP_MS + 10);
      });
      const loading = screen.getByTestId("record-panel-loading");
      expect(loading).not.toHaveTextContent("Checking for more fields…");
      expect(loading).toHaveTextContent("Showing the fields from the list");
    } finally {
      vi.useRealTimers();
    }
  });
});
