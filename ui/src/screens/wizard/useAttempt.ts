// Runs one connect or reconnect attempt and follows its progress events.

import { useCallback, useEffect, useRef, useState } from "react";

import type { AppError } from "../../bindings/AppError";
import type { ConnectStep } from "../../bindings/ConnectStep";
import type { ConnectionView } from "../../bindings/ConnectionView";
import type { EngineEvent } from "../../bindings/EngineEvent";
import type { StepStatus } from "../../bindings/StepStatus";
import { toAppError } from "../../lib/errors";
import * as platform from "../../platform";

export interface ProgressRow {
  /** "reach", "signIn", "access-jobs" — also the data-testid suffix. */
  key: string;
  step: ConnectStep;
  entity: string | null;
  label: string;
  status: StepStatus;
  error: AppError | null;
}

/** A step with no news for this long shows "This is taking longer than usual". */
export const SLOW_AFTER_MS = 15_000;
/** A step with no news for this long ends the attempt with a message. */
export const GIVE_UP_AFTER_MS = 60_000;

export type AttemptState =
  | { phase: "idle" }
  | { phase: "running"; slow: boolean }
  | { phase: "succeeded"; connection: ConnectionView }
  | { phase: "failed"; error: AppError }
  | { phase: "timedOut"; error: AppError };

export function rowKey(step: ConnectStep, entity: string | null): string {
  return step === "checkAccess" && entity ? `access-${entity}` : step;
}

/** Apply one progress event to the rows (in order of first appearance). */
export function applyProgress(
  rows: ProgressRow[],
  event: Extract<EngineEvent, { type: "connectProgress" }>,
): ProgressRow[] {
  const key = rowKey(event.step, event.entity);
  const row: ProgressRow = {
    key,
    step: event.step,
    entity: event.entity,
    label: event.label,
    status: event.status,
    error: event.error,
  };
  const index = rows.findIndex((r) => r.key === key);
  if (index === -1) return [...rows, row];
  const next = rows.slice();
  next[index] = row;
  return next;
}

export function newAttemptId(): string {
  if (typeof crypto !== "undefined" && "randomUUID" in crypto) return crypto.randomUUID();
  return `attempt-${Date.now()}-${Math.random().toString(16).slice(2)}`;
}

export function timeoutError(systemName: string): AppError {
  return {
    code: "unreachable",
    message: `Patchbay stopped waiting: ${systemName} didn't answer for a minute.`,
    hint: `Check this computer is online. If it is, ${systemName} may be having a problem — try again in a few minutes. Nothing was saved.`,
    detail: `No progress for ${GIVE_UP_AFTER_MS / 1000} s`,
    problems: [],
  } as AppError;
}

/**
 * `run(attemptId)` starts the platform call; progress events with that id
 * fill `rows`. Slow and give-up timers restart with every event.
 */
export function useAttempt(systemName: string) {
  const [rows, setRows] = useState<ProgressRow[]>([]);
  const [state, setState] = useState<AttemptState>({ phase: "idle" });
  const attemptRef = useRef<string | null>(null);
  const timers = useRef<{ slow?: number; giveUp?: number }>({});
  const systemNameRef = useRef(systemName);
  useEffect(() => {
    systemNameRef.current = systemName;
  }, [systemName]);

  const clearTimers = useCallback(() => {
    window.clearTimeout(timers.current.slow);
    window.clearTimeout(timers.current.giveUp);
    timers.current = {};
  }, []);

  const armTimers = useCallback(() => {
    clearTimers();
    const id = attemptRef.current;
    timers.current.slow = window.setTimeout(() => {
      if (attemptRef.current === id) setState((s) => (s.phase === "running" ? { phase: "running", slow: true } : s));
    }, SLOW_AFTER_MS);
    timers.current.giveUp = window.setTimeout(() => {
      if (attemptRef.current !== id) return;
      attemptRef.current = null;
      setState({ phase: "timedOut", error: timeoutError(systemNameRef.current) });
    }, GIVE_UP_AFTER_MS);
  }, [clearTimers]);

  useEffect(() => {
    let unlisten: (() => void) | undefined;
    let disposed = false;
    platform
      .onEngineEvent((event) => {
        if (event.type !== "connectProgress" || event.attemptId !== attemptRef.current) return;
        setRows((r) => applyProgress(r, event));
        setState((s) => (s.phase === "running" ? { phase: "running", slow: false } : s));
        armTimers();
      })
      .then(
        (stop) => {
          if (disposed) stop();
          else unlisten = stop;
        },
        () => undefined,
      );
    return () => {
      disposed = true;
      unlisten?.();
      clearTimers();
    };
  }, [armTimers, clearTimers]);

  const run = useCallback(
    (
      start: (attemptId: string) => Promise<ConnectionView>,
      handlers: { onSuccess?: (c: ConnectionView) => void; onLateSuccess?: (c: ConnectionView) => void } = {},
    ) => {
      const id = newAttemptId();
      attemptRef.current = id;
      setRows([]);
      setState({ phase: "running", slow: false });
      armTimers();
      start(id).then(
        (connection) => {
          if (attemptRef.current !== id) {
            handlers.onLateSuccess?.(connection);
            return;
          }
          clearTimers();
          attemptRef.current = null;
          setState({ phase: "succeeded", connection });
          handlers.onSuccess?.(connection);
        },
        (error: unknown) => {
          if (attemptRef.current !== id) return;
          clearTimers();
          attemptRef.current = null;
          setState({ phase: "failed", error: toAppError(error) });
        },
      );
    },
    [armTimers, clearTimers],
  );

  /** Hide the slow warning and give the step another minute. */
  const keepWaiting = useCallback(() => {
    setState((s) => (s.phase === "running" ? { phase: "running", slow: false } : s));
    armTimers();
  }, [armTimers]);

  /** Stop following the attempt (the UI forgets it). */
  const abandon = useCallback(() => {
    attemptRef.current = null;
    clearTimers();
    setState({ phase: "idle" });
  }, [clearTimers]);

  return { rows, state, run, keepWaiting, abandon };
}
