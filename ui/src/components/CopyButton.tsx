import { useEffect, useState } from "react";

import { Icon } from "./Icon";

/** Copies text; falls back to a hidden text area where the Clipboard API is refused. */
export async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    const area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.className = "visually-hidden";
    document.body.appendChild(area);
    area.select();
    try {
      return document.execCommand("copy");
    } catch {
      return false;
    } finally {
      area.remove();
    }
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
