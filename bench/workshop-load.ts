/**
 * A workshop's load: N students at once, each starting a kernel and running cells, against
 * Tessera in workshop mode (N users from a users file, each logged in with their password)
 * and against Jupyter's notebook server (one token, N kernels: the same work on one
 * server), in one run.
 *
 *   node --import tsx bench/workshop-load.ts [--students 30] [--cells 20]
 *
 * Prints each server's resident memory (idle, peak, after), the p50/p99 round trip of a
 * cell, the p50/max time to a first answer (kernel start + first cell), and whether every
 * student got exactly their own output.
 */
import { spawn, execFileSync, type ChildProcess } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { quantile, rssOf, runClassroom, type Student } from "../apps/kernel-server/test/helpers/classroom.js";

const args = parseArgs({ options: { students: { type: "string", default: "30" }, cells: { type: "string", default: "20" } } }).values;
const STUDENTS = Number(args.students);
const CELLS = Number(args.cells);
const here = resolve(fileURLToPath(import.meta.url), "..");
const CLI = join(here, "..", "apps", "kernel-server", "dist", "cli.js");

const freePort = () =>
  new Promise<number>((res) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => res(port));
    });
  });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitUp(url: string, headers: Record<string, string> = {}): Promise<void> {
  for (let i = 0; i < 600; i++) {
    try {
      const r = await fetch(url, { headers, redirect: "manual" });
      if (r.status < 500) return;
    } catch {}
    await sleep(100);
  }
  throw new Error(`${url} did not come up`);
}

interface Setup {
  name: string;
  proc: ChildProcess;
  base: string;
  kernel: string;
  print: (line: string) => string;
  students: Student[];
}

async function tessera(dir: string): Promise<Setup> {
  const file = join(dir, "users.yaml");
  const csv = execFileSync(process.execPath, [CLI, "users", "init", file, "--students", String(STUDENTS)], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "ignore"],
  });
  const creds = csv
    .trim()
    .split("\n")
    .slice(1)
    .map((l) => l.split(",") as [string, string])
    .slice(1);
  const port = await freePort();
  const proc = spawn(process.execPath, [CLI, "--users", file, "--port", String(port), "--quiet"], {
    stdio: "ignore",
    env: { ...process.env, TESSERA_CONFIG_DIR: join(dir, "config") },
  });
  const base = `http://127.0.0.1:${port}/`;
  await waitUp(`${base}login`);
  const origin = base.replace(/\/$/, "");
  const students: Student[] = [];
  for (const [name, password] of creds) {
    const res = await fetch(`${base}login`, {
      method: "POST",
      redirect: "manual",
      headers: { "content-type": "application/x-www-form-urlencoded", origin },
      body: new URLSearchParams({ username: name, password }).toString(),
    });
    if (res.status !== 302) throw new Error(`login ${name}: HTTP ${res.status}`);
    const jar = Object.fromEntries(res.headers.getSetCookie().map((c) => c.split(";")[0].split("=") as [string, string]));
    students.push({
      name,
      headers: {
        cookie: Object.entries(jar)
          .map(([k, v]) => `${k}=${v}`)
          .join("; "),
        "x-xsrftoken": decodeURIComponent(jar._xsrf),
        origin,
      },
    });
  }
  return {
    name: `Tessera (${STUDENTS} users)`,
    proc,
    base,
    kernel: "typescript",
    print: (l) => `console.log(${JSON.stringify(l)})`,
    students,
  };
}

async function jupyter(dir: string): Promise<Setup> {
  const port = await freePort();
  const token = "bench" + Math.random().toString(16).slice(2);
  const proc = spawn(
    "/usr/bin/python3",
    [
      "-m",
      "notebook",
      "--no-browser",
      `--port=${port}`,
      `--NotebookApp.token=${token}`,
      `--notebook-dir=${dir}`,
      "--NotebookApp.open_browser=False",
      "--allow-root",
    ],
    { stdio: "ignore", env: { ...process.env, JUPYTER_RUNTIME_DIR: join(dir, ".runtime") } },
  );
  const base = `http://127.0.0.1:${port}/`;
  const headers = { authorization: `token ${token}` };
  await waitUp(`${base}api/status`, headers);
  const students = Array.from({ length: STUDENTS }, (_, i) => ({ name: `student${String(i + 1).padStart(2, "0")}`, headers }));
  return {
    name: `Jupyter (1 user, ${STUDENTS} kernels)`,
    proc,
    base,
    kernel: "python3",
    print: (l) => `print(${JSON.stringify(l)})`,
    students,
  };
}

async function measure(make: (dir: string) => Promise<Setup>) {
  const dir = mkdtempSync(join(tmpdir(), "bench-workshop-"));
  chmodSync(dir, 0o711); // kernels under the students' own uids (server run as root) pass through it
  const setup = await make(dir);
  const pid = setup.proc.pid!;
  try {
    await sleep(1000);
    const idle = (await rssOf(pid)) ?? NaN;
    let peak = idle;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        peak = Math.max(peak, (await rssOf(pid)) ?? 0);
        await sleep(200);
      }
    })();
    const t0 = performance.now();
    const results = await runClassroom(setup.base, setup.students, { kernel: setup.kernel, cells: CELLS, print: setup.print });
    const wallS = (performance.now() - t0) / 1000;
    sampling = false;
    await sampler;
    await sleep(2000);
    const afterRss = (await rssOf(pid)) ?? NaN;
    const trips = results.flatMap((r) => r.roundTripsMs);
    const starts = results.map((r) => r.startMs);
    const problems = results.flatMap((r) => r.problems.map((p) => `${r.name}: ${p}`));
    return {
      name: setup.name,
      idle,
      peak,
      after: afterRss,
      p50: quantile(trips, 0.5),
      p99: quantile(trips, 0.99),
      start50: quantile(starts, 0.5),
      startMax: Math.max(...starts),
      cells: trips.length,
      wallS,
      problems,
    };
  } finally {
    setup.proc.kill("SIGTERM");
    await new Promise((r) => setup.proc.once("exit", r));
    rmSync(dir, { recursive: true, force: true });
  }
}

const mib = (b: number) => `${(b / 2 ** 20).toFixed(0)} MiB`;
const ms = (v: number) => `${v.toFixed(1)} ms`;

const ours = await measure(tessera);
const peer = await measure(jupyter);
console.log(
  `\n${STUDENTS} students at once, ${CELLS} cells each (node ${process.version}, ${(await import("node:os")).cpus().length} cores)\n`,
);
console.log(
  "| server | RSS idle | RSS peak | RSS after | cell p50 | cell p99 | first answer p50 | first answer max | cells | wall | own output only |",
);
console.log("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
for (const r of [ours, peer]) {
  console.log(
    `| ${r.name} | ${mib(r.idle)} | ${mib(r.peak)} | ${mib(r.after)} | ${ms(r.p50)} | ${ms(r.p99)} | ${ms(r.start50)} | ${ms(r.startMax)} | ${r.cells} | ${r.wallS.toFixed(1)} s | ${r.problems.length === 0 ? "yes" : `NO: ${r.problems.length} problems`} |`,
  );
}
console.log(
  `\nratio Tessera/Jupyter: RSS peak ${(ours.peak / peer.peak).toFixed(2)}×, cell p50 ${(ours.p50 / peer.p50).toFixed(2)}×, p99 ${(ours.p99 / peer.p99).toFixed(2)}×`,
);
for (const p of [...ours.problems, ...peer.problems].slice(0, 10)) console.log(`problem: ${p}`);
