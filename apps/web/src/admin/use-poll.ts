import { useCallback, useEffect, useRef, useState } from "react";
import { ApiError } from "../api/rest.js";

/**
 * Loads now and again `intervalMs` after each answer, while the tab is visible (a hidden tab
 * asks nothing; showing it again loads at once). Waiting for the answer before the next
 * timer means a slow server never has requests piling up. A 403 ends the polling: asking
 * again will not change it. Keeps the last good data across errors, and the error itself
 * (not just its message) so the page can tell "not allowed" from "unreachable".
 */
export function usePoll<T>(load: () => Promise<T>, intervalMs: number): { data: T | null; error: Error | null; reload: () => void } {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const loadRef = useRef(load);
  loadRef.current = load;
  const kick = useRef<() => void>(() => {});

  useEffect(() => {
    let live = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let inFlight = false;
    let again = false;
    let stopped = false;

    const schedule = () => {
      clearTimeout(timer);
      timer = live && !stopped && document.visibilityState === "visible" ? setTimeout(() => void run(), intervalMs) : undefined;
    };
    const run = async () => {
      clearTimeout(timer);
      if (inFlight) {
        again = true;
        return;
      }
      inFlight = true;
      try {
        const v = await loadRef.current();
        if (!live) return;
        setData(v);
        setError(null);
        stopped = false;
      } catch (e) {
        if (!live) return;
        setError(e as Error);
        stopped = e instanceof ApiError && e.status === 403;
      } finally {
        inFlight = false;
      }
      if (again) {
        again = false;
        void run();
      } else schedule();
    };
    const onVisibility = () => (document.visibilityState === "visible" && !stopped ? void run() : clearTimeout(timer));

    kick.current = () => void run();
    document.addEventListener("visibilitychange", onVisibility);
    void run();
    return () => {
      live = false;
      clearTimeout(timer);
      document.removeEventListener("visibilitychange", onVisibility);
      kick.current = () => {};
    };
  }, [intervalMs]);

  const reload = useCallback(() => kick.current(), []);
  return { data, error, reload };
}
