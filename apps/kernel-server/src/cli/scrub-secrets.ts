/**
 * Removes secrets from what Linux shows of this process in `/proc/<pid>/environ` and
 * `/proc/<pid>/cmdline`.
 *
 * Both files are read straight from the strings the process started with (the top of its
 * stack), not from Node's `process.env` or `process.argv`: `delete process.env.X` takes the
 * variable out of the C environment, but its text stays in that memory, readable by every
 * process of the same user (a kernel cell: `fs.readFileSync("/proc/" + process.ppid +
 * "/environ")`), and the command line by every user. So after the value was read, its bytes
 * are overwritten in place, through `/proc/self/mem` (a process may always write its own
 * memory; Yama's ptrace_scope only restricts other processes).
 *
 * @example scrubSecrets({ envNames: ["TESSERA_TOKEN"], argFlags: ["--token"] })
 */
import { closeSync, openSync, readFileSync, readSync, writeSync } from "node:fs";

export interface ScrubRequest {
  /** Environment variables whose values go (also from `process.env`). */
  envNames: readonly string[];
  /** Flags whose values go from the command line: `--token T` and `--token=T`. */
  argFlags: readonly string[];
}

export interface ScrubResult {
  /** Values overwritten. */
  scrubbed: number;
  /** Why secrets are still readable, when they are (no /proc, memory not writable). */
  problem?: string;
}

interface Region {
  start: number;
  end: number;
}

/** `arg_start arg_end env_start env_end` are fields 48 to 51 of /proc/self/stat (Linux 3.5+). */
function regions(): { args: Region; env: Region } {
  const stat = readFileSync("/proc/self/stat", "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const field = (n: number) => Number(fields[n - 3]);
  return { args: { start: field(48), end: field(49) }, env: { start: field(50), end: field(51) } };
}

/** [start, end) of each NUL-terminated string in `bytes`. */
function strings(bytes: Buffer): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  let start = 0;
  for (let i = 0; i <= bytes.length; i++) {
    if (i === bytes.length || bytes[i] === 0) {
      if (i > start) out.push([start, i]);
      start = i + 1;
    }
  }
  return out;
}

/** Byte ranges of the secret values in the environment strings. */
function envValues(bytes: Buffer, names: readonly string[]): Array<[number, number]> {
  const found: Array<[number, number]> = [];
  for (const [start, end] of strings(bytes)) {
    for (const name of names) {
      const prefix = Buffer.from(`${name}=`);
      if (end - start > prefix.length && bytes.subarray(start, start + prefix.length).equals(prefix))
        found.push([start + prefix.length, end]);
    }
  }
  return found;
}

/** Byte ranges of the values of `flags` in the argument strings. */
function argValues(bytes: Buffer, flags: readonly string[]): Array<[number, number]> {
  const found: Array<[number, number]> = [];
  const args = strings(bytes);
  for (let i = 0; i < args.length; i++) {
    const text = bytes.subarray(args[i][0], args[i][1]).toString("utf8");
    if (text === "--") break;
    for (const flag of flags) {
      if (text === flag && i + 1 < args.length) found.push(args[i + 1]);
      else if (text.startsWith(`${flag}=`)) found.push([args[i][0] + Buffer.byteLength(`${flag}=`), args[i][1]]);
    }
  }
  return found;
}

/**
 * Overwrites the values of the given environment variables and flags in this process's
 * initial strings (with `*`, so `ps` still shows which flag had one), and deletes the
 * variables from `process.env`. Linux only; elsewhere it says why it did nothing.
 */
export function scrubSecrets(request: ScrubRequest): ScrubResult {
  for (const name of request.envNames) delete process.env[name];
  if (process.platform !== "linux") return { scrubbed: 0, problem: `${process.platform} has no /proc/<pid>/mem to overwrite them in` };
  let fd: number | undefined;
  try {
    const { args, env } = regions();
    fd = openSync("/proc/self/mem", "r+");
    let scrubbed = 0;
    const overwrite = (region: Region, find: (bytes: Buffer) => Array<[number, number]>) => {
      const length = region.end - region.start;
      if (!(length > 0)) return;
      const bytes = Buffer.alloc(length);
      readSync(fd!, bytes, 0, length, region.start);
      for (const [start, end] of find(bytes)) {
        writeSync(fd!, Buffer.alloc(end - start, "*"), 0, end - start, region.start + start);
        scrubbed++;
      }
    };
    overwrite(env, (bytes) => envValues(bytes, request.envNames));
    overwrite(args, (bytes) => argValues(bytes, request.argFlags));
    return { scrubbed };
  } catch (err) {
    return {
      scrubbed: 0,
      problem: `could not overwrite them in /proc/self/mem (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
    };
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
