/** Whether the resource panel is open, remembered in localStorage across pages and reloads. */
import { useSyncExternalStore } from "react";

const KEY = "tessera-metrics-panel";
const listeners = new Set<() => void>();
let open: boolean | null = null;

function read(): boolean {
  try {
    return localStorage.getItem(KEY) === "open";
  } catch {
    return false;
  }
}

export function isMetricsPanelOpen(): boolean {
  if (open === null) open = read();
  return open;
}

export function setMetricsPanelOpen(next: boolean): void {
  open = next;
  try {
    localStorage.setItem(KEY, next ? "open" : "closed");
  } catch {}
  for (const l of listeners) l();
}

export function toggleMetricsPanel(): void {
  setMetricsPanelOpen(!isMetricsPanelOpen());
}

function onChange(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function useMetricsPanelOpen(): boolean {
  return useSyncExternalStore(onChange, isMetricsPanelOpen);
}
