import { chmodSync, lchownSync, mkdirSync, readdirSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { ConfigError } from "../cli/config-error.js";
import type { UsersConfig } from "./users-file.js";

/** Gives a folder and everything in it to `uid:gid` (symlinks themselves, never their targets). */
function chownTree(path: string, uid: number, gid: number): void {
  lchownSync(path, uid, gid);
  let entries;
  try {
    entries = readdirSync(path, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) {
    const p = join(path, e.name);
    if (e.isDirectory()) chownTree(p, uid, gid);
    else lchownSync(p, uid, gid);
  }
}

/**
 * Makes every user's home at start. With separate kernel uids each home belongs to its
 * user's uid, mode 0700 (what the server wrote there before is handed over too), and the
 * folder of homes is 0711: a kernel can reach its own home but cannot list or enter another's.
 */
export function prepareHomes(config: UsersConfig, kernelMain: string): void {
  mkdirSync(config.homes, { recursive: true, mode: 0o750 });
  if (config.kernelUids === "separate") {
    // Kernels under other uids must reach their homes and the kernel's code: say so at start, not at the first kernel.
    for (const [what, path, fix] of [
      ["the folder of homes", config.homes, "Put `homes:` somewhere every user can pass through (e.g. /srv/tessera/homes)"],
      ["the kernel's code", kernelMain, "Install Tessera where every user can read it (e.g. /opt/tessera)"],
    ] as const) {
      const blocked = blockedAncestor(path);
      if (blocked)
        throw new ConfigError(
          `${config.file}: kernels run under each user's own uid, but ${what} (${path}) is out of their reach: ${blocked} is not searchable by other users. ${fix}, or set kernelUids: none.`,
        );
    }
  }
  if (config.kernelUids === "separate") chmodSync(config.homes, 0o711);
  for (const u of config.users) {
    mkdirSync(u.home, { recursive: true, mode: 0o750 });
    if (u.kernelIds) {
      chownTree(u.home, u.kernelIds.uid, u.kernelIds.gid);
      chmodSync(u.home, 0o700);
    }
  }
}

/** The first folder above `path` that users other than its owner cannot pass through, or null. */
export function blockedAncestor(path: string): string | null {
  for (let dir = dirname(path); ; dir = dirname(dir)) {
    if ((statSync(dir).mode & 0o001) === 0) return dir;
    if (dir === dirname(dir)) return null;
  }
}
