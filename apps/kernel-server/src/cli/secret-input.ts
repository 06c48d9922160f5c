/**
 * Reading a secret: from a terminal without echo (raw mode, so nothing typed is shown or
 * left in scrollback), or the first line of piped stdin for scripts.
 */
import { ConfigError } from "./config-error.js";

/** Reads one line from a TTY without echoing it. Ctrl+C or Ctrl+D on an empty line cancels. */
export function readHiddenLine(prompt: string, input: NodeJS.ReadStream, output: NodeJS.WritableStream): Promise<string> {
  // Echo off before the prompt shows: an answer typed (or pasted) the moment it appears is not echoed.
  input.setRawMode(true);
  input.setEncoding("utf8");
  input.resume();
  output.write(prompt);
  let chars: string[] = [];
  return new Promise((resolve, reject) => {
    const finish = (error?: Error) => {
      input.off("data", onData);
      input.setRawMode(false);
      input.pause();
      output.write("\n");
      if (error) reject(error);
      else resolve(chars.join(""));
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === "\r" || ch === "\n") return finish();
        if (ch === "\u0003" || (ch === "\u0004" && chars.length === 0)) return finish(new Error("cancelled"));
        if (ch === "\u007f" || ch === "\b") chars = chars.slice(0, -1);
        else if (ch === "\u0015")
          chars = []; // Ctrl+U: clear the line
        else if (ch >= " ") chars.push(ch);
      }
    };
    input.on("data", onData);
  });
}

/** The first line of a non-TTY stdin (without its line ending). */
export async function readFirstLine(input: NodeJS.ReadableStream): Promise<string> {
  let text = "";
  for await (const chunk of input) {
    text += typeof chunk === "string" ? chunk : (chunk as Buffer).toString("utf8");
    if (text.includes("\n")) break;
  }
  return text.split("\n")[0].replace(/\r$/, "");
}

/**
 * A new password: asked twice without echo on a terminal (`prompt`, then "Verify password: "),
 * or the first line of piped stdin. Throws ConfigError for a cancel, an empty password or a
 * mismatch, each message ending with `unchanged` ("the password was not changed").
 */
export async function readNewPassword(
  io: { stdin: NodeJS.ReadStream; stderr: NodeJS.WritableStream },
  prompt: string,
  unchanged: string,
): Promise<string> {
  const refuse = (why: string) => new ConfigError(`${why}: ${unchanged}`);
  if (!io.stdin.isTTY) {
    const line = await readFirstLine(io.stdin);
    if (line === "") throw refuse("no password on stdin (send it as one line)");
    return line;
  }
  const cancelled = () => {
    throw refuse("cancelled");
  };
  const password = await readHiddenLine(prompt, io.stdin, io.stderr).catch(cancelled);
  if (password === "") throw refuse("an empty password is not allowed");
  const again = await readHiddenLine("Verify password: ", io.stdin, io.stderr).catch(cancelled);
  if (again !== password) throw refuse("the passwords do not match");
  return password;
}
