import { readFile } from "node:fs/promises";
import os from "node:os";
import type { SystemMetrics } from "@tessera/protocol";

interface CpuTimes {
  /** All jiffies (or ms on the os-module fallback), all cores together. */
  total: number;
  idle: number;
  cores: number;
}

export interface ProcessUsage {
  /** Per core (100 = one core busy); null until two readings exist. */
  cpuPercent: number | null;
  rssBytes: number | null;
}

async function readText(path: string): Promise<string | null> {
  try {
    return await readFile(path, "utf8");
  } catch {
    return null;
  }
}

/** The fields of /proc/<pid>/stat after the command name (which may hold spaces and parentheses). */
function statFields(text: string): string[] {
  return text.slice(text.lastIndexOf(")") + 2).split(" ");
}

async function machineCpu(): Promise<CpuTimes> {
  const stat = await readText("/proc/stat");
  const line = stat?.split("\n", 1)[0];
  if (stat && line?.startsWith("cpu ")) {
    // user nice system idle iowait irq softirq steal (guest time is already in user)
    const v = line.trim().split(/\s+/).slice(1, 9).map(Number);
    const cores = stat.split("\n").filter((l) => /^cpu\d/.test(l)).length || os.cpus().length;
    return { total: v.reduce((a, b) => a + b, 0), idle: v[3] + (v[4] ?? 0), cores };
  }
  const cpus = os.cpus();
  let total = 0;
  let idle = 0;
  for (const c of cpus) {
    total += c.times.user + c.times.nice + c.times.sys + c.times.idle + c.times.irq;
    idle += c.times.idle;
  }
  return { total, idle, cores: cpus.length };
}

async function machineMemory(): Promise<{ used: number; total: number }> {
  const info = await readText("/proc/meminfo");
  const kb = (name: string) => {
    const m = info && new RegExp(`^${name}:\\s+(\\d+) kB`, "m").exec(info);
    return m ? Number(m[1]) * 1024 : null;
  };
  const total = kb("MemTotal");
  const available = kb("MemAvailable");
  if (total !== null && available !== null) return { used: total - available, total };
  return { used: os.totalmem() - os.freemem(), total: os.totalmem() };
}

/** utime + stime of a process, in jiffies; null when it is gone (or not on Linux). */
async function processJiffies(pid: number): Promise<number | null> {
  const text = await readText(`/proc/${pid}/stat`);
  if (!text) return null;
  const f = statFields(text);
  const v = Number(f[11]) + Number(f[12]);
  return Number.isFinite(v) ? v : null;
}

export async function processRss(pid: number): Promise<number | null> {
  const text = await readText(`/proc/${pid}/status`);
  const m = text && /^VmRSS:\s+(\d+) kB/m.exec(text);
  return m ? Number(m[1]) * 1024 : null;
}

/** The parent of a process, from /proc/<pid>/stat; null when unknown. */
export async function parentPid(pid: number): Promise<number | null> {
  const text = await readText(`/proc/${pid}/stat`);
  if (!text) return null;
  const ppid = Number(statFields(text)[1]);
  return Number.isInteger(ppid) ? ppid : null;
}

/**
 * Which of `roots` `pid` is, or descends from (a kernel's child using the GPU counts as
 * the kernel's); null for none. Walks parents up, at most `depth` steps.
 */
export async function ownerOf(pid: number, roots: Map<number, string>, depth = 32): Promise<string | null> {
  let p: number | null = pid;
  for (let i = 0; p !== null && p > 1 && i < depth; i++) {
    const owner = roots.get(p);
    if (owner !== undefined) return owner;
    p = await parentPid(p);
  }
  return null;
}

/**
 * Machine CPU and memory, and each watched process's CPU and resident memory, from /proc
 * (the os module where /proc is missing). CPU percentages are rates between two calls.
 */
export class SystemSampler {
  private lastCpu: CpuTimes | null = null;
  private lastProc = new Map<number, number>();

  async sample(pids: number[]): Promise<{ system: SystemMetrics; processes: Map<number, ProcessUsage> }> {
    const [cpu, mem, procs] = await Promise.all([
      machineCpu(),
      machineMemory(),
      Promise.all(pids.map(async (pid) => ({ pid, jiffies: await processJiffies(pid), rss: await processRss(pid) }))),
    ]);
    const prev = this.lastCpu;
    const dTotal = prev ? cpu.total - prev.total : 0;
    const system: SystemMetrics = {
      cpuPercent: prev && dTotal > 0 ? round(100 * (1 - (cpu.idle - prev.idle) / dTotal)) : null,
      cpuCount: cpu.cores,
      memoryUsedBytes: mem.used,
      memoryTotalBytes: mem.total,
    };
    const processes = new Map<number, ProcessUsage>();
    const seen = new Map<number, number>();
    for (const p of procs) {
      const before = this.lastProc.get(p.pid);
      let cpuPercent: number | null = null;
      // Jiffies of one process over jiffies of one core (all cores / cores): no need for CLK_TCK.
      if (p.jiffies !== null && before !== undefined && dTotal > 0) cpuPercent = round((100 * (p.jiffies - before)) / (dTotal / cpu.cores));
      if (p.jiffies !== null) seen.set(p.pid, p.jiffies);
      processes.set(p.pid, { cpuPercent: cpuPercent === null ? null : Math.max(0, cpuPercent), rssBytes: p.rss });
    }
    this.lastCpu = cpu;
    this.lastProc = seen;
    return { system, processes };
  }
}

function round(v: number): number {
  return Math.round(v * 10) / 10;
}
