/**
 * Tells the server when cell code signals the kernel itself.
 *
 * A process killed by SIGKILL cannot say who sent it, and the server would have to guess
 * ("out of memory, or another process"). `process.kill` is wrapped so that, when its
 * target includes this process (its pid, 0 or its group, -1) and the signal would end it,
 * a `self_signal` note goes out on fd 4 first, synchronously; if the kernel then dies of
 * that signal, the server gives the cell as the reason. Code that kills the kernel by
 * other means (`execSync("kill -9 " + process.pid)`) is not seen: the server says so.
 */
import fs from "node:fs";
import { constants } from "node:os";
import { Wire } from "./wire.js";

const WRAPPED = Symbol("tessera.selfSignalWrapped");

/** Signals whose default action ends a process (Node handles SIGINT, SIGUSR1 and SIGPIPE itself). */
const FATAL = new Set([
  "SIGKILL",
  "SIGTERM",
  "SIGHUP",
  "SIGQUIT",
  "SIGABRT",
  "SIGSEGV",
  "SIGBUS",
  "SIGFPE",
  "SIGILL",
  "SIGTRAP",
  "SIGSYS",
  "SIGALRM",
  "SIGUSR2",
  "SIGXCPU",
  "SIGXFSZ",
  "SIGVTALRM",
  "SIGPROF",
  "SIGPWR",
  "SIGSTKFLT",
  "SIGIO",
  "SIGPOLL",
]);

/** This process's group id, from /proc (null where there is none). */
function ownGroup(): number | null {
  try {
    const stat = fs.readFileSync("/proc/self/stat", "utf8");
    return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[2]);
  } catch {
    return null;
  }
}

function signalName(signal: unknown): string | null {
  if (signal === undefined) return "SIGTERM";
  if (typeof signal === "string") return signal in constants.signals ? signal : null;
  if (typeof signal === "number") return Object.entries(constants.signals).find(([, n]) => n === signal)?.[0] ?? null;
  return null;
}

function targetsSelf(pid: unknown): boolean {
  const n = Number(pid);
  if (n === process.pid || n === 0 || n === -1) return true;
  return n < -1 && -n === ownGroup();
}

/** Wraps `process.kill` (idempotent). */
export function reportSelfSignals(wire: Wire = Wire.open()): void {
  const original = process.kill as typeof process.kill & { [WRAPPED]?: true };
  if (original[WRAPPED]) return;
  const kill = function kill(this: unknown, pid: number, signal?: string | number): true {
    const name = signalName(signal);
    // A handler makes a catchable signal harmless; SIGKILL has none.
    if (name && FATAL.has(name) && (name === "SIGKILL" || process.listenerCount(name as NodeJS.Signals) === 0) && targetsSelf(pid)) {
      try {
        wire.send({ kind: "self_signal", signal: name });
      } catch {}
    }
    return Reflect.apply(original, this, [pid, signal]) as true;
  };
  Object.defineProperty(kill, WRAPPED, { value: true });
  process.kill = kill;
}
