/**
 * Type declarations of the globals the kernel gives cells (`display`, `input`,
 * `clearOutput`), for the language service: completions and hover docs know them.
 * Keep in step with runtime/display.ts, runtime/input.ts and kernel.ts.
 */
export const CELL_GLOBALS_FILE = "__tessera_globals__.d.ts";

export const CELL_GLOBALS_DTS = `
/** Data for several mime types at once, e.g. \`{ "text/html": "<b>hi</b>", "text/plain": "hi" }\`. */
type MimeBundle = Record<string, unknown>;

interface DisplayOptions {
  /** Reuse this id (so several outputs update together), or omit for a fresh one. */
  display_id?: string | boolean;
  /** Output metadata, e.g. \`{ "image/png": { width: 200 } }\`. */
  metadata?: Record<string, unknown>;
  /** The value already is a mime bundle: send it as is. */
  raw?: boolean;
}

/** Returned by every display call. */
interface DisplayHandle {
  readonly display_id: string;
  /**
   * Replaces what this output shows (a live chart, a progress line).
   * @example const h = display("0%"); h.update("50%");
   */
  update(value: unknown, options?: Omit<DisplayOptions, "display_id">): void;
}

/**
 * Shows a value below the cell, now (the cell's last expression is shown anyway).
 * Objects can choose how they look with a \`[Symbol.for("Jupyter.display")]()\` method
 * returning a mime bundle.
 * @example const h = display(model); h.update(model);
 */
declare function display(value: unknown, options?: DisplayOptions): DisplayHandle;
declare namespace display {
  /** Shows HTML. @example display.html("<b>bold</b>") */
  function html(html: string, options?: DisplayOptions): DisplayHandle;
  /** Shows Markdown. @example display.markdown("# Title") */
  function markdown(markdown: string, options?: DisplayOptions): DisplayHandle;
  /** Shows an SVG image from its markup. */
  function svg(svg: string, options?: DisplayOptions): DisplayHandle;
  /** Shows a PNG image (bytes, or base64 text). */
  function png(data: Uint8Array | ArrayBuffer | string, options?: DisplayOptions & { width?: number; height?: number }): DisplayHandle;
  /** Shows a JPEG image (bytes, or base64 text). */
  function jpeg(data: Uint8Array | ArrayBuffer | string, options?: DisplayOptions & { width?: number; height?: number }): DisplayHandle;
  /** Shows JSON as an explorable tree. */
  function json(value: unknown, options?: DisplayOptions): DisplayHandle;
  /** Shows plain text as is. */
  function text(text: string, options?: DisplayOptions): DisplayHandle;
}

/**
 * Asks the person running the notebook for a line of text.
 * @example const name = await input("Your name? ");
 */
declare function input(prompt?: string): Promise<string>;
declare namespace input {
  /** Like \`input\`, but what is typed is hidden. */
  function password(prompt?: string): Promise<string>;
}

/**
 * Clears this cell's output. With \`wait: true\` it clears when the next output arrives,
 * which avoids flicker in animations.
 */
declare function clearOutput(options?: { wait?: boolean }): void;
`;
