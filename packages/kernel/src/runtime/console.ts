/**
 * Routes a cell's `console.*`, `process.stdout.write` and `process.stderr.write` to
 * `stream` output. log/info/debug/dir/table/time… go to stdout; warn/error/trace/assert to
 * stderr (Node's own split).
 */
import { Console } from "node:console";
import util from "node:util";
import { BufferFrom, BufferPrototypeToString, StringCtor } from "./primordials.js";
import type { StreamName } from "./streams.js";

type Sink = (name: StreamName, text: string) => void;

// Captured: these run on every print, after cells may have replaced the globals.
const isUint8Array = util.types.isUint8Array;
const nextTick = process.nextTick;

function toText(chunk: unknown, encoding?: unknown): string {
  if (typeof chunk === "string") return chunk;
  if (isUint8Array(chunk)) {
    const bytes = BufferFrom(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    return BufferPrototypeToString(bytes, typeof encoding === "string" ? (encoding as BufferEncoding) : "utf8");
  }
  return StringCtor(chunk);
}

/** A `write` with stream.Writable's signature that hands text to `sink`. */
function writer(sink: Sink, name: StreamName) {
  return (chunk: unknown, encoding?: unknown, callback?: unknown): boolean => {
    sink(name, toText(chunk, encoding));
    const done = typeof encoding === "function" ? encoding : callback;
    if (typeof done === "function") nextTick(done as () => void);
    return true;
  };
}

/** Replaces the global console's methods and the process streams' `write` with captured ones. */
export function captureConsole(sink: Sink): void {
  const captured = new Console({
    stdout: { write: writer(sink, "stdout") } as unknown as NodeJS.WritableStream,
    stderr: { write: writer(sink, "stderr") } as unknown as NodeJS.WritableStream,
    colorMode: false,
    // Our sinks never fail; Node's error-listener dance needs a full EventEmitter.
    ignoreErrors: false,
  });
  // Patch in place rather than replace `console`: code that kept a reference still works.
  const target = console as unknown as Record<string, unknown>;
  for (const [key, value] of Object.entries(captured)) {
    if (typeof value === "function") target[key] = value;
  }
  process.stdout.write = writer(sink, "stdout") as typeof process.stdout.write;
  process.stderr.write = writer(sink, "stderr") as typeof process.stderr.write;
}
