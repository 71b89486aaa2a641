import { createContext, useContext } from "react";

export type Route =
  | { screen: "board" }
  | { screen: "wizard" }
  | { screen: "reconnect"; connectionId: string }
  | { screen: "browser"; connectionId?: string; entity?: string }
  | { screen: "log" }
  | { screen: "settings" };

export type Navigate = (route: Route) => void;

export const NavigationContext = createContext<Navigate>(() => undefined);

export function useNavigate(): Navigate {
  return useContext(NavigationContext);
}
