import { randomInt } from "node:crypto";
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { isMap, isSeq, parseDocument } from "yaml";
import { hashPassword } from "../auth/password-hash.js";
import { writeFileAtomic } from "../contents/atomic-write.js";
import { ConfigError } from "../cli/config-error.js";
import type { PasswordIo } from "../cli/password-command.js";
import { readNewPassword } from "../cli/secret-input.js";
import { USER_NAME, parseUsersFile } from "./users-file.js";

export const USERS_USAGE = `Usage: tessera users init FILE [--students N] [--prefix P] [--teacher NAME]
       tessera users add FILE NAME [--role teacher|student]

  init   writes a new users file for a workshop: one teacher and N students (default 30)
         named P01, P02… (default prefix "student"), each with a random password. The
         passwords are printed once, as CSV (name,password) on stdout, to hand out; the
         file keeps only their hashes. Limits go in the file's defaults: (see docs/workshops.md).
  add    adds a user to FILE (made if missing), asking for the password twice on a terminal
         or reading one line from stdin; --role teacher makes them a teacher.

Start the server with: tessera --users FILE
`;

/** Easy to read aloud and type: no 0/O, 1/l/I. */
const ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789";

/** A random password of four groups of four characters (~78 bits). */
export function randomPassword(): string {
  const groups: string[] = [];
  for (let g = 0; g < 4; g++) {
    let s = "";
    for (let i = 0; i < 4; i++) s += ALPHABET[randomInt(ALPHABET.length)];
    groups.push(s);
  }
  return groups.join("-");
}

const TEMPLATE = `# Tessera workshop users (see docs/workshops.md). Passwords are stored as hashes only.
# Each user's home is homes/<name>, next to this file.
homes: ./homes
# Limits for every student; a user's own limits: override them.
defaults:
  kernels: 2          # kernels running at once
  memory: 4GiB        # per kernel; beyond it the kernel is stopped with a message
  idleTimeout: 30m    # idle kernels are shut down
  cpuThreads: 2       # threads per kernel for tensor ops
  # gpuMemory: 25%    # share of each GPU's memory one kernel may take
# gpus: [0, 1]        # spread students' kernels over these GPUs, one each in turn
# kernelUids: auto    # run as root, each user's kernels get a uid of their own (none: the server's)
users: []
`;

/** Adds users to a users file's text, keeping its comments; checks the result parses. */
function withUsers(text: string, file: string, users: Array<{ name: string; role: string; password: string }>): string {
  const doc = parseDocument(text);
  if (doc.errors.length > 0) throw new ConfigError(`${file}: ${doc.errors[0].message}`);
  let list = doc.get("users");
  if (!isSeq(list)) {
    doc.set("users", doc.createNode([]));
    list = doc.get("users");
  }
  if (!isSeq(list)) throw new ConfigError(`${file}: users must be a list`);
  for (const u of users) {
    const node = doc.createNode(
      u.role === "teacher" ? { name: u.name, role: "teacher", password: u.password } : { name: u.name, password: u.password },
    );
    if (isMap(node)) node.flow = true;
    list.add(node);
  }
  list.flow = false;
  const out = doc.toString({ lineWidth: 0 });
  // The result must be a file the server accepts, except for "no teacher yet" while adding the first users.
  try {
    parseUsersFile(out, file);
  } catch (err) {
    if (!/no user has role: teacher/.test((err as Error).message)) throw err;
  }
  return out;
}

/** `tessera users init|add`: see {@link USERS_USAGE}. */
export async function runUsersCommand(argv: string[], io: PasswordIo): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: {
        students: { type: "string" },
        prefix: { type: "string" },
        teacher: { type: "string" },
        role: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
      allowPositionals: true,
    });
  } catch (err) {
    throw new ConfigError(`${(err as Error).message}\n\n${USERS_USAGE}`);
  }
  const [verb, fileArg, name] = parsed.positionals;
  const v = parsed.values;
  if (v.help || !verb) {
    io.stdout.write(USERS_USAGE);
    return;
  }
  if (!fileArg) throw new ConfigError(`missing FILE\n\n${USERS_USAGE}`);
  // Relative to where the command was typed (npm run sets the cwd to the package, INIT_CWD to that place).
  const file = resolve(process.env.INIT_CWD ?? process.cwd(), fileArg);
  const existing = await readFile(file, "utf8").catch((err: NodeJS.ErrnoException) => {
    if (err.code === "ENOENT") return null;
    throw new ConfigError(`cannot read ${file}: ${err.message}`);
  });

  if (verb === "init") {
    if (existing !== null) throw new ConfigError(`${file} exists: use \`tessera users add\` to add users, or choose another file`);
    const count = Number(v.students ?? "30");
    if (!Number.isInteger(count) || count < 0 || count > 1000)
      throw new ConfigError(`--students must be a whole number from 0 to 1000 (got ${v.students})`);
    const prefix = v.prefix ?? "student";
    const teacher = v.teacher ?? "teacher";
    const width = Math.max(2, String(count).length);
    const names = [teacher, ...Array.from({ length: count }, (_, i) => `${prefix}${String(i + 1).padStart(width, "0")}`)];
    for (const n of names)
      if (!USER_NAME.test(n)) throw new ConfigError(`${JSON.stringify(n)} cannot be a user name (letters, digits, _ . -)`);
    const passwords = names.map(() => randomPassword());
    const hashes = await Promise.all(passwords.map((p) => hashPassword(p)));
    const text = withUsers(
      TEMPLATE,
      file,
      names.map((n, i) => ({ name: n, role: i === 0 ? "teacher" : "student", password: hashes[i] })),
    );
    await writeFileAtomic(file, text);
    io.stdout.write("name,password\n" + names.map((n, i) => `${n},${passwords[i]}\n`).join(""));
    io.stderr.write(`Wrote ${file} (${names.length} users). The passwords above are not stored anywhere: keep them now.\n`);
    return;
  }
  if (verb === "add") {
    if (!name || !USER_NAME.test(name)) throw new ConfigError(`give a user name (letters, digits, _ . -): tessera users add FILE NAME`);
    const role = v.role ?? "student";
    if (role !== "teacher" && role !== "student") throw new ConfigError(`--role must be teacher or student (got ${role})`);
    const text = existing ?? TEMPLATE;
    const current = parseDocument(text).toJS() as { users?: Array<{ name?: string }> } | null;
    if (current?.users?.some((u) => u.name?.toLowerCase() === name.toLowerCase())) throw new ConfigError(`${name} is already in ${file}`);
    const password = await readNewPassword(io, `Password for ${name}: `, "nothing was changed");
    await writeFileAtomic(file, withUsers(text, file, [{ name, role, password: await hashPassword(password) }]));
    io.stdout.write(`Added ${role} ${name} to ${file}. Restart the server to use it.\n`);
    return;
  }
  throw new ConfigError(`unknown command users ${verb}\n\n${USERS_USAGE}`);
}
