import { useEffect, useState } from "react";

import { Icon } from "./Icon";

export async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    return false;
  }
}

export function CopyButton({ text, label = "Copy", className }: { text: string; label?: string; className?: string }) {
  const [state, setState] = useState<"idle" | "copied" | "failed">("idle");
  useEffect(() => {
    if (state === "idle") return;
    const timer = window.setTimeout(() => setState("idle"), 2500);
    return () => window.clearTimeout(timer);
  }, [state]);
  return (
    <button
      type="button"
      className={`button button-small${className ? ` ${className}` : ""}`}
      onClick={() => {
        void copyText(text).then((ok) => setState(ok ? "copied" : "failed"));
      }}
    >
      <Icon name={state === "copied" ? "check" : "copy"} size={16} />
      <span aria-live="polite">{state === "copied" ? "Copied" : state === "failed" ? "Couldn't copy — select and copy it" : label}</span>
    </button>
  );
}
