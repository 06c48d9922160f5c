/**
 * Rich output: `display(x)`, `display.html(…)` and friends, display handles that update
 * in place, and the mime bundle of a cell's result.
 *
 * An object can choose how it looks by defining `[Symbol.for("Jupyter.display")]()`
 * returning a mime bundle (the convention Deno's kernel uses), e.g.
 * `{ [Symbol.for("Jupyter.display")]() { return { "text/html": "<b>hi</b>" } } }`.
 */
import util, { inspect, type InspectOptions } from "node:util";
import { newId, type MimeBundle } from "@tessera/protocol";
import {
  ArrayIsArray,
  BufferFrom,
  BufferPrototypeToString,
  ObjectKeys,
  ObjectPrototype,
  PromiseCtor,
  PromisePrototypeThen,
  ReflectApply,
  ReflectGetOwnPropertyDescriptor,
  WeakSetPrototypeAdd,
  WeakSetPrototypeHas,
  box,
  isPromise,
  type Box,
} from "./primordials.js";
import { withPristineBuiltins } from "./pristine.js";

const isUint8Array = util.types.isUint8Array;
const Bytes = Uint8Array;

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
  return typeof value === "object" && value !== null && WeakSetPrototypeHas(displayHandles, value);
}

/** Where display output goes (the kernel sends it as iopub messages of the current cell). */
export interface DisplaySink {
  display(bundle: MimeBundle, metadata: Record<string, unknown>, displayId: string, update: boolean): void;
}

/**
 * `util.inspect`, which calls `Array.prototype.push` and friends as they are now: when a
 * cell broke those, it runs again with the built-ins the kernel loaded with (only then:
 * checking them costs more than inspecting a small value).
 */
function inspectSafely(value: unknown, options?: InspectOptions): string {
  try {
    return inspect(value, options);
  } catch {
    return withPristineBuiltins(() => inspect(value, options));
  }
}

/** How `util.inspect` renders values in `text/plain` (as Node's REPL does, without colours). */
export function plainText(value: unknown): string {
  return typeof value === "string" ? value : inspectSafely(value, { depth: 4, maxArrayLength: 100, breakLength: 100 });
}

/**
 * A promise, or an object with a `then` of its own kind. A `then` every object inherits
 * (a cell set Object.prototype.then) does not make a mime bundle a promise.
 */
function isThenable(value: unknown): value is PromiseLike<unknown> {
  if (isPromise(value)) return true;
  if ((typeof value !== "object" && typeof value !== "function") || value === null) return false;
  const then = (value as { then?: unknown }).then;
  return typeof then === "function" && then !== ReflectGetOwnPropertyDescriptor(ObjectPrototype, "then")?.value;
}

function checkBundle(bundle: unknown): MimeBundle {
  if (typeof bundle !== "object" || bundle === null || ArrayIsArray(bundle)) {
    throw new TypeError(`[Symbol.for("Jupyter.display")]() must return a mime bundle object, got ${plainText(bundle)}`);
  }
  return bundle as MimeBundle;
}

/**
 * The mime bundle for a value: its own `[Symbol.for("Jupyter.display")]()` (which may be
 * async: then a promise of the bundle, boxed so that settling it calls no `then` a cell
 * put on Object.prototype), else `text/plain` from `util.inspect`.
 */
export function mimeBundle(value: unknown): MimeBundle | Promise<Box<MimeBundle>> {
  const method = (value as Record<symbol, unknown> | null | undefined)?.[JUPYTER_DISPLAY];
  if ((typeof value === "object" || typeof value === "function") && value !== null && typeof method === "function") {
    const bundle: unknown = ReflectApply(method, value, []);
    if (!isThenable(bundle)) return checkBundle(bundle);
    const settled = isPromise(bundle) ? bundle : new PromiseCtor<unknown>((resolve) => resolve(bundle));
    return PromisePrototypeThen(settled, (b: unknown) => box(checkBundle(b)));
  }
  return { "text/plain": typeof value === "string" ? inspectSafely(value) : plainText(value) };
}

function base64(data: Uint8Array | ArrayBuffer | string): string {
  if (typeof data === "string") return data;
  const bytes = isUint8Array(data) ? data : new Bytes(data);
  return BufferPrototypeToString(BufferFrom(bytes.buffer, bytes.byteOffset, bytes.byteLength), "base64");
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
    if (isPromise(bundle)) {
      PromisePrototypeThen(
        bundle,
        (b) => sink.display(b.value, metadata, displayId, update),
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
    WeakSetPrototypeAdd(displayHandles, handle);
    return handle;
  };
  const rich = (mime: string, data: unknown, options: DisplayOptions = {}) => show({ [mime]: data }, { ...options, raw: true });
  const image = (mime: string, data: Uint8Array | ArrayBuffer | string, options: ImageOptions = {}) => {
    const size = { ...(options.width ? { width: options.width } : {}), ...(options.height ? { height: options.height } : {}) };
    const metadata = ObjectKeys(size).length ? { ...options.metadata, [mime]: size } : options.metadata;
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
