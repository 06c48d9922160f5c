/** React glue: the page's single metrics client, who wants it, and its state. */
import { useCallback, useEffect, useSyncExternalStore } from "react";
import { baseUrl } from "../api/urls.js";
import type { SocketLike } from "../channel/types.js";
import { MetricsClient, type MetricsState } from "./metrics-client.js";

export function metricsSocketUrl(): string {
  const proto = location.protocol === "https:" ? "wss:" : "ws:";
  return `${proto}//${location.host}${baseUrl()}api/tessera/metrics`;
}

let client: MetricsClient | null = null;

/** One subscription per page, whatever shows the numbers. */
export function metricsClient(): MetricsClient {
  client ??= new MetricsClient({ url: metricsSocketUrl, createSocket: (url) => new WebSocket(url) as unknown as SocketLike });
  return client;
}

function useVisible(): boolean {
  return useSyncExternalStore(
    useCallback((onChange: () => void) => {
      document.addEventListener("visibilitychange", onChange);
      return () => document.removeEventListener("visibilitychange", onChange);
    }, []),
    () => document.visibilityState === "visible",
  );
}

/** Streams while `open` and the tab is visible; unsubscribes otherwise. */
export function useMetricsDemand(open: boolean): void {
  const visible = useVisible();
  const wanted = open && visible;
  useEffect(() => {
    const c = metricsClient();
    c.setWanted(wanted);
    if (!wanted) return;
    const retry = () => c.retryNow();
    window.addEventListener("online", retry);
    return () => window.removeEventListener("online", retry);
  }, [wanted]);
}

/** The client's state, at most one render per animation frame. */
export function useMetrics(): MetricsState {
  const c = metricsClient();
  const subscribe = useCallback(
    (onChange: () => void) => {
      let frame = 0;
      const off = c.subscribe(() => {
        if (frame === 0)
          frame = requestAnimationFrame(() => {
            frame = 0;
            onChange();
          });
      });
      return () => {
        off();
        if (frame !== 0) cancelAnimationFrame(frame);
      };
    },
    [c],
  );
  return useSyncExternalStore(subscribe, c.getState);
}
