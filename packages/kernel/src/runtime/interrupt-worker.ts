/**
 * Listens for interrupts on fd 3 from a worker thread.
 *
 * The main thread may be stuck in `while (true) {}`, so it cannot read the pipe itself.
 * This thread can: it has its own event loop. Per byte it
 * 1. raises the shared flag, which the checks compiled into cell code poll (loop heads,
 *    after every `await`): cooperative, cheap, and it lets `finally` blocks run;
 * 2. posts a message, so a main thread that is idle or awaiting ends the run at once;
 * 3. if the flag is still raised after a grace period, sends SIGINT to this process: while
 *    the synchronous part of a cell runs, the evaluator sits inside a
 *    `vm` `breakOnSigint` frame, which turns SIGINT into a clean, catchable termination of
 *    JavaScript that has no checks (a library spinning, a catastrophic regex);
 * 4. if the flag is still raised after that, the main thread is not running JavaScript at
 *    all: it waits in native code, mostly for a child (`execSync('sleep 100')`, which
 *    waits for the child and for every process holding its output pipes). Then the
 *    kernel's other processes — its descendants, and the members of its process group
 *    that were reparented away (`sleep 300 &`) — get SIGINT, then SIGTERM, then SIGKILL,
 *    until the main thread is free and handles the interrupt.
 *
 * The pipe is read asynchronously (not with a blocking `readSync`) so `process.exit`
 * can stop this thread; a thread blocked in read(2) would hang the exit. The pipe's end
 * also tells us the server is gone.
 */
import fs from "node:fs";
import net from "node:net";
import { parentPort, workerData } from "node:worker_threads";

interface InterruptWorkerData {
  fd: number;
  flag: SharedArrayBuffer;
  graceMs: number;
}

const { fd, flag: buffer, graceMs } = workerData as InterruptWorkerData;
const flag = new Int32Array(buffer);

/** After SIGINT to the kernel itself: its other processes get these, this long after the interrupt. */
const CHILD_STEPS: ReadonlyArray<[afterMs: number, signal: NodeJS.Signals]> = [
  [graceMs + 300, "SIGINT"],
  [graceMs + 800, "SIGTERM"],
  [graceMs + 1300, "SIGKILL"],
];

let escalation: NodeJS.Timeout[] = [];

/** Whether this process leads its own process group (the server forks kernels so). */
function leadsGroup(): boolean {
  try {
    // A group with our pid as its id exists only if we created it.
    process.kill(-process.pid, 0);
    return true;
  } catch {
    return false;
  }
}

const ownGroup = leadsGroup();

/** The processes `pid` started, and theirs (from /proc/<pid>/task/<tid>/children). */
function descendants(pid: number): number[] {
  const out: number[] = [];
  const queue = [pid];
  while (queue.length > 0 && out.length < 4096) {
    const p = queue.shift()!;
    let tasks: string[];
    try {
      tasks = fs.readdirSync(`/proc/${p}/task`);
    } catch {
      continue;
    }
    for (const t of tasks) {
      let text = "";
      try {
        text = fs.readFileSync(`/proc/${p}/task/${t}/children`, "utf8");
      } catch {}
      for (const c of text.split(/\s+/).filter(Boolean).map(Number)) {
        out.push(c);
        queue.push(c);
      }
    }
  }
  return out;
}

/** Members of process group `pgid` (from /proc/<pid>/stat), zombies left out. */
function groupMembers(pgid: number): number[] {
  const out: number[] = [];
  let entries: string[];
  try {
    entries = fs.readdirSync("/proc");
  } catch {
    return out;
  }
  for (const e of entries) {
    if (!/^\d+$/.test(e)) continue;
    let stat: string;
    try {
      stat = fs.readFileSync(`/proc/${e}/stat`, "utf8");
    } catch {
      continue;
    }
    // "pid (comm) state ppid pgrp …": comm may hold spaces and parentheses.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    if (fields[0] !== "Z" && Number(fields[2]) === pgid) out.push(Number(e));
  }
  return out;
}

/** Every process of this kernel but the kernel itself. */
function otherProcesses(): number[] {
  const set = new Set(descendants(process.pid));
  if (ownGroup) for (const p of groupMembers(process.pid)) set.add(p);
  set.delete(process.pid);
  return [...set];
}

function signalOthers(signal: NodeJS.Signals): void {
  for (const pid of otherProcesses()) {
    try {
      process.kill(pid, signal);
    } catch {}
  }
}

function interrupt(): void {
  const pending = () => Atomics.load(flag, 0) !== 0;
  const underway = escalation.length > 0 && pending();
  Atomics.store(flag, 0, 1);
  parentPort?.postMessage("interrupt");
  // Clicks during an escalation do not restart it (clicking every 400 ms would postpone it forever).
  if (underway) return;
  for (const t of escalation) clearTimeout(t);
  const last = CHILD_STEPS[CHILD_STEPS.length - 1][0];
  escalation = [
    setTimeout(() => {
      if (pending()) process.kill(process.pid, "SIGINT");
    }, graceMs),
    ...CHILD_STEPS.map(([afterMs, signal]) =>
      setTimeout(() => {
        if (pending()) signalOthers(signal);
      }, afterMs),
    ),
    setTimeout(() => (escalation = []), last + 1),
  ];
}

/**
 * The server's end closed: the server is gone. Normally the IPC channel's `disconnect`
 * ends the kernel, but a main thread stuck in a loop never sees that event, and would
 * spin on as an orphan. This thread can still end the process, and the processes it
 * started that stayed in its group.
 */
function serverGone(): void {
  process.kill(ownGroup ? -process.pid : process.pid, "SIGKILL");
}

const pipe = new net.Socket({ fd, readable: true, writable: false });
// Several bytes read at once are one burst of clicks: one interrupt.
pipe.on("data", interrupt);
pipe.on("end", serverGone);
pipe.on("error", serverGone);
