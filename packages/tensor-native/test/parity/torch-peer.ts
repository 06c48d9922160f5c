/**
 * PyTorch as a peer process: Debian's /usr/bin/python3 running torch_runner.py, fed
 * batches of programs as JSON lines. `findTorch()` says why it cannot run where it cannot.
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from "node:child_process";
import { createInterface, type Interface } from "node:readline";
import { fileURLToPath } from "node:url";

import type { Program } from "./program.js";
import type { Value } from "./value.js";

const RUNNER = fileURLToPath(new URL("./torch_runner.py", import.meta.url));

/** The Python that has torch (TESSERA_PARITY_PYTHON, else Debian's), or the reason there is none. */
export function findTorch(): { python: string; version: string } | { missing: string } {
  const python = process.env.TESSERA_PARITY_PYTHON ?? "/usr/bin/python3";
  const r = spawnSync(python, ["-c", "import torch; print(torch.__version__)"], { encoding: "utf8" });
  if (r.error) return { missing: `${python} cannot run (${r.error.message}); install python3-torch` };
  if (r.status !== 0) return { missing: `${python} has no torch (apt-get install python3-torch)` };
  return { python, version: r.stdout.trim() };
}

export class TorchPeer {
  private proc!: ChildProcessWithoutNullStreams;
  private lines!: Interface;
  private waiting: ((line: string) => void)[] = [];
  private stderr = "";

  constructor(private readonly python: string) {
    this.start();
  }

  private start(): void {
    const waiting: ((line: string) => void)[] = (this.waiting = []);
    this.stderr = "";
    this.proc = spawn(this.python, [RUNNER], { stdio: ["pipe", "pipe", "pipe"], env: { ...process.env, OMP_NUM_THREADS: "1" } });
    this.proc.stderr.on("data", (d: Buffer) => (this.stderr = (this.stderr + d.toString()).slice(-4000)));
    this.proc.stdin.on("error", () => {}); // a dead runner is reported through exit
    this.lines = createInterface({ input: this.proc.stdout });
    this.lines.on("line", (l) => waiting.shift()?.(l));
    this.proc.on("exit", () => {
      for (const w of waiting.splice(0)) w("");
    });
  }

  /** A fresh runner after PyTorch itself crashed (it has heap-corrupting bugs on some inputs). */
  restart(): void {
    this.close();
    this.start();
  }

  /** Runs the programs in PyTorch: one list of step values per program. */
  run(programs: readonly Program[]): Promise<Value[][]> {
    const batch = programs.map((p) => ({
      steps: p.steps.map((s) => ({ out: s.out, py: s.py, refs: s.refs, compare: s.compare ?? true })),
    }));
    return new Promise((resolve, reject) => {
      this.waiting.push((line) => {
        if (!line) return reject(new Error(`the PyTorch runner exited: ${this.stderr}`));
        resolve(JSON.parse(line) as Value[][]);
      });
      this.proc.stdin.write(JSON.stringify(batch) + "\n");
    });
  }

  close(): void {
    this.lines.close();
    this.proc.stdin.end();
    this.proc.kill();
  }
}
