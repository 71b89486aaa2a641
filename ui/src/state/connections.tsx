// The connections the board shows: loaded once, then kept current by engine
// events (never polled).

import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState } from "react";

import type { AppError } from "../bindings/AppError";
import type { ConnectionView } from "../bindings/ConnectionView";
import type { CreditSummary } from "../bindings/CreditSummary";
import type { EngineEvent } from "../bindings/EngineEvent";
import { toAppError } from "../lib/errors";
import * as platform from "../platform";

export interface ConnectionsState {
  connections: ConnectionView[];
  loaded: boolean;
  loadError: AppError | null;
  credits: CreditSummary | null;
  /** Connection ids whose health just changed (for a short highlight). */
  flashing: ReadonlySet<string>;
  /** Put a connection the UI got back from a command in place. */
  upsert: (connection: ConnectionView) => void;
  reload: () => void;
  refreshCredits: () => void;
}

let readyReported = false;

const Context = createContext<ConnectionsState | null>(null);

export function upsertConnection(list: ConnectionView[], connection: ConnectionView): ConnectionView[] {
  const index = list.findIndex((c) => c.id === connection.id);
  if (index === -1) return [...list, connection];
  const next = list.slice();
  next[index] = connection;
  return next;
}

export function ConnectionsProvider({ children }: { children: React.ReactNode }) {
  const [connections, setConnections] = useState<ConnectionView[]>([]);
  const [loaded, setLoaded] = useState(false);
  const [loadError, setLoadError] = useState<AppError | null>(null);
  const [credits, setCredits] = useState<CreditSummary | null>(null);
  const [flashing, setFlashing] = useState<ReadonlySet<string>>(new Set());
  const [generation, setGeneration] = useState(0);
  // Connections changed by events while the list was loading: newer than the list.
  const changedWhileLoading = useRef(new Map<string, ConnectionView>());

  const refreshCredits = useCallback(() => {
    platform.getCredits().then(setCredits, () => setCredits(null));
  }, []);

  useEffect(() => {
    let cancelled = false;
    changedWhileLoading.current = new Map();
    platform.listConnections().then(
      (list) => {
        if (cancelled) return;
        const newer = Array.from(changedWhileLoading.current.values());
        changedWhileLoading.current = new Map();
        setConnections(newer.reduce(upsertConnection, list));
        setLoadError(null);
        setLoaded(true);
        if (!readyReported) {
          readyReported = true;
          platform.uiReady()?.catch?.(() => undefined);
        }
      },
      (error: unknown) => {
        if (cancelled) return;
        setLoadError(toAppError(error));
        setLoaded(true);
      },
    );
    platform.getCredits().then(
      (c) => !cancelled && setCredits(c),
      () => undefined,
    );
    return () => {
      cancelled = true;
    };
  }, [generation]);

  useEffect(() => {
    let unlisten: (() => void) | undefined;
    let disposed = false;
    const timers = new Set<number>();
    const handle = (event: EngineEvent) => {
      if (event.type === "connectionChanged") {
        changedWhileLoading.current.set(event.connection.id, event.connection);
        setConnections((list) => upsertConnection(list, event.connection));
        refreshCredits();
      } else if (event.type === "healthTransition") {
        const id = event.connectionId;
        setFlashing((set) => new Set(set).add(id));
        const timer = window.setTimeout(() => {
          timers.delete(timer);
          setFlashing((set) => {
            const next = new Set(set);
            next.delete(id);
            return next;
          });
        }, 2500);
        timers.add(timer);
      }
    };
    platform.onEngineEvent(handle).then(
      (stop) => {
        if (disposed) stop();
        else unlisten = stop;
      },
      () => undefined,
    );
    return () => {
      disposed = true;
      unlisten?.();
      timers.forEach((t) => window.clearTimeout(t));
    };
  }, [refreshCredits]);

  const upsert = useCallback(
    (connection: ConnectionView) => {
      setConnections((list) => upsertConnection(list, connection));
      refreshCredits();
    },
    [refreshCredits],
  );
  const reload = useCallback(() => setGeneration((g) => g + 1), []);

  const value = useMemo(
    () => ({ connections, loaded, loadError, credits, flashing, upsert, reload, refreshCredits }),
    [connections, loaded, loadError, credits, flashing, upsert, reload, refreshCredits],
  );
  return <Context.Provider value={value}>{children}</Context.Provider>;
}

export function useConnections(): ConnectionsState {
  const value = useContext(Context);
  if (!value) throw new Error("useConnections outside ConnectionsProvider");
  return value;
}
