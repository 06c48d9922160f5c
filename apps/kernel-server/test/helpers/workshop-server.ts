import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { hashPassword } from "../../src/auth/password-hash.js";
import type { AppOptions } from "../../src/app.js";
import type { ServerConfig } from "../../src/cli/config.js";
import { startServer, type RunningServer } from "../../src/server.js";
import { KERNEL_MAIN } from "@tessera/kernel";
import { blockedAncestor } from "../../src/users/homes.js";
import { loadUsersFile } from "../../src/users/users-file.js";
import { openSocket, type RecordingSocket } from "./raw-socket.js";

/** A browser's login: the cookies the server set, sent back the way a page sends them. */
export interface Login {
  name: string;
  cookie: string;
  xsrf: string;
  /** fetch as this user (cookie, X-XSRFToken and a same-origin Origin on writes). */
  api(path: string, init?: RequestInit): Promise<Response>;
  /** A WebSocket as this user. */
  socket(path: string, protocols?: string[]): Promise<RecordingSocket>;
}

export interface WorkshopServer {
  server: RunningServer;
  base: string;
  dir: string;
  /** Logs a user in through POST /login, as the login form does. */
  login(name: string, password?: string): Promise<Login>;
  close(): Promise<void>;
}

/**
 * Whether this machine can run kernels under separate uids: the server runs as root and the
 * kernel's code is reachable by other users (a checkout under /root is not). Otherwise the
 * users files here say `kernelUids: none`, and the uid tests skip.
 */
export const SEPARATE_UIDS = process.getuid?.() === 0 && blockedAncestor(KERNEL_MAIN) === null;

/** The password every test user gets (the hashes in the file are real scrypt hashes of it). */
export const TEST_PASSWORD = "correct horse battery";

/**
 * Starts the real server in workshop mode from a real users file: `yaml` is the file's
 * body after `homes:`, with `{{hash}}` standing for the hash of {@link TEST_PASSWORD}.
 */
export async function startWorkshopServer(
  yaml: string,
  options: { app?: AppOptions; config?: Partial<ServerConfig> } = {},
): Promise<WorkshopServer> {
  const dir = await mkdtemp(join(tmpdir(), "tessera-workshop-"));
  // Kernels may run under each user's own uid (the server runs as root): they must pass through.
  await chmod(dir, 0o711);
  const file = join(dir, "users.yaml");
  const hash = await hashPassword(TEST_PASSWORD);
  await writeFile(file, `homes: ./homes\n${SEPARATE_UIDS ? "" : "kernelUids: none\n"}${yaml.replaceAll("{{hash}}", JSON.stringify(hash))}`);
  const config: ServerConfig = {
    ip: "127.0.0.1",
    port: 0,
    root: dir,
    token: "",
    tokenGenerated: false,
    allowOrigins: [],
    webRoot: null,
    quiet: true,
    users: loadUsersFile(file),
    cookieSecret: "s".repeat(64),
    ...options.config,
  };
  const server = await startServer(config, options.app);
  const base = server.url;
  const origin = base.replace(/\/$/, "");
  const login = async (name: string, password = TEST_PASSWORD): Promise<Login> => {
    const res = await fetch(new URL("login", base), {
      method: "POST",
      redirect: "manual",
      headers: { "content-type": "application/x-www-form-urlencoded", origin },
      body: new URLSearchParams({ username: name, password }).toString(),
    });
    if (res.status !== 302) throw new Error(`login as ${name} failed: HTTP ${res.status}`);
    const jar = Object.fromEntries(
      res.headers
        .getSetCookie()
        .map((c) => c.split(";")[0].split("="))
        .map(([k, v]) => [k, decodeURIComponent(v)]),
    );
    const cookie = Object.entries(jar)
      .map(([k, v]) => `${k}=${encodeURIComponent(v)}`)
      .join("; ");
    return {
      name,
      cookie,
      xsrf: jar._xsrf,
      api: (path, init = {}) =>
        fetch(new URL(path.replace(/^\//, ""), base), {
          ...init,
          headers: { cookie, "x-xsrftoken": jar._xsrf, origin, "content-type": "application/json", ...(init.headers ?? {}) },
        }),
      socket: (path, protocols) =>
        openSocket(new URL(path.replace(/^\//, ""), base.replace(/^http/, "ws")).toString(), { headers: { cookie, origin } }, protocols),
    };
  };
  return {
    server,
    base,
    dir,
    login,
    close: async () => {
      await server.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
