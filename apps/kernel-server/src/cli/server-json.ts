import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { chmod, mkdir, open, readFile, rename, unlink } from "node:fs/promises";
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { syncDirectory, tempPathFor } from "../contents/atomic-write.js";
import { ConfigError } from "./config-error.js";

/**
 * The server's own settings file, `$TESSERA_CONFIG_DIR/server.json` (default
 * `~/.tessera/server.json`), as `tessera password` writes it:
 * `{ "passwordHash": "scrypt:N=16384,r=8,p=1:<salt>:<hash>" }`.
 */
export interface ServerJson {
  passwordHash?: string;
  /** Signs workshop logins (made on the first start with a users file). */
  cookieSecret?: string;
  [key: string]: unknown;
}

/** The folder that holds server.json. */
export function configDir(env: NodeJS.ProcessEnv): string {
  return resolve(env.TESSERA_CONFIG_DIR || join(homedir(), ".tessera"));
}

export function serverJsonPath(env: NodeJS.ProcessEnv): string {
  return join(configDir(env), "server.json");
}

function parse(text: string, file: string): ServerJson {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`${file} is not valid JSON (${(err as Error).message}): fix or delete it, then run \`tessera password\` again`);
  }
  if (typeof data !== "object" || data === null || Array.isArray(data)) throw new ConfigError(`${file} must hold a JSON object`);
  return data as ServerJson;
}

/** Reads server.json at start; a missing file is an empty one. */
export function readServerJsonSync(file: string): ServerJson {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return {};
    throw new ConfigError(`cannot read ${file}: ${(err as Error).message}`);
  }
  return parse(text, file);
}

/**
 * Merges `changes` into server.json, atomically (temp file + fsync + rename) and readable
 * by its owner only (0600, in a 0700 folder when it creates one).
 */
export async function updateServerJson(file: string, changes: ServerJson): Promise<void> {
  const dir = resolve(file, "..");
  await mkdir(dir, { recursive: true, mode: 0o700 });
  let current: ServerJson = {};
  try {
    current = parse(await readFile(file, "utf8"), file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
  }
  const temp = tempPathFor(file);
  const handle = await open(temp, "wx", 0o600);
  try {
    await handle.writeFile(`${JSON.stringify({ ...current, ...changes }, null, 2)}\n`);
    await handle.sync();
  } catch (err) {
    await handle.close().catch(() => undefined);
    await unlink(temp).catch(() => undefined);
    throw err;
  }
  await handle.close();
  // The mode given to open() is reduced by the umask, never widened: make it exactly 0600.
  await chmod(temp, 0o600);
  await rename(temp, file);
  await syncDirectory(dir);
}

/** The secret that signs workshop logins, made once and kept in server.json (a restart keeps everyone logged in). */
export async function ensureCookieSecret(env: NodeJS.ProcessEnv): Promise<string> {
  const file = serverJsonPath(env);
  const current = readServerJsonSync(file).cookieSecret;
  if (typeof current === "string" && current.length >= 32) return current;
  const secret = randomBytes(32).toString("hex");
  await updateServerJson(file, { cookieSecret: secret });
  return secret;
}
