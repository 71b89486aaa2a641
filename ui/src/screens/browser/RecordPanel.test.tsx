import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";

import * as platform from "../../platform";
import { fergus, installFakePlatform } from "../../test/fakePlatform";
import { RecordPanel } from "./RecordPanel";

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
});
