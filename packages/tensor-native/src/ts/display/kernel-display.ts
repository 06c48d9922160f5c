/**
 * The notebook kernel's global `display` (see packages/kernel/src/display.ts), found at
 * call time so the library works the same inside and outside a kernel.
 */

/** Mime type → data, as Jupyter's `display_data` carries it. */
export type MimeBundle = Record<string, string>;

/** What a display call returns: `update` replaces that output in place. */
export interface DisplayHandle {
  readonly display_id: string;
  update(bundle: MimeBundle, options?: { raw?: boolean; metadata?: Record<string, unknown> }): void;
}

/** The part of the kernel's `display` this library uses: a raw mime bundle in, a handle out. */
export type DisplayFunction = (bundle: MimeBundle, options: { raw: true; metadata?: Record<string, unknown> }) => DisplayHandle;

/** The kernel's `display`, or null outside a kernel (plain Node, a test runner). */
export function kernelDisplay(): DisplayFunction | null {
  const d = (globalThis as { display?: unknown }).display;
  return typeof d === "function" ? (d as DisplayFunction) : null;
}

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}
