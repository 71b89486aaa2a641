import { describe, expect, it } from "vitest";

import { cellText, flattenFields, getPath } from "./fields";

describe("field paths", () => {
  it("reads dotted paths", () => {
    const job = { customer: { customerFullName: "Aroha Ngata" }, jobNo: "Job-1" };
    expect(getPath(job, "customer.customerFullName")).toBe("Aroha Ngata");
    expect(getPath(job, "customer.missing")).toBeUndefined();
    expect(getPath(job, "jobNo.length")).toBeUndefined();
  });

  it("flattens nested objects and arrays with dotted names, in order", () => {
    const fields = flattenFields({
      id: 7,
      mainContact: { firstName: "Kiri", lastName: "" },
      links: [{ href: "/jobs/7", rel: "self" }],
      onHold: false,
    });
    expect(fields.map((f) => f.path)).toEqual([
      "id",
      "mainContact.firstName",
      "mainContact.lastName",
      "links.0.href",
      "links.0.rel",
      "onHold",
    ]);
    expect(fields.find((f) => f.path === "onHold")).toEqual({ path: "onHold", text: "No", empty: false });
  });

  it("marks null, empty text, empty lists and empty objects as empty but keeps them", () => {
    const fields = flattenFields({ a: null, b: "", c: [], d: {}, e: 0 });
    expect(fields.map((f) => [f.path, f.empty])).toEqual([
      ["a", true],
      ["b", true],
      ["c", true],
      ["d", true],
      ["e", false],
    ]);
  });

  it("shows a dash for empty cells and a short date for timestamps", () => {
    expect(cellText({ a: null }, "a")).toBe("—");
    expect(cellText({ at: "2026-12-04T10:42:00Z" }, "at")).toMatch(/Dec 2026/);
  });
});
