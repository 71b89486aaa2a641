import { describe, expect, it } from "vitest";

import { stepWords } from "./progress";

describe("progress words", () => {
  it("keeps the engine's words while a step runs", () => {
    expect(stepWords({ step: "signIn", status: "running", label: "Signing in…" })).toBe("Signing in…");
    expect(stepWords({ step: "reach", status: "running", label: "Reaching Fergus…" })).toBe("Reaching Fergus…");
  });

  it("says a passed step is finished, without an ellipsis", () => {
    expect(stepWords({ step: "checkAddress", status: "passed", label: "Checking the details…" })).toBe("Details look right");
    expect(stepWords({ step: "reach", status: "passed", label: "Reaching Fergus…" })).toBe("Reached Fergus");
    expect(stepWords({ step: "signIn", status: "passed", label: "Signing in…" })).toBe("Signed in");
    expect(stepWords({ step: "checkAccess", status: "passed", label: "Checking access to jobs…" })).toBe("Can read jobs");
    expect(stepWords({ step: "save", status: "passed", label: "Saving…" })).toBe("Saved");
  });

  it("says a failed step didn't work, without an ellipsis", () => {
    expect(stepWords({ step: "signIn", status: "failed", label: "Signing in…" })).toBe("Couldn't sign in");
    expect(stepWords({ step: "reach", status: "failed", label: "Reaching Fergus…" })).toBe("Couldn't reach Fergus");
    expect(stepWords({ step: "checkAccess", status: "failed", label: "Checking access to quotes…" })).toBe("Couldn't read quotes");
    expect(stepWords({ step: "save", status: "failed", label: "Saving…" })).toBe("Couldn't save");
  });

  it("keeps words the engine already finished", () => {
    expect(stepWords({ step: "signIn", status: "passed", label: "Signed in to Smith Plumbing Ltd" })).toBe(
      "Signed in to Smith Plumbing Ltd",
    );
    expect(stepWords({ step: "checkAccess", status: "skipped", label: "This token can't read notes" })).toBe(
      "This token can't read notes",
    );
  });

  it("never ends a finished step in an ellipsis", () => {
    const steps = ["checkAddress", "reach", "signIn", "checkAccess", "save"] as const;
    for (const step of steps) {
      for (const status of ["passed", "failed"] as const) {
        expect(stepWords({ step, status, label: "Doing something…" })).not.toMatch(/…|\.\.\.$/);
      }
    }
  });
});
