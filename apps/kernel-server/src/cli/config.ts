import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { totalmem } from "node:os";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { isLoopbackAddress } from "../auth/origin.js";
import { parsePasswordHash } from "../auth/password-hash.js";
import { normalizeBaseUrl } from "../http/base-url.js";
import { ConfigError } from "./config-error.js";
import { readServerJsonSync, serverJsonPath } from "./server-json.js";
import { loadUsersFile, type UsersConfig } from "../users/users-file.js";
import { parseSize } from "../users/units.js";

export { ConfigError };

/** Everything the server needs to start, after flags and environment are merged. */
export interface ServerConfig {
  ip: string;
  port: number;
  /** Absolute path of the notebook root; every contents path is jailed to it. */
  root: string;
  /** The auth token; empty means no token (then a password, or no auth: loopback only). */
  token: string;
  /** True when the token was generated rather than given. */
  tokenGenerated: boolean;
  /** Extra origins allowed to open WebSockets and make cookie-authenticated writes. */
  allowOrigins: string[];
  /** Where the built page lives (apps/web/dist); null to serve no page. */
  webRoot: string | null;
  /** Open the browser? (never in CI) */
  quiet: boolean;
  /** The path prefix every route lives under ("/x/"); "/" when absent. */
  baseUrl?: string;
  /** A `tessera password` hash (scrypt:…); the login page then accepts that password. */
  passwordHash?: string | null;
  /** PEM certificate and key: serve HTTPS. Both or neither. */
  certfile?: string | null;
  keyfile?: string | null;
  /**
   * Memory one kernel may use (bytes) before it is stopped with a message; null: no limit.
   * Without a users file; a users file sets its own limits.
   */
  kernelMemory?: number | null;
  /** Workshop mode: the users file's logins, homes and limits. */
  users?: UsersConfig | null;
  /** Signs workshop logins (kept in server.json so a restart keeps everyone logged in); random when absent. */
  cookieSecret?: string;
}

const USAGE = `Usage: tessera [--port P] [--ip A] [--root DIR] [--token T] [--base-url /x/] [--certfile F --keyfile F] ...
       tessera password      set the login password (stored hashed in ~/.tessera/server.json)
       tessera users ...     make and edit a users file for a workshop (tessera users --help)

  --port P           port to listen on (env TESSERA_PORT, default 8888; 0 = any free port)
  --ip A             address to listen on (env TESSERA_IP, default 127.0.0.1); any other than
                     loopback needs a token or a password
  --root DIR         notebook root (env TESSERA_ROOT, default: the directory the command ran in)
  --kernel-memory S  memory one kernel may use before it is stopped with a message, e.g. 16GiB, or none
                     (env TESSERA_KERNEL_MEMORY; default: 75% of this machine's memory)
  --users FILE       workshop mode: logins, homes and limits from a users file (env TESSERA_USERS;
                     see docs/workshops.md); each user gets their own home, kernels and limits
  --token T          auth token (env TESSERA_TOKEN; default: a random one, printed in the URL,
                     or none when a password is set); --token '' turns token auth off.
                     On the command line every local user can read it: prefer --token-file
  --token-file F     read the token from file F, e.g. one only you can read (env TESSERA_TOKEN_FILE)
  --password-hash H  a hash from \`tessera password\` (env TESSERA_PASSWORD_HASH; default: the one
                     in $TESSERA_CONFIG_DIR/server.json, ~/.tessera/server.json)
  --certfile F       PEM certificate: serve HTTPS (env TESSERA_CERTFILE; needs --keyfile)
  --keyfile F        PEM private key of --certfile (env TESSERA_KEYFILE)
  --base-url P       path prefix of every URL, behind a reverse proxy (env TESSERA_BASE_URL, default /)
  --allow-origin O   an extra Origin allowed to connect (repeatable), e.g. the proxy's https://host
  --quiet            print only the URL
`;

/** Flag, else a non-empty environment variable (an empty one counts as unset), else undefined. */
function pick(flag: string | undefined, envValue: string | undefined): string | undefined {
  return flag ?? (envValue || undefined);
}

function passwordHashFrom(flag: string | undefined, env: NodeJS.ProcessEnv): string | null {
  const given = pick(flag, env.TESSERA_PASSWORD_HASH);
  const file = serverJsonPath(env);
  const [hash, where] =
    given !== undefined
      ? [given, flag !== undefined ? "--password-hash" : "TESSERA_PASSWORD_HASH"]
      : [readServerJsonSync(file).passwordHash, file];
  if (hash === undefined || hash === "") return null;
  if (typeof hash !== "string" || !parsePasswordHash(hash)) {
    throw new ConfigError(
      `the password hash in ${where} is not one this server can check (expected scrypt:N=…,r=…,p=…:<salt>:<hash>): run \`tessera password\` again`,
    );
  }
  return hash;
}

