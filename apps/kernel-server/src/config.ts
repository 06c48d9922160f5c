import { randomBytes } from "node:crypto";
import { resolve } from "node:path";
import { parseArgs } from "node:util";

/** Everything the server needs to start, after flags and environment are merged. */
export interface ServerConfig {
  ip: string;
  port: number;
  /** Absolute path of the notebook root; every contents path is jailed to it. */
  root: string;
  /** The auth token; empty means auth disabled (only allowed on loopback). */
  token: string;
  /** True when the token was generated rather than given. */
  tokenGenerated: boolean;
  /** Extra origins allowed to open WebSockets and make cookie-authenticated writes. */
  allowOrigins: string[];
  /** Where the built page lives (apps/web/dist); null to serve no page. */
  webRoot: string | null;
  /** Open the browser? (never in CI) */
  quiet: boolean;
}

export class ConfigError extends Error {}

const USAGE = `Usage: tessera [--port P] [--ip A] [--root DIR] [--token T] [--allow-origin O]...

  --port P          port to listen on (env TESSERA_PORT, default 8888; 0 = any free port)
  --ip A            address to listen on (default 127.0.0.1)
  --root DIR        notebook root (env TESSERA_ROOT, default: the directory the command ran in)
  --token T         auth token (env TESSERA_TOKEN, default: a random one, printed in the URL)
  --allow-origin O  an extra Origin allowed to connect (repeatable)
  --quiet           print only the URL
`;

/**
 * Merges command-line flags over environment variables over defaults.
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
        token: { type: "string" },
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
  const portText = v.port ?? env.TESSERA_PORT ?? "8888";
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError(`invalid port: ${portText}`);
  const tokenGiven = v.token ?? (env.TESSERA_TOKEN || undefined);
  const token = tokenGiven ?? randomBytes(24).toString("hex");
  const root = resolve(v.root ?? env.TESSERA_ROOT ?? env.INIT_CWD ?? process.cwd());
  return {
    ip: v.ip ?? env.TESSERA_IP ?? "127.0.0.1",
    port,
    root,
    token,
    tokenGenerated: tokenGiven === undefined,
    allowOrigins: v["allow-origin"] ?? [],
    webRoot: v["web-root"] ?? null,
    quiet: v.quiet ?? false,
    help: v.help ?? false,
  };
}

export { USAGE };
