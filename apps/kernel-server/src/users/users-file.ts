import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { parseDocument } from "yaml";
import type { UserLimits, UserRole } from "@tessera/protocol";
import { parsePasswordHash } from "../auth/password-hash.js";
import { ConfigError } from "../cli/config-error.js";
import type { OsIds } from "./owned-contents.js";
import { parseDuration, parseSize } from "./units.js";

/** Where automatic kernel uids start: far above any login account's. */
export const KERNEL_UID_BASE = 200_000;

/** One login of a workshop server. */
export interface UserAccount {
  name: string;
  role: UserRole;
  /** A `tessera password --print` / `tessera users` hash (scrypt:…). */
  passwordHash: string;
  /** Absolute path of the user's home: their contents root and their kernels' working directory. */
  home: string;
  limits: UserLimits;
  /** The uid and gid the user's kernels run as (their own); null: the server's own. */
  kernelIds: OsIds | null;
}

export interface UsersConfig {
  /** The users file, absolute. */
  file: string;
  /** The folder holding every home (`homes:`), absolute. */
  homes: string;
  users: UserAccount[];
  /** "separate": each user's kernels run under their own uid; "shared": as the server's user. */
  kernelUids: "separate" | "shared";
}

/** Names become folder names: letters, digits, `_ . -`, not starting with a dot. */
export const USER_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$/;

export const NO_LIMITS: UserLimits = {
  maxKernels: null,
  memoryBytes: null,
  idleTimeoutMs: null,
  cpuThreads: null,
  gpus: null,
  gpuMemoryFraction: null,
};

type Dict = Record<string, unknown>;
const isDict = (v: unknown): v is Dict => typeof v === "object" && v !== null && !Array.isArray(v);

/** Reads the limit keys a teacher may write (under `defaults:` or a user's `limits:`). */
function readLimits(raw: unknown, where: string, fail: (msg: string) => never): Partial<UserLimits> {
  if (raw === undefined || raw === null) return {};
  if (!isDict(raw)) fail(`${where} must be a mapping of limits (kernels, memory, idleTimeout, cpuThreads, gpus, gpuMemory)`);
  const out: Partial<UserLimits> = {};
  for (const [key, value] of Object.entries(raw)) {
    const none = value === null || value === "none" || value === "unlimited";
    switch (key) {
      case "kernels":
        if (!none && !(Number.isInteger(value) && (value as number) > 0))
          fail(`${where}.kernels must be a whole number above 0 (got ${JSON.stringify(value)})`);
        out.maxKernels = none ? null : (value as number);
        break;
      case "memory":
        out.memoryBytes = none
          ? null
          : (parseSize(value) ?? fail(`${where}.memory must be a size such as 4GiB or 512MiB (got ${JSON.stringify(value)})`));
        break;
      case "idleTimeout":
        out.idleTimeoutMs = none
          ? null
          : (parseDuration(value) ?? fail(`${where}.idleTimeout must be a duration such as 30m, 1h or 90s (got ${JSON.stringify(value)})`));
        break;
      case "cpuThreads":
        if (!none && !(Number.isInteger(value) && (value as number) > 0))
          fail(`${where}.cpuThreads must be a whole number above 0 (got ${JSON.stringify(value)})`);
        out.cpuThreads = none ? null : (value as number);
        break;
      case "gpus":
        out.gpus = none ? null : readGpus(value, `${where}.gpus`, fail);
        break;
      case "gpuMemory":
        out.gpuMemoryFraction = none
          ? null
          : (readFraction(value) ??
            fail(`${where}.gpuMemory must be a share of a GPU's memory such as 25% or 0.25 (got ${JSON.stringify(value)})`));
        break;
      default:
        fail(`${where} has an unknown limit ${JSON.stringify(key)} (known: kernels, memory, idleTimeout, cpuThreads, gpus, gpuMemory)`);
    }
  }
  return out;
}

/** 0.25 or "25%": a share in (0, 1]; null when it is not one. */
function readFraction(value: unknown): number | null {
  const v = typeof value === "string" && /^\s*\d+(\.\d+)?\s*%\s*$/.test(value) ? parseFloat(value) / 100 : value;
  return typeof v === "number" && v > 0 && v <= 1 ? v : null;
}

function readGpus(value: unknown, where: string, fail: (msg: string) => never): number[] {
  const list = typeof value === "number" ? [value] : value;
  if (!Array.isArray(list) || list.length === 0 || !list.every((g) => Number.isInteger(g) && g >= 0)) {
    fail(`${where} must be a GPU index or a list of them, such as [0, 1] (got ${JSON.stringify(value)})`);
  }
  return list as number[];
}

