#!/usr/bin/env node
import { ConfigError, USAGE, parseConfig } from "./config.js";
import { runPasswordCommand } from "./password-command.js";
import { startServer } from "./server.js";

function fail(err: unknown): never {
  process.stderr.write(`tessera: ${(err as Error).message}\n`);
  process.exit(err instanceof ConfigError ? 2 : 1);
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv[0] === "password") {
    await runPasswordCommand(argv.slice(1), process.env, process).catch(fail);
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
  const server = await startServer(config).catch((err: Error & { code?: string }) => {
    const why = err.code === "EADDRINUSE" ? `port ${config.port} is in use (try --port ${config.port + 1})` : err.message;
    process.stderr.write(`tessera: cannot start: ${why}\n`);
    process.exit(1);
  });
  const tokenPart = config.token ? `?token=${config.token}` : "";
  if (!config.quiet) {
    process.stdout.write(`Tessera is running. Notebook root: ${config.root}\n`);
    if (config.token) process.stdout.write(`Open this URL in a browser (the token in it is your login):\n`);
    else if (config.passwordHash) process.stdout.write(`Open this URL in a browser and log in with your password:\n`);
    else process.stdout.write(`Open this URL in a browser (no token or password: anyone on this machine can use it):\n`);
  }
  process.stdout.write(`    ${server.url}${tokenPart}\n`);
  if (!config.quiet) process.stdout.write(`Press Ctrl+C to stop (kernels are shut down with the server).\n`);

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) {
      server.kernels.killAll();
      process.exit(1);
    }
    stopping = true;
    process.stderr.write(`\n${signal}: shutting down kernels…\n`);
    const hard = setTimeout(() => {
      server.kernels.killAll();
      process.exit(1);
    }, 5000);
    server
      .close()
      .catch(() => server.kernels.killAll())
      .finally(() => {
        clearTimeout(hard);
        process.exit(0);
      });
  };
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGHUP", () => stop("SIGHUP"));
  process.on("exit", () => server.kernels.killAll());
}

void main();
