import { STATUS_CODES } from "node:http";
import { HttpError } from "../http/http-error.js";

/**
 * An error of the contents service: an HttpError (400, 403, 404, 409, 413, 500, 503 or 507)
 * whose `reason` is the status text unless given.
 * Messages name API paths ("dir/a.ipynb"), never absolute paths on the server's disk.
 *
 * @example
 * throw new ContentsError(404, "No such file or directory: data/x.csv");
 */
export class ContentsError extends HttpError {
  declare readonly reason: string;

  constructor(status: number, message: string, reason?: string) {
    super(status, message, reason ?? STATUS_CODES[status] ?? "Error");
    this.name = "ContentsError";
  }
}

/** Quotes a client-supplied path for a message, so control characters cannot forge log lines. */
export function quotePath(path: string): string {
  return JSON.stringify(path);
}

function errnoCode(err: unknown): string | undefined {
  if (typeof err === "object" && err !== null && "code" in err) {
    const code = (err as { code: unknown }).code;
    return typeof code === "string" ? code : undefined;
  }
  return undefined;
}

/** True when `err` is a Node file system error with one of the given codes. */
export function isErrno(err: unknown, ...codes: string[]): boolean {
  const code = errnoCode(err);
  return code !== undefined && codes.includes(code);
}

/**
 * Turns a Node file system error into a ContentsError. Node's own messages carry the
 * absolute path, so only the error code is used; `apiPath` and `action` make the message.
 */
export function fsError(err: unknown, apiPath: string, action: string): ContentsError {
  if (err instanceof ContentsError) return err;
  const path = quotePath(apiPath);
  switch (errnoCode(err)) {
    case "ENOENT":
    case "ENOTDIR":
      return new ContentsError(404, `No such file or directory: ${path}`);
    case "EEXIST":
    case "ENOTEMPTY":
      return new ContentsError(409, `File already exists: ${path}`);
    case "EACCES":
    case "EPERM":
      return new ContentsError(403, `Permission denied: cannot ${action} ${path}`);
    case "EROFS":
      return new ContentsError(403, `Read-only file system: cannot ${action} ${path}`);
    case "ENOSPC":
    case "EDQUOT":
      return new ContentsError(507, `Not enough disk space to ${action} ${path}`);
    case "EFBIG":
      return new ContentsError(413, `File too large for the file system: cannot ${action} ${path}`);
    case "EISDIR":
      return new ContentsError(400, `${path} is a directory`);
    case "ENAMETOOLONG":
      return new ContentsError(400, `File name too long: ${path}`);
    case "ELOOP":
      return new ContentsError(400, `Too many levels of symbolic links: ${path}`);
    case "EINVAL":
      return new ContentsError(400, `Invalid operation: cannot ${action} ${path}`);
    case "EXDEV":
      return new ContentsError(400, `Cannot ${action} ${path} across file systems`);
    case "EMFILE":
    case "ENFILE":
      return new ContentsError(503, `Too many open files: cannot ${action} ${path}; try again`);
    default: {
      const code = errnoCode(err);
      return new ContentsError(500, `Unexpected error: cannot ${action} ${path}${code ? ` (${code})` : ""}`);
    }
  }
}
