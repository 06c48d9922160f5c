import { parseArgs } from "node:util";
import { hashPassword } from "../auth/password-hash.js";
import { ConfigError } from "./config-error.js";
import { readNewPassword } from "./secret-input.js";
import { serverJsonPath, updateServerJson } from "./server-json.js";

export const PASSWORD_USAGE = `Usage: tessera password

Sets the password the login page accepts, like \`jupyter server password\`: asks for it twice
on a terminal (nothing is shown), or reads one line from stdin when it is piped
(\`printf '%s\\n' "$PW" | tessera password\`). Only a salted scrypt hash is stored, in
$TESSERA_CONFIG_DIR/server.json (default ~/.tessera/server.json, mode 0600). Restart the
server to use it.
`;

export interface PasswordIo {
  stdin: NodeJS.ReadStream;
  stderr: NodeJS.WritableStream;
  stdout: NodeJS.WritableStream;
}

/**
 * `tessera password`: hashes a new password into server.json. Throws ConfigError with a
 * message for the user (nothing typed is ever printed).
 */
export async function runPasswordCommand(argv: string[], env: NodeJS.ProcessEnv, io: PasswordIo): Promise<void> {
  let help = false;
  try {
    help =
      parseArgs({ args: argv, options: { help: { type: "boolean", short: "h" } }, strict: true, allowPositionals: false }).values.help ??
      false;
  } catch (err) {
    throw new ConfigError(`${(err as Error).message}\n\n${PASSWORD_USAGE}`);
  }
  if (help) {
    io.stdout.write(PASSWORD_USAGE);
    return;
  }
  const password = await readNewPassword(io, "Enter password: ", "the password was not changed");
  const file = serverJsonPath(env);
  await updateServerJson(file, { passwordHash: await hashPassword(password) });
  io.stdout.write(`Wrote the password hash to ${file}. Restart the server to use it.\n`);
}
