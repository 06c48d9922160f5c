/** Processes by pid from /proc: a server's kernel children, whether a pid is alive. */
import { readdir, readFile } from "node:fs/promises";

/** The direct children of a process (its kernels, for the server). */
export async function childrenOf(pid: number): Promise<number[]> {
  const out: number[] = [];
  const tasks = await readdir(`/proc/${pid}/task`).catch(() => [] as string[]);
  for (const t of tasks) {
    const text = await readFile(`/proc/${pid}/task/${t}/children`, "utf8").catch(() => "");
    out.push(...text.split(/\s+/).filter(Boolean).map(Number));
  }
  return out;
}

/** True while the process exists and is not a zombie. */
export async function alive(pid: number): Promise<boolean> {
  const stat = await readFile(`/proc/${pid}/stat`, "utf8").catch(() => null);
  if (stat === null) return false;
  return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
}
