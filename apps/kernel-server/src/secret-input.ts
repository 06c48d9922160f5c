/**
 * Reading a secret: from a terminal without echo (raw mode, so nothing typed is shown or
 * left in scrollback), or the first line of piped stdin for scripts.
 */

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
        else if (ch === "\u0015") chars = []; // Ctrl+U: clear the line
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
