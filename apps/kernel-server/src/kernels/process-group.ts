/**
 * A kernel's process group: the kernel leads it (it is forked `detached`, so it calls
 * setsid), and every process it starts stays in it unless that process leaves on purpose
 * (setsid, setpgid). A child reparented to PID 1 (`sleep 300 &`, `nohup`, a double fork)
 * is no longer the kernel's descendant but is still in its group, so the group, not the
 * process tree, is what gets signalled when a kernel is interrupted hard, restarted or
 * stopped, and what the memory guard counts.
 *
 * Members are found in /proc (`/proc/<pid>/stat`'s pgrp field). Zombies are not members
 * that matter: a PID 1 that never reaps (some container inits) keeps them forever, and
 * they hold no memory.
 */
import { readdir, readFile } from "node:fs/promises";

/** Groups not known to be empty: the exit hook kills them all. */
const open = new Set<ProcessGroup>();
let exitHookInstalled = false;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** `state` and `pgrp` of a process from its /proc/<pid>/stat text ("pid (comm) state ppid pgrp …"). */
function parseStat(text: string): { state: string; pgrp: number } {
  // comm may hold spaces and parentheses: the fields start after the last ')'.
  const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
  return { state: fields[0], pgrp: Number(fields[2]) };
}

/** Live (non-zombie) processes by process group id, from one pass over /proc. */
export async function processGroups(): Promise<Map<number, number[]>> {
  const groups = new Map<number, number[]>();
  let entries: string[];
  try {
    entries = await readdir("/proc");
  } catch {
    return groups;
  }
  await Promise.all(
    entries
      .filter((e) => /^\d+$/.test(e))
      .map(async (e) => {
        const text = await readFile(`/proc/${e}/stat`, "utf8").catch(() => null);
        if (text === null) return;
        const { state, pgrp } = parseStat(text);
        if (state === "Z" || !Number.isInteger(pgrp)) return;
        const list = groups.get(pgrp);
        if (list) list.push(Number(e));
        else groups.set(pgrp, [Number(e)]);
      }),
  );
  return groups;
}

export class ProcessGroup {
  private empty = false;

  constructor(readonly pgid: number) {
    open.add(this);
  }

  /** Whether the group was seen empty: then its id may belong to someone else, and it is never signalled again. */
  get gone(): boolean {
    return this.empty;
  }

  /** Sends `signal` to every member at once (0: none, only the test); false when there was no member to send it to. */
  signal(signal: NodeJS.Signals | 0): boolean {
    if (this.empty) return false;
    try {
      process.kill(-this.pgid, signal);
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ESRCH") this.markEmpty();
      return false;
    }
  }

  /** SIGKILL to every member, synchronously (server exit, a limit, a kernel that will not stop). */
  killNow(): void {
    this.signal("SIGKILL");
  }

  /** The members that are not zombies. */
  async members(): Promise<number[]> {
    if (this.empty) return [];
    // The cheap test first: no process at all has this group id.
    if (!this.signal(0)) return [];
    const list = (await processGroups()).get(this.pgid) ?? [];
    if (list.length === 0) this.markEmpty();
    return list;
  }

  /** Waits until no member is left, at most `ms`; true when none is. */
  async waitEmpty(ms: number): Promise<boolean> {
    const deadline = Date.now() + ms;
    for (;;) {
      if ((await this.members()).length === 0) return true;
      if (Date.now() >= deadline) return false;
      await sleep(50);
    }
  }

  /**
   * Ends every member: SIGTERM, then SIGKILL to those left after `graceMs`. Resolves when
   * none is left (or, for a process stuck in the kernel that even SIGKILL cannot end yet,
   * after a bounded wait).
   */
  async terminate(graceMs = 1000): Promise<void> {
    if ((await this.members()).length === 0) return;
    this.signal("SIGTERM");
    if (await this.waitEmpty(graceMs)) return;
    this.signal("SIGKILL");
    await this.waitEmpty(2000);
  }

  private markEmpty(): void {
    this.empty = true;
    open.delete(this);
  }
}

/** SIGKILL to every kernel's group, synchronously: for `process.on("exit")`, where nothing async runs. */
export function killAllProcessGroups(): void {
  for (const g of open) g.killNow();
}

/**
 * Kills every kernel's group when the server process exits, however it exits (a crash
 * with an uncaught exception, `process.exit` in a signal handler). Idempotent. A server
 * killed with SIGKILL runs no hook: then each kernel's interrupt thread sees its pipe
 * close and kills its own group.
 */
export function installProcessGroupExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on("exit", killAllProcessGroups);
}
