/**
 * Rich output: `display(x)`, `display.html(…)` and friends, display handles that update
 * in place, and the mime bundle of a cell's result.
 *
 * An object can choose how it looks by defining `[Symbol.for("Jupyter.display")]()`
 * returning a mime bundle (the convention Deno's kernel uses), e.g.
 * `{ [Symbol.for("Jupyter.display")]() { return { "text/html": "<b>hi</b>" } } }`.
 */
import { inspect } from "node:util";
import { newId, type MimeBundle } from "@tessera/protocol";

/** `Symbol.for("Jupyter.display")`. */
export const JUPYTER_DISPLAY = Symbol.for("Jupyter.display");

export interface DisplayOptions {
  /** Reuse this id (so several outputs update together), or `true`/omitted for a fresh one. */
  display_id?: string | boolean;
  /** Output metadata, e.g. `{ "image/png": { width: 200 } }`. */
  metadata?: Record<string, unknown>;
  /** The value already is a mime bundle: send it as is. */
  raw?: boolean;
}

/** Returned by every display call: updates that output in place (`update_display_data`). */
export interface DisplayHandle {
  readonly display_id: string;
  /** Replaces what this output shows. */
  update(value: unknown, options?: Omit<DisplayOptions, "display_id">): void;
}

const displayHandles = new WeakSet<object>();

/**
 * True for the handle a display call returns: a cell ending in `display(x)` shows x
 * once, not x and then its handle (as IPython's display returns None).
 */
export function isDisplayHandle(value: unknown): boolean {
  return typeof value === "object" && value !== null && displayHandles.has(value);
}

/** Where display output goes (the kernel sends it as iopub messages of the current cell). */
export interface DisplaySink {
  display(bundle: MimeBundle, metadata: Record<string, unknown>, displayId: string, update: boolean): void;
}

/** How `util.inspect` renders values in `text/plain` (as Node's REPL does, without colours). */
export function plainText(value: unknown): string {
  return typeof value === "string" ? value : inspect(value, { depth: 4, maxArrayLength: 100, breakLength: 100 });
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as { then?: unknown } | null)?.then === "function";
}

function checkBundle(bundle: unknown): MimeBundle {
  if (typeof bundle !== "object" || bundle === null || Array.isArray(bundle)) {
    throw new TypeError(`[Symbol.for("Jupyter.display")]() must return a mime bundle object, got ${plainText(bundle)}`);
  }
  return bundle as MimeBundle;
}

/**
 * The mime bundle for a value: its own `[Symbol.for("Jupyter.display")]()` (which may be
 * async), else `text/plain` from `util.inspect`.
 */
export function mimeBundle(value: unknown): MimeBundle | Promise<MimeBundle> {
  const method = (value as Record<symbol, unknown> | null | undefined)?.[JUPYTER_DISPLAY];
  if ((typeof value === "object" || typeof value === "function") && value !== null && typeof method === "function") {
    const bundle: unknown = method.call(value);
    return isThenable(bundle) ? Promise.resolve(bundle).then(checkBundle) : checkBundle(bundle);
  }
  return { "text/plain": typeof value === "string" ? inspect(value) : plainText(value) };
}

function base64(data: Uint8Array | ArrayBuffer | string): string {
  if (typeof data === "string") return data;
  const bytes = data instanceof Uint8Array ? data : new Uint8Array(data);
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64");
}

interface ImageOptions extends DisplayOptions {
  width?: number;
  height?: number;
}

/** The global `display` function with its helpers. */
export type DisplayFunction = ((value: unknown, options?: DisplayOptions) => DisplayHandle) & {
  html(html: string, options?: DisplayOptions): DisplayHandle;
  markdown(markdown: string, options?: DisplayOptions): DisplayHandle;
  svg(svg: string, options?: DisplayOptions): DisplayHandle;
  png(data: Uint8Array | ArrayBuffer | string, options?: ImageOptions): DisplayHandle;
  jpeg(data: Uint8Array | ArrayBuffer | string, options?: ImageOptions): DisplayHandle;
  json(value: unknown, options?: DisplayOptions): DisplayHandle;
  text(text: string, options?: DisplayOptions): DisplayHandle;
};

/** Builds `display` over a sink. */
export function createDisplay(sink: DisplaySink): DisplayFunction {
  const send = (value: unknown, options: DisplayOptions, displayId: string, update: boolean): void => {
    const metadata = options.metadata ?? {};
    const bundle = options.raw ? checkBundle(value) : mimeBundle(value);
    if (isThenable(bundle)) {
      bundle.then(
        (b) => sink.display(b, metadata, displayId, update),
        (err: unknown) => sink.display({ "text/plain": `display failed: ${plainText(err)}` }, {}, displayId, update),
      );
    } else {
      sink.display(bundle, metadata, displayId, update);
    }
  };
  const show = (value: unknown, options: DisplayOptions = {}): DisplayHandle => {
    const displayId = typeof options.display_id === "string" ? options.display_id : newId();
    send(value, options, displayId, false);
    const handle: DisplayHandle = {
      display_id: displayId,
      update: (next, opts = {}) => send(next, opts, displayId, true),
    };
    displayHandles.add(handle);
    return handle;
  };
  const rich = (mime: string, data: unknown, options: DisplayOptions = {}) => show({ [mime]: data }, { ...options, raw: true });
  const image = (mime: string, data: Uint8Array | ArrayBuffer | string, options: ImageOptions = {}) => {
    const size = { ...(options.width ? { width: options.width } : {}), ...(options.height ? { height: options.height } : {}) };
    const metadata = Object.keys(size).length ? { ...options.metadata, [mime]: size } : options.metadata;
    return rich(mime, base64(data), { ...options, metadata });
  };
  return Object.assign(show, {
    html: (html: string, o?: DisplayOptions) => rich("text/html", html, o),
    markdown: (md: string, o?: DisplayOptions) => rich("text/markdown", md, o),
    svg: (svg: string, o?: DisplayOptions) => rich("image/svg+xml", svg, o),
    png: (data: Uint8Array | ArrayBuffer | string, o?: ImageOptions) => image("image/png", data, o),
    jpeg: (data: Uint8Array | ArrayBuffer | string, o?: ImageOptions) => image("image/jpeg", data, o),
    json: (value: unknown, o?: DisplayOptions) => show({ "application/json": value, "text/plain": plainText(value) }, { ...o, raw: true }),
    text: (text: string, o?: DisplayOptions) => rich("text/plain", text, o),
  });
}