/** Reads a token file: its first line, without surrounding white space. */
function readTokenFile(file: string, where: string): string {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new ConfigError(
      `cannot read the token file ${file} (${where}): ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
    );
  }
  const token = text.split(/\r?\n/)[0].trim();
  if (!token) throw new ConfigError(`the token file ${file} (${where}) is empty`);
  return token;
}

/** The token given, if any: flags (`--token`, `--token-file`) over environment (`TESSERA_TOKEN`, `TESSERA_TOKEN_FILE`). */
function tokenFrom(flag: string | undefined, fileFlag: string | undefined, env: NodeJS.ProcessEnv): string | undefined {
  if (flag !== undefined && fileFlag !== undefined) throw new ConfigError("--token and --token-file: give one of them");
  if (flag !== undefined) return flag;
  const base = env.INIT_CWD ?? process.cwd();
  if (fileFlag !== undefined) return readTokenFile(resolve(base, fileFlag), "--token-file");
  if (env.TESSERA_TOKEN) return env.TESSERA_TOKEN;
  if (env.TESSERA_TOKEN_FILE) return readTokenFile(resolve(base, env.TESSERA_TOKEN_FILE), "TESSERA_TOKEN_FILE");
  return undefined;
}

/**
 * Merges command-line flags over environment variables over defaults.
 *
 * Token rules: `--token T`, `--token-file F`, a non-empty `TESSERA_TOKEN` or
 * `TESSERA_TOKEN_FILE` sets it (in that order); `--token ''` turns token auth off (an
 * empty `TESSERA_TOKEN` is treated as unset: an unset shell variable must not turn auth
 * off); otherwise a random token, unless a password is set. Listening beyond loopback with
 * neither a token nor a password is refused.
 * @example parseConfig(["--port", "9000"], process.env)
 */
export function parseConfig(argv: string[], env: NodeJS.ProcessEnv): ServerConfig & { help: boolean } {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: {
        port: { type: "string" },
        ip: { type: "string" },
        root: { type: "string" },
        users: { type: "string" },
        "kernel-memory": { type: "string" },
        token: { type: "string" },
        "token-file": { type: "string" },
        "password-hash": { type: "string" },
        certfile: { type: "string" },
        keyfile: { type: "string" },
        "base-url": { type: "string" },
        "allow-origin": { type: "string", multiple: true },
        "web-root": { type: "string" },
        quiet: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
      allowPositionals: false,
    });
  } catch (err) {
    throw new ConfigError(`${(err as Error).message}\n\n${USAGE}`);
  }
  const v = parsed.values;
  if (v.help) return { ...defaultsForHelp(), help: true };
  const portText = v.port ?? env.TESSERA_PORT ?? "8888";
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError(`invalid port: ${portText}`);
  const ip = pick(v.ip, env.TESSERA_IP) ?? "127.0.0.1";
  const usersFile = pick(v.users, env.TESSERA_USERS);
  const users = usersFile === undefined ? null : loadUsersFile(resolve(env.INIT_CWD ?? process.cwd(), usersFile));
  const passwordHash = users ? null : passwordHashFrom(v["password-hash"], env);
  const tokenGiven = tokenFrom(v.token, v["token-file"], env);
  const tokenGenerated = tokenGiven === undefined && passwordHash === null;
  const token = tokenGiven ?? (tokenGenerated ? randomBytes(24).toString("hex") : "");
  if (!token && !passwordHash && !users && !isLoopbackAddress(ip)) {
    throw new ConfigError(
      `refusing to listen on ${ip} with no token and no password: anyone who can reach it could run code as you.\n` +
        `  Set a password: tessera password (npm run password), then start again;\n` +
        `  or a token: --token <secret> (or TESSERA_TOKEN);\n` +
        `  or listen on loopback only (--ip 127.0.0.1) and reach it through an SSH tunnel.`,
    );
  }
  const fileFrom = (value: string | undefined) => (value === undefined ? null : resolve(value));
  const certfile = fileFrom(pick(v.certfile, env.TESSERA_CERTFILE));
  const keyfile = fileFrom(pick(v.keyfile, env.TESSERA_KEYFILE));
  if ((certfile === null) !== (keyfile === null)) {
    throw new ConfigError(`--certfile and --keyfile go together (got only ${certfile ? "--certfile" : "--keyfile"})`);
  }
  const memoryText = pick(v["kernel-memory"], env.TESSERA_KERNEL_MEMORY);
  let kernelMemory: number | null = Math.floor(totalmem() * 0.75);
  if (memoryText !== undefined) {
    kernelMemory = memoryText === "none" ? null : parseSize(memoryText);
    if (kernelMemory === null && memoryText !== "none")
      throw new ConfigError(`--kernel-memory must be a size such as 16GiB or 512MiB, or none (got ${memoryText})`);
  }
  return {
    ip,
    port,
    kernelMemory,
    root: resolve(v.root ?? env.TESSERA_ROOT ?? env.INIT_CWD ?? process.cwd()),
    token,
    tokenGenerated,
    allowOrigins: v["allow-origin"] ?? [],
    webRoot: v["web-root"] ?? null,
    quiet: v.quiet ?? false,
    baseUrl: normalizeBaseUrl(pick(v["base-url"], env.TESSERA_BASE_URL) ?? "/"),
    passwordHash,
    certfile,
    keyfile,
    users,
    help: false,
  };
}

function defaultsForHelp(): ServerConfig {
  return {
    ip: "127.0.0.1",
    port: 8888,
    root: process.cwd(),
    token: "",
    tokenGenerated: false,
    allowOrigins: [],
    webRoot: null,
    quiet: false,
  };
}

export { USAGE };
