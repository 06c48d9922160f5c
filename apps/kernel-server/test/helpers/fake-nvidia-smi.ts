/**
 * A fake `nvidia-smi` on a temporary PATH entry. It answers `--query-gpu`,
 * `--query-compute-apps` (any field subset, `csv`/`noheader`/`nounits`, `-lms`/`--loop-ms`)
 * and `--version` from tables recorded on real machines (see nvidia-smi-fixtures.ts), and
 * can fail the way the real tool does. It reads its scenario at every start, so a test can
 * change what the next run prints.
 */
import { chmod, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import type { Capture, Table } from "./nvidia-smi-fixtures.js";

export interface Scenario {
  gpus: Table;
  apps: Table;
  version: string;
  /** Print this (as the real tool does on stdout) and exit with `failCode` on every run. */
  fail?: { message: string; code: number };
  /** The first `runs` query-gpu loops print `lines` rows, half a row, then die with `signal` or exit 1. */
  die?: { lines: number; runs: number; signal?: "SIGKILL" };
}

// Plain CommonJS: the script runs with no package.json around it.
const SCRIPT = `#!/usr/bin/env node
const fs = require("fs"), path = require("path");
const dir = __dirname;
const sc = JSON.parse(fs.readFileSync(path.join(dir, "scenario.json"), "utf8"));
const args = process.argv.slice(2);
fs.appendFileSync(path.join(dir, "calls.log"), JSON.stringify({ pid: process.pid, args }) + "\\n");
if (sc.fail) { process.stdout.write(sc.fail.message + "\\n"); process.exit(sc.fail.code); }
if (args[0] === "--version") { process.stdout.write(sc.version + "\\n"); process.exit(0); }
const q = args.find((a) => a.startsWith("--query-gpu=") || a.startsWith("--query-compute-apps="));
if (!q) { process.stdout.write("fake nvidia-smi: unsupported arguments " + args.join(" ") + "\\n"); process.exit(2); }
const isGpu = q.startsWith("--query-gpu=");
const t = isGpu ? sc.gpus : sc.apps;
const format = (args.find((a) => a.startsWith("--format=")) || "--format=csv").slice(9).split(",");
const fields = q.slice(q.indexOf("=") + 1).split(",");
const names = t.header.map((h) => h.replace(/\\s*\\[.*\\]$/, ""));
for (const f of fields) if (!names.includes(f)) { process.stdout.write('Field "' + f + '" is not a valid field to query.\\n\\n'); process.exit(2); }
const line = (row) => fields.map((f) => {
  const i = names.indexOf(f), unit = (/\\[(.*)\\]$/.exec(t.header[i]) || [])[1];
  let v = row[i];
  if (format.includes("nounits") && unit && v.endsWith(" " + unit)) v = v.slice(0, -unit.length - 1);
  return v;
}).join(", ");
const head = format.includes("noheader") ? "" : t.header.filter((h, i) => fields.includes(names[i])).join(", ") + "\\n";
const lmsAt = args.findIndex((a) => a === "-lms" || a.startsWith("--loop-ms="));
const period = lmsAt < 0 ? 0 : Number(args[lmsAt].startsWith("--") ? args[lmsAt].split("=")[1] : args[lmsAt + 1]);
if (!period) { process.stdout.write(head + t.rows.map((r) => line(r) + "\\n").join("")); process.exit(0); }
let runs = 0;
try { runs = Number(fs.readFileSync(path.join(dir, "loops.count"), "utf8")); } catch {}
fs.writeFileSync(path.join(dir, "loops.count"), String(runs + 1));
const die = sc.die && runs < sc.die.runs ? sc.die : null;
let printed = 0;
process.stdout.write(head);
const tick = () => {
  for (const r of t.rows) {
    if (die && printed === die.lines) {
      const l = line(r);
      process.stdout.write(l.slice(0, l.length >> 1), () => die.signal ? process.kill(process.pid, die.signal) : process.exit(1));
      return clearInterval(timer);
    }
    process.stdout.write(line(r) + "\\n");
    printed++;
  }
};
const timer = setInterval(tick, period);
tick();
`;

export interface FakeTool {
  dir: string;
  /** PATH with the fake first. */
  path: string;
  /** An environment for spawning with the fake on PATH. */
  env: NodeJS.ProcessEnv;
  set(s: Scenario): Promise<void>;
  /** The argument lists the fake was started with, oldest first. */
  calls(): Promise<Array<{ pid: number; args: string[] }>>;
  close(): Promise<void>;
}

export async function installFakeNvidiaSmi(s: Scenario): Promise<FakeTool> {
  const dir = await mkdtemp(join(tmpdir(), "tessera-fake-nvsmi-"));
  await writeFile(join(dir, "nvidia-smi"), SCRIPT);
  await chmod(join(dir, "nvidia-smi"), 0o755);
  const path = `${dir}${delimiter}${process.env.PATH ?? ""}`;
  const tool: FakeTool = {
    dir,
    path,
    env: { ...process.env, PATH: path },
    set: async (next) => {
      await writeFile(join(dir, "scenario.json"), JSON.stringify(next));
      await rm(join(dir, "loops.count"), { force: true });
    },
    calls: async () => {
      const text = await readFile(join(dir, "calls.log"), "utf8").catch(() => "");
      return text
        .split("\n")
        .filter(Boolean)
        .map((l) => JSON.parse(l));
    },
    close: () => rm(dir, { recursive: true, force: true }),
  };
  await tool.set(s);
  return tool;
}

/** A scenario that replays one capture's recorded tables. */
export function fromCapture(c: Capture, phase: "idle" | "load" = "load"): Scenario {
  return { gpus: c.queryGpu(phase), apps: c.computeApps(phase), version: c.version };
}

/**
 * Two GPUs: no capture holds a machine with two, so this joins two single-GPU captures'
 * rows and gives the second its own index and UUID (the captures' UUIDs are masked to zeros).
 * Both tables must have the same columns (the H100 and H200 captures do: same driver).
 */
export function twoGpus(a: Capture, b: Capture): Scenario {
  const ga = a.queryGpu("load");
  const gb = b.queryGpu("load");
  if (ga.header.join() !== gb.header.join()) throw new Error("captures differ in columns");
  const names = ga.header.map((h) => h.replace(/\s*\[.*\]$/, ""));
  const second = [...gb.rows[0]];
  second[names.indexOf("index")] = "1";
  second[names.indexOf("uuid")] = "GPU-11111111-1111-1111-1111-111111111111";
  second[names.indexOf("pci.bus_id")] = "00000000:83:00.0";
  const apps = a.computeApps("load");
  const appsB = b
    .computeApps("load")
    .rows.map((r) => r.map((v) => (v.startsWith("GPU-") ? "GPU-11111111-1111-1111-1111-111111111111" : v)));
  return {
    gpus: { header: ga.header, rows: [ga.rows[0], second] },
    apps: { header: apps.header, rows: [...apps.rows, ...appsB] },
    version: a.version,
  };
}

/** A copy of a scenario with some GPU values replaced (e.g. `[Not Supported]`, as older drivers print). */
export function withGpuValues(s: Scenario, values: Record<string, string>): Scenario {
  const names = s.gpus.header.map((h) => h.replace(/\s*\[.*\]$/, ""));
  const rows = s.gpus.rows.map((r) => r.map((v, i) => values[names[i]] ?? v));
  return { ...s, gpus: { header: s.gpus.header, rows } };
}
