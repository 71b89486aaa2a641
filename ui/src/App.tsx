import { useCallback, useEffect, useRef, useState } from "react";

import { Icon, type IconName } from "./components/Icon";
import * as platform from "./platform";
import { ActivityLog } from "./screens/ActivityLog";
import { Board } from "./screens/board/Board";
import { Browser } from "./screens/browser/Browser";
import { SettingsScreen } from "./screens/settings/SettingsScreen";
import { Reconnect } from "./screens/wizard/Reconnect";
import { Wizard } from "./screens/wizard/Wizard";
import { ConnectionsProvider, useConnections } from "./state/connections";
import { NavigationContext, type Route } from "./state/navigation";
import { NoticeContext } from "./state/notice";
import { needsAttention } from "./lib/health";

const NAV: { screen: Route["screen"]; label: string; icon: IconName }[] = [
  { screen: "board", label: "Connections", icon: "board" },
  { screen: "wizard", label: "Add a system", icon: "plus" },
  { screen: "browser", label: "Browse data", icon: "table" },
  { screen: "log", label: "Activity log", icon: "list" },
  { screen: "settings", label: "Settings", icon: "settings" },
];

/** How long a notice ("Smith Plumbing is reconnected.") stays on screen. */
export const NOTICE_MS = 5000;

export function App() {
  return (
    <ConnectionsProvider>
      <Shell />
    </ConnectionsProvider>
  );
}

function Shell() {
  const [route, setRoute] = useState<Route>({ screen: "board" });
  // Every navigation starts the screen afresh (e.g. "Add a system" twice).
  const [visit, setVisit] = useState(0);
  // `fresh`: shown just before a navigation, so it survives that one move
  // (notice("Nothing was saved.") then navigate to the board); any later
  // navigation clears it.
  const [notice, setNotice] = useState<{ text: string; id: number; fresh: boolean } | null>(null);
  const noticeIds = useRef(0);
  const main = useRef<HTMLElement>(null);
  const { connections } = useConnections();
  const attentionCount = connections.filter(needsAttention).length;

  const navigate = useCallback((next: Route) => {
    setRoute(next);
    setVisit((v) => v + 1);
    setNotice((n) => (n?.fresh ? { ...n, fresh: false } : null));
  }, []);
  const showNotice = useCallback((text: string) => {
    noticeIds.current += 1;
    setNotice({ text, id: noticeIds.current, fresh: true });
  }, []);

  // Move focus to the new screen's heading so keyboard and screen-reader
  // users land at the top of what they asked for.
  const shownRoute = useRef(route);
  useEffect(() => {
    if (shownRoute.current === route) return;
    shownRoute.current = route;
    const heading = main.current?.querySelector<HTMLElement>("h1");
    if (heading) {
      heading.tabIndex = -1;
      heading.focus();
    }
    window.scrollTo?.(0, 0);
  }, [route]);

  // Each notice goes after a few seconds (the timer survives `fresh` changing).
  const noticeId = notice?.id;
  useEffect(() => {
    if (noticeId === undefined) return;
    const timer = window.setTimeout(() => setNotice((n) => (n?.id === noticeId ? null : n)), NOTICE_MS);
    return () => window.clearTimeout(timer);
  }, [noticeId]);

  useEffect(() => {
    let unlisten: (() => void) | undefined;
    let disposed = false;
    platform
      .onOpenReconnect((connectionId) => navigate({ screen: "reconnect", connectionId }))
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
    };
  }, [navigate]);

  const navScreen = route.screen === "reconnect" ? "board" : route.screen;

  return (
    <NavigationContext.Provider value={navigate}>
      <NoticeContext.Provider value={showNotice}>
        <a className="skip-link" href="#main" onClick={(e) => { e.preventDefault(); main.current?.focus(); }}>
          Skip to main content
        </a>
        <div className="app">
          <nav className="sidebar" aria-label="Main">
            <div className="brand">
              <svg className="brand-mark" viewBox="0 0 32 32" width="28" height="28" aria-hidden="true">
                <rect x="2" y="2" width="28" height="28" rx="8" fill="currentColor" />
                <circle cx="11" cy="11" r="3" fill="#fff" />
                <circle cx="21" cy="21" r="3" fill="#fff" />
                <path d="M11 14v3a4 4 0 0 0 4 4h3" stroke="#fff" strokeWidth="2.4" fill="none" strokeLinecap="round" />
              </svg>
              <span className="brand-name">Patchbay</span>
            </div>
            <ul className="nav-list">
              {NAV.map((item) => (
                <li key={item.screen}>
                  <button
                    type="button"
                    className={`nav-item${navScreen === item.screen ? " nav-item-current" : ""}`}
                    aria-current={navScreen === item.screen ? "page" : undefined}
                    onClick={() => navigate({ screen: item.screen } as Route)}
                  >
                    <Icon name={item.icon} size={20} />
                    <span>{item.label}</span>
                    {item.screen === "board" && attentionCount > 0 && (
                      <span className="nav-count" aria-label={`${attentionCount} need attention`}>
                        {attentionCount}
                      </span>
                    )}
                  </button>
                </li>
              ))}
            </ul>
          </nav>
          <main id="main" ref={main} tabIndex={-1} className="main">
            {notice && (
              <div className="toast" role="status" data-testid="notice">
                <Icon name="info" size={18} />
                <span>{notice.text}</span>
                <button type="button" className="icon-button" aria-label="Dismiss" onClick={() => setNotice(null)}>
                  <Icon name="x" size={16} />
                </button>
              </div>
            )}
            <Screen key={visit} route={route} />
          </main>
        </div>
      </NoticeContext.Provider>
    </NavigationContext.Provider>
  );
}

function Screen({ route }: { route: Route }) {
  switch (route.screen) {
    case "board":
      return <Board />;
    case "wizard":
      return <Wizard />;
    case "reconnect":
      return <Reconnect connectionId={route.connectionId} />;
    case "browser":
      return <Browser initialConnectionId={route.connectionId} initialEntity={route.entity} />;
    case "log":
      return <ActivityLog />;
    case "settings":
      return <SettingsScreen />;
  }
}
