import { useSyncExternalStore } from "react";

import { formatAbsolute, formatRelative } from "../lib/time";

// One shared clock for every relative date on screen, ticking every 20 s.
// (A display clock only: engine state still arrives through events.)
let now = Date.now();
const listeners = new Set<() => void>();
let timer: number | undefined;

function subscribe(listener: () => void) {
  listeners.add(listener);
  if (timer === undefined) {
    // The clock stood still while nothing showed a date: catch up first.
    if (Date.now() - now >= 1000) {
      now = Date.now();
      queueMicrotask(() => listeners.forEach((l) => l()));
    }
    timer = window.setInterval(() => {
      now = Date.now();
      listeners.forEach((l) => l());
    }, 20_000);
  }
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0 && timer !== undefined) {
      window.clearInterval(timer);
      timer = undefined;
    }
  };
}

export function useNow(): Date {
  const value = useSyncExternalStore(subscribe, () => now);
  return new Date(value);
}

/**
 * "2 minutes ago", with the exact local time on hover. `future` is for
 * planned times (next check, expiry); everything else already happened.
 */
export function TimeAgo({
  value,
  fallback = "",
  future = false,
}: {
  value: string | null | undefined;
  fallback?: string;
  future?: boolean;
}) {
  const current = useNow();
  if (!value) return <>{fallback}</>;
  return (
    <time dateTime={value} title={formatAbsolute(value)}>
      {formatRelative(value, current, future ? "future" : "past")}
    </time>
  );
}
