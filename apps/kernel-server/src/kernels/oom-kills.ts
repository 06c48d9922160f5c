/**
 * Whether the Linux out-of-memory killer struck while a kernel ran, from counters an
 * unprivileged process can read (the kernel log usually is not): the kernel's memory
 * cgroup's `oom_kill` (cgroup v2 `memory.events`, v1 `memory.oom_control`) and the
 * machine's `oom_kill` in /proc/vmstat. A kernel killed by SIGKILL while one of them went
 * up was most likely the OOM killer's victim.
 */
import { readFileSync } from "node:fs";

function readCounter(file: string, key: string): number | null {
  try {
    const m = new RegExp(`^${key} (\\d+)$`, "m").exec(readFileSync(file, "utf8"));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

/** The files holding `oom_kill` counters for process `pid` (read while it is alive). */
function counterFiles(pid: number): Array<[file: string, key: string]> {
  const files: Array<[string, string]> = [["/proc/vmstat", "oom_kill"]];
  let cgroups = "";
  try {
    cgroups = readFileSync(`/proc/${pid}/cgroup`, "utf8");
  } catch {
    return files;
  }
  for (const line of cgroups.split("\n")) {
    const [, controllers, path] = /^\d+:([^:]*):(.*)$/.exec(line) ?? [];
    if (path === undefined) continue;
    if (controllers === "") files.push([`/sys/fs/cgroup${path === "/" ? "" : path}/memory.events`, "oom_kill"]);
    else if (controllers.split(",").includes("memory"))
      files.push([`/sys/fs/cgroup/memory${path === "/" ? "" : path}/memory.oom_control`, "oom_kill"]);
  }
  return files;
}

/** A snapshot of the OOM-kill counters that apply to one process. */
export class OomKills {
  private readonly files: Array<[string, string]>;
  private readonly before: Array<number | null>;

  constructor(pid: number) {
    this.files = counterFiles(pid);
    this.before = this.files.map(([f, k]) => readCounter(f, k));
  }

  /** true: a counter went up since the snapshot; false: none did; null: none can be read. */
  happened(): boolean | null {
    let readable = false;
    for (let i = 0; i < this.files.length; i++) {
      const was = this.before[i];
      if (was === null) continue;
      const now = readCounter(this.files[i][0], this.files[i][1]);
      if (now === null) continue;
      readable = true;
      if (now > was) return true;
    }
    return readable ? false : null;
  }
}
