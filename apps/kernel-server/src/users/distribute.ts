import type { DistributeRequest, DistributeResult } from "@tessera/protocol";
import { HttpError } from "../http/http-error.js";
import type { Workspace } from "./workspace.js";
import type { Workspaces } from "./workspaces.js";

/**
 * Copies a file from the teacher's home into each chosen user's home at the same path
 * (folders made as needed, each write atomic). A user who already has a file there keeps
 * it unless `overwrite`. Throws an HttpError when the source cannot be read.
 */
export async function distribute(workspaces: Workspaces, from: Workspace, req: DistributeRequest): Promise<DistributeResult> {
  const path = req.path.replace(/^\/+/, "");
  const source = await from.contents.get(path, { content: true });
  if (source.type === "directory") throw new HttpError(400, `${path} is a folder: choose a notebook or a file`);
  const names =
    req.users ??
    workspaces
      .all()
      .filter((ws) => ws.user.role === "student")
      .map((ws) => ws.user.name);
  const result: DistributeResult = { copied: [], skipped: [] };
  for (const name of names) {
    if (!workspaces.has(name)) {
      result.skipped.push({ user: name, reason: "no such user" });
      continue;
    }
    const to = workspaces.get(name);
    if (to === from) {
      result.skipped.push({ user: name, reason: "it is your own home" });
      continue;
    }
    try {
      if (!req.overwrite && (await to.contents.exists(path))) {
        result.skipped.push({ user: name, reason: "already has it (choose overwrite to replace it)" });
        continue;
      }
      const parts = path.split("/").slice(0, -1);
      for (let i = 1; i <= parts.length; i++) {
        const dir = parts.slice(0, i).join("/");
        if (!(await to.contents.exists(dir))) await to.contents.save(dir, { type: "directory" });
      }
      await to.contents.save(path, { type: source.type, format: source.format, content: source.content });
      result.copied.push(name);
    } catch (err) {
      result.skipped.push({ user: name, reason: (err as Error).message });
    }
  }
  return result;
}
