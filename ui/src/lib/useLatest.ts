import { useEffect, useRef } from "react";

/** A ref holding the latest value (for event handlers set up once). */
export function useLatestRef<T>(value: T): { readonly current: T } {
  const ref = useRef(value);
  useEffect(() => {
    ref.current = value;
  });
  return ref;
}
