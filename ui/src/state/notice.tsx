import { createContext, useContext } from "react";

export type ShowNotice = (text: string) => void;

/** A short message shown at the top of the next screen ("Nothing was saved."). */
export const NoticeContext = createContext<ShowNotice>(() => undefined);

export function useNotice(): ShowNotice {
  return useContext(NoticeContext);
}