/**
 * Parses a users file:
 *
 * ```yaml
 * homes: ./homes          # each user's home is homes/<name> (made at start)
 * defaults:               # every student's limits (teachers have none unless given)
 *   kernels: 2
 *   memory: 4GiB
 *   idleTimeout: 30m
 *   cpuThreads: 2
 *   gpuMemory: 25%        # of each GPU it sees
 * gpus: [0, 1]            # students' kernels spread over these GPUs, one per student in turn
 * users:
 *   - { name: teacher, role: teacher, password: "scrypt:…" }
 *   - { name: alice, password: "scrypt:…", limits: { memory: 8GiB, gpus: [1] } }
 * ```
 *
 * Throws ConfigError naming the file, the line and what is wrong.
 */
export function parseUsersFile(text: string, file: string, runningAsRoot = process.getuid?.() === 0): UsersConfig {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) throw new ConfigError(`${file}: ${doc.errors[0].message}`);
  const fail = (msg: string): never => {
    throw new ConfigError(`${file}: ${msg}`);
  };
  const root: unknown = doc.toJS();
  if (!isDict(root)) fail("expected a mapping with `users:` (see docs/workshops.md)");
  const top = root as Dict;
  for (const key of Object.keys(top))
    if (!["homes", "defaults", "gpus", "users", "kernelUids"].includes(key))
      fail(`unknown key ${JSON.stringify(key)} (known: homes, defaults, gpus, users, kernelUids)`);
  const uidBase = readUidBase(top.kernelUids, runningAsRoot, fail);
  if (top.homes !== undefined && typeof top.homes !== "string") fail("homes must be a folder path");
  const homes = resolve(dirname(file), (top.homes as string | undefined) ?? "homes");
  const defaults = readLimits(top.defaults, "defaults", fail);
  const pool = top.gpus === undefined || top.gpus === null ? null : readGpus(top.gpus, "gpus", fail);
  if (!Array.isArray(top.users) || top.users.length === 0) fail("users must be a list with at least one user");
  const seen = new Set<string>();
  let studentIndex = 0;
  const users = (top.users as unknown[]).map((raw, i): UserAccount => {
    const where = `users[${i}]`;
    if (!isDict(raw)) fail(`${where} must be a mapping with name and password`);
    const u = raw as Dict;
    for (const key of Object.keys(u))
      if (!["name", "role", "password", "limits"].includes(key))
        fail(`${where} has an unknown key ${JSON.stringify(key)} (known: name, role, password, limits)`);
    if (typeof u.name !== "string" || !USER_NAME.test(u.name))
      fail(`${where}.name must be letters, digits, _ . or - (it names the user's folder); got ${JSON.stringify(u.name)}`);
    const name = u.name as string;
    if (seen.has(name.toLowerCase())) fail(`user ${JSON.stringify(name)} appears twice`);
    seen.add(name.toLowerCase());
    const role = u.role ?? "student";
    if (role !== "teacher" && role !== "student") fail(`${where}.role must be teacher or student (got ${JSON.stringify(role)})`);
    if (typeof u.password !== "string" || !parsePasswordHash(u.password)) {
      fail(
        `${where} (${name}) needs password: a hash from \`tessera users add\` or \`tessera password --print\` (scrypt:…), never the password itself`,
      );
    }
    const own = readLimits(u.limits, `${where}.limits`, fail);
    const base: UserLimits = role === "teacher" ? { ...NO_LIMITS } : { ...NO_LIMITS, ...defaults };
    const limits: UserLimits = { ...base, ...own };
    // Round-robin: each student without their own GPUs gets the next one of the pool.
    if (own.gpus === undefined && pool && role === "student") limits.gpus = [pool[studentIndex++ % pool.length]];
    const kernelIds = uidBase === null ? null : { uid: uidBase + i, gid: uidBase + i };
    return { name, role: role as UserRole, passwordHash: u.password as string, home: resolve(homes, name), limits, kernelIds };
  });
  if (!users.some((u) => u.role === "teacher")) fail("no user has role: teacher (someone must be able to see the room)");
  return { file, homes, users, kernelUids: uidBase === null ? "shared" : "separate" };
}

/**
 * `kernelUids`: `auto` (the default: separate uids when the server runs as root), `none`
 * (every kernel as the server's user), or the first uid of a range (root only). Separate
 * uids are numbers, not accounts: nothing is added to /etc/passwd.
 */
function readUidBase(value: unknown, runningAsRoot: boolean, fail: (msg: string) => never): number | null {
  if (value === undefined || value === null || value === "auto") return runningAsRoot ? KERNEL_UID_BASE : null;
  if (value === "none") return null;
  if (!Number.isInteger(value) || (value as number) < 1000 || (value as number) > 2 ** 31 - 100_000)
    fail(`kernelUids must be auto, none or a first uid (a whole number from 1000), got ${JSON.stringify(value)}`);
  if (!runningAsRoot) fail("kernelUids needs the server to run as root (it starts each user's kernels under their own uid)");
  return value as number;
}

/** Reads and parses a users file (see {@link parseUsersFile}). */
export function loadUsersFile(path: string): UsersConfig {
  const file = resolve(path);
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new ConfigError(`cannot read the users file ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  return parseUsersFile(text, file);
}
