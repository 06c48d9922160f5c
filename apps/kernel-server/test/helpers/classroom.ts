/**
 * A simulated class: every student at once starts a kernel, opens its channels and runs
 * cells that print lines only they could print; each client checks that it got its own
 * lines, each once and in order, and nobody else's. Used by the workshop load test and
 * by bench/workshop-load.ts (which runs the same class against Jupyter for comparison).
 */
import { readFile } from "node:fs/promises";
import WebSocket from "ws";

export interface Student {
  name: string;
  /** Headers that authenticate as this student (a login cookie, or a token). */
  headers: Record<string, string>;
}

export interface ClassroomOptions {
  /** Kernel spec to start ("typescript", or "python3" on Jupyter). */
  kernel: string;
  /** Cells each student runs, one after another. */
  cells: number;
  /** The code of cell `i` that prints `line`. */
  print: (line: string) => string;
}

export interface StudentResult {
  name: string;
  kernelId: string;
  startMs: number;
  roundTripsMs: number[];
  /** What went wrong for this student: missing, doubled, out-of-order or foreign lines. */
  problems: string[];
}

function frame(type: string, content: object, session: string) {
  const msgId = `${type}-${Math.random().toString(16).slice(2)}`;
  const header = { msg_id: msgId, msg_type: type, session, username: "student", date: new Date().toISOString(), version: "5.3" };
  return { msgId, text: JSON.stringify({ header, parent_header: {}, metadata: {}, content, channel: "shell", buffers: [] }) };
}

/** One student's whole session. */
async function attend(base: string, s: Student, opts: ClassroomOptions): Promise<StudentResult> {
  const t0 = performance.now();
  const res = await fetch(new URL("api/kernels", base), {
    method: "POST",
    headers: { ...s.headers, "content-type": "application/json" },
    body: JSON.stringify({ name: opts.kernel }),
  });
  if (res.status !== 201) throw new Error(`${s.name}: starting a kernel answered HTTP ${res.status}: ${await res.text()}`);
  const kernelId = ((await res.json()) as { id: string }).id;
  const session = `class-${s.name}`;
  const ws = new WebSocket(new URL(`api/kernels/${kernelId}/channels?session_id=${session}`, base.replace(/^http/, "ws")), {
    headers: s.headers,
  });
  const lines: string[] = [];
  const replies = new Map<string, () => void>();
  ws.on("message", (data: Buffer) => {
    const msg = JSON.parse(data.toString("utf8"));
    if (msg.header.msg_type === "stream") lines.push(...String(msg.content.text).split("\n").filter(Boolean));
    const parent = msg.parent_header?.msg_id;
    // A cell is done when its reply and its idle status have both come (its output comes before idle).
    if (msg.header.msg_type === "status" && msg.content.execution_state === "idle" && replies.has(parent)) {
      replies.get(parent)!();
      replies.delete(parent);
    }
  });
  await new Promise<void>((resolve, reject) => {
    ws.once("open", () => resolve());
    ws.once("error", reject);
  });
  const run = (code: string) =>
    new Promise<number>((resolve) => {
      const f = frame(
        "execute_request",
        { code, silent: false, store_history: true, user_expressions: {}, allow_stdin: false, stop_on_error: true },
        session,
      );
      const sent = performance.now();
      replies.set(f.msgId, () => resolve(performance.now() - sent));
      ws.send(f.text);
    });
  // The first cell also warms the kernel (the first compile); it counts toward the start time.
  await run(opts.print(`warmup ${s.name}`));
  const startMs = performance.now() - t0;
  const roundTripsMs: number[] = [];
  const expected = [`warmup ${s.name}`];
  for (let i = 0; i < opts.cells; i++) {
    const line = `${s.name} cell ${i}`;
    expected.push(line);
    roundTripsMs.push(await run(opts.print(line)));
  }
  ws.close();
  await fetch(new URL(`api/kernels/${kernelId}`, base), { method: "DELETE", headers: s.headers });
  const problems: string[] = [];
  const foreign = lines.filter((l) => !l.endsWith(s.name) && !l.startsWith(`${s.name} `));
  if (foreign.length) problems.push(`got lines of others: ${foreign.slice(0, 3).join(" | ")}`);
  if (lines.join("\n") !== expected.join("\n"))
    problems.push(`lines differ from what it ran: got ${lines.length}, expected ${expected.length} (${lines.slice(0, 3).join(" | ")} …)`);
  return { name: s.name, kernelId, startMs, roundTripsMs, problems };
}

/** Runs the whole class at once; rejects if any student could not run at all. */
export function runClassroom(base: string, students: Student[], opts: ClassroomOptions): Promise<StudentResult[]> {
  return Promise.all(students.map((s) => attend(base, s, opts)));
}

/** Resident memory of a process, from /proc (bytes), or null. */
export async function rssOf(pid: number): Promise<number | null> {
  const text = await readFile(`/proc/${pid}/status`, "utf8").catch(() => "");
  const m = /^VmRSS:\s+(\d+) kB/m.exec(text);
  return m ? Number(m[1]) * 1024 : null;
}

/** The q-quantile (0..1) of a list of numbers. */
export function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}
