/**
 * Light and dark themes. An explicit choice is remembered in localStorage; without one
 * the page follows the system's prefers-color-scheme, live.
 */
import { useSyncExternalStore } from "react";

export type Theme = "light" | "dark";
const KEY = "tessera-theme";
const listeners = new Set<() => void>();

function stored(): Theme | null {
  try {
    const v = localStorage.getItem(KEY);
    return v === "light" || v === "dark" ? v : null;
  } catch {
    return null;
  }
}

function systemTheme(): Theme {
  return window.matchMedia?.("(prefers-color-scheme: dark)").matches ? "dark" : "light";
}

export function currentTheme(): Theme {
  return stored() ?? systemTheme();
}

function apply(): void {
  const theme = currentTheme();
  document.documentElement.dataset.theme = theme;
  document.documentElement.style.colorScheme = theme;
  for (const l of listeners) l();
}

/** Sets the theme on <html> and follows the system until the user picks one. */
export function initTheme(): void {
  apply();
  window.matchMedia?.("(prefers-color-scheme: dark)").addEventListener?.("change", () => {
    if (!stored()) apply();
  });
  window.addEventListener("storage", (e) => {
    if (e.key === KEY) apply();
  });
}

export function setTheme(theme: Theme): void {
  try {
    localStorage.setItem(KEY, theme);
  } catch {}
  apply();
}

export function toggleTheme(): void {
  setTheme(currentTheme() === "dark" ? "light" : "dark");
}

export function onThemeChange(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function useTheme(): Theme {
  return useSyncExternalStore(onThemeChange, currentTheme);
}
