// Progress rows in words: a running step says what it is doing ("Signing in…");
// a finished or failed one says how it ended ("Signed in", "Couldn't sign in").

import type { ConnectStep } from "../bindings/ConnectStep";
import type { StepStatus } from "../bindings/StepStatus";

export interface StepWords {
  step: ConnectStep;
  status: StepStatus;
  /** The engine's label: "Reaching Fergus…", "Checking access to jobs…", "Signed in to Smith Plumbing Ltd". */
  label: string;
}

const ELLIPSIS = /\s*(…|\.\.\.)\s*$/;

function stripEllipsis(label: string): string {
  return label.replace(ELLIPSIS, "");
}

/** "Reaching Fergus…" → "Fergus"; "Checking access to jobs…" → "jobs". */
function objectOf(label: string, verb: RegExp): string | null {
  const match = stripEllipsis(label).match(verb);
  return match?.[1]?.trim() ?? null;
}

/** The words a progress row shows for its current status. */
export function stepWords({ step, status, label }: StepWords): string {
  if (status === "running" || status === "skipped") return label;
  // The engine already said how it ended ("Signed in to Smith Plumbing Ltd").
  if (!ELLIPSIS.test(label)) return label;
  const passed = status === "passed";
  switch (step) {
    case "checkAddress":
      return passed ? "Details look right" : "Some details need fixing";
    case "reach": {
      const system = objectOf(label, /^Reaching (.+)$/i) ?? "the system";
      return passed ? `Reached ${system}` : `Couldn't reach ${system}`;
    }
    case "signIn":
      return passed ? "Signed in" : "Couldn't sign in";
    case "checkAccess": {
      const what = objectOf(label, /^Checking access to (.+)$/i);
      if (what) return passed ? `Can read ${what}` : `Couldn't read ${what}`;
      return passed ? "Access checked" : "Couldn't check access";
    }
    case "save":
      return passed ? "Saved" : "Couldn't save";
  }
  const base = stripEllipsis(label);
  return passed ? `${base} — done` : `${base} — didn't work`;
}
