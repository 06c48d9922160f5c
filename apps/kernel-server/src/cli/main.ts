import { ConfigError, USAGE, parseConfig } from "./config.js";
import { runPasswordCommand } from "./password-command.js";
import { scrubSecrets } from "./scrub-secrets.js";
import { ensureCookieSecret } from "./server-json.js";
import { runUsersCommand } from "../users/users-command.js";
import { startServer } from "../server.js";

/**
 * The secrets were read: take them out of what kernels (same user: /proc/<pid>/environ)
 * and other users (anyone: /proc/<pid>/cmdline, ps) can read of this process.
 */
function hideSecrets(argv: string[]): void {
  const envNames = ["TESSERA_TOKEN", "TESSERA_PASSWORD_HASH"].filter((name) => process.env[name]);
  const argFlags = ["--token", "--password-hash"].filter((flag) => argv.some((a) => a === flag || a.startsWith(`${flag}=`)));
  if (envNames.length === 0 && argFlags.length === 0) return;
  const { problem } = scrubSecrets({ envNames, argFlags });
  if (problem) {
    process.stderr.write(
      `Warning: ${[...envNames, ...argFlags].join(", ")} stay readable in /proc/${process.pid}: ${problem}. ` +
        `Code running as this user (kernels included) can read them; use --token-file.\n`,
    );
  }
}

function fail(err: unknown): never {
  process.stderr.write(`tessera: ${(err as Error).message}\n`);
  process.exit(err instanceof ConfigError ? 2 : 1);
}

/** The `tessera` command: `tessera [flags]` starts the server; `tessera password` and `tessera users` manage logins. */
export async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv[0] === "password") {
    await runPasswordCommand(argv.slice(1), process.env, process).catch(fail);
    return;
  }
  if (argv[0] === "users") {
    await runUsersCommand(argv.slice(1), process).catch(fail);
    return;
  }
  let config;
  try {
    config = parseConfig(argv, process.env);
  } catch (err) {
    fail(err);
  }
  if (config.help) {
    process.stdout.write(USAGE);
    return;
  }
  hideSecrets(argv);
  if (config.users) config.cookieSecret = await ensureCookieSecret(process.env).catch(fail);
  const server = await startServer(config).catch((err: Error & { code?: string }) => {
    const why = err.code === "EADDRINUSE" ? `port ${config.port} is in use (try --port ${config.port + 1})` : err.message;
    process.stderr.write(`tessera: cannot start: ${why}\n`);
    process.exit(1);
  });
  const tokenPart = config.token ? `?token=${config.token}` : "";
  if (!config.quiet) {
    if (config.users) {
      const { users, homes, file } = config.users;
      const teachers = users.filter((u) => u.role === "teacher").length;
      process.stdout.write(
        `Tessera is running in workshop mode: ${users.length} users (${teachers} teacher${teachers === 1 ? "" : "s"}) from ${file}, homes in ${homes}\n`,
      );
      process.stdout.write(`Users log in with their name and password at ${server.url}login\n`);
      if (config.users.kernelUids === "shared") {
        process.stderr.write(
          "Warning: every kernel runs as this server's own user (it is not running as root), so a student's code can read\n" +
            "other students' homes and this server's files. Run it as root (kernels then get a uid each) or see docs/workshops.md.\n",
        );
      }
      if (config.token)
        process.stdout.write(
          `This URL logs in as ${server.workspaces.all().find((w) => w.user.role === "teacher")!.user.name} (keep it to yourself):\n`,
        );
    } else {
      process.stdout.write(`Tessera is running. Notebook root: ${config.root}\n`);
      if (config.token) process.stdout.write(`Open this URL in a browser (the token in it is your login):\n`);
      else if (config.passwordHash) process.stdout.write(`Open this URL in a browser and log in with your password:\n`);
      else process.stdout.write(`Open this URL in a browser (no token or password: anyone on this machine can use it):\n`);
    }
  }
  process.stdout.write(`    ${server.url}${tokenPart}\n`);
  if (!config.quiet) process.stdout.write(`Press Ctrl+C to stop (kernels are shut down with the server).\n`);

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) {
      server.workspaces.killAll();
      process.exit(1);
    }
    stopping = true;
    process.stderr.write(`\n${signal}: shutting down kernels…\n`);
    const hard = setTimeout(() => {
      server.workspaces.killAll();
      process.exit(1);
    }, 5000);
    server
      .close()
      .catch(() => server.workspaces.killAll())
      .finally(() => {
        clearTimeout(hard);
        process.exit(0);
      });
  };
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGHUP", () => stop("SIGHUP"));
  process.on("exit", () => server.workspaces.killAll());
}
