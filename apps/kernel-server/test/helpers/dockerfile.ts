/**
 * A small Dockerfile reader for tests (no Docker engine needed): instructions with their
 * line numbers, backslash continuations, comments, `ARG` defaults substituted into `FROM`,
 * and stages (`FROM image AS name`).
 */

export interface Instruction {
  /** Upper case: "FROM", "COPY", … */
  keyword: string;
  /** Everything after the keyword, continuations joined with a space. */
  args: string;
  /** 1-based line where it starts. */
  line: number;
}

export interface Stage {
  index: number;
  /** The `AS` name, lower case as Docker treats it; null when unnamed. */
  name: string | null;
  /** The base image after ARG substitution (or an earlier stage's name). */
  from: string;
  instructions: Instruction[];
}

export interface Dockerfile {
  /** ARGs declared before the first FROM, with their defaults. */
  globalArgs: Record<string, string>;
  stages: Stage[];
}

const KEYWORDS = new Set([
  "ADD",
  "ARG",
  "CMD",
  "COPY",
  "ENTRYPOINT",
  "ENV",
  "EXPOSE",
  "FROM",
  "HEALTHCHECK",
  "LABEL",
  "MAINTAINER",
  "ONBUILD",
  "RUN",
  "SHELL",
  "STOPSIGNAL",
  "USER",
  "VOLUME",
  "WORKDIR",
]);

/** Splits the text into instructions; throws on an unknown keyword or a dangling continuation. */
export function instructionsOf(text: string): Instruction[] {
  const out: Instruction[] = [];
  let pending: { parts: string[]; line: number } | null = null;
  text.split(/\r?\n/).forEach((raw, i) => {
    const trimmed = raw.trim();
    // Comment lines are dropped, even between continuation lines (as Docker does).
    if (trimmed.startsWith("#")) return;
    if (trimmed === "" && !pending) return;
    const continues = /\\\s*$/.test(raw);
    const body = continues ? raw.replace(/\\\s*$/, "") : raw;
    if (pending) pending.parts.push(body.trim());
    else pending = { parts: [body.trim()], line: i + 1 };
    if (continues) return;
    const joined = pending.parts.filter(Boolean).join(" ");
    const m = /^(\S+)\s*(.*)$/.exec(joined);
    if (!m) throw new Error(`line ${pending.line}: empty instruction`);
    const keyword = m[1].toUpperCase();
    if (!KEYWORDS.has(keyword)) throw new Error(`line ${pending.line}: unknown instruction ${m[1]}`);
    out.push({ keyword, args: m[2], line: pending.line });
    pending = null;
  });
  if (pending) throw new Error(`line ${(pending as { line: number }).line}: the file ends inside a continuation`);
  return out;
}

/** `${NAME}` and `$NAME` from `vars`. */
export function substitute(value: string, vars: Record<string, string>): string {
  return value.replace(/\$\{(\w+)\}|\$(\w+)/g, (whole, a: string | undefined, b: string | undefined) => vars[(a ?? b)!] ?? whole);
}

/** Parses a Dockerfile into its global ARGs and stages. */
export function parseDockerfile(text: string): Dockerfile {
  const globalArgs: Record<string, string> = {};
  const stages: Stage[] = [];
  for (const ins of instructionsOf(text)) {
    if (ins.keyword === "FROM") {
      const words = ins.args.split(/\s+/).filter((w) => !w.startsWith("--platform="));
      if (words.length !== 1 && !(words.length === 3 && words[1].toUpperCase() === "AS"))
        throw new Error(`line ${ins.line}: FROM image [AS name], got "${ins.args}"`);
      stages.push({
        index: stages.length,
        name: words[2]?.toLowerCase() ?? null,
        from: substitute(words[0], globalArgs),
        instructions: [],
      });
    } else if (stages.length === 0) {
      if (ins.keyword !== "ARG") throw new Error(`line ${ins.line}: only ARG may come before the first FROM`);
      const [name, value = ""] = ins.args.split("=", 2);
      globalArgs[name.trim()] = value.trim();
    } else {
      stages[stages.length - 1].instructions.push(ins);
    }
  }
  if (stages.length === 0) throw new Error("no FROM");
  return { globalArgs, stages };
}

/** The `--name=value` flags and the remaining words of a COPY/ADD (shell form). */
export function copyParts(args: string): { flags: Record<string, string>; sources: string[]; dest: string } {
  const words = args.split(/\s+/).filter(Boolean);
  const flags: Record<string, string> = {};
  while (words[0]?.startsWith("--")) {
    const [k, v = ""] = words.shift()!.slice(2).split("=", 2);
    flags[k] = v;
  }
  if (words[0]?.startsWith("[")) {
    const list = JSON.parse(words.join(" ")) as string[];
    return { flags, sources: list.slice(0, -1), dest: list[list.length - 1] };
  }
  return { flags, sources: words.slice(0, -1), dest: words[words.length - 1] };
}

/** The JSON (exec) form of CMD/ENTRYPOINT, or null for the shell form. */
export function execForm(args: string): string[] | null {
  if (!args.trim().startsWith("[")) return null;
  const list = JSON.parse(args) as unknown;
  if (!Array.isArray(list) || !list.every((x) => typeof x === "string")) throw new Error(`not a JSON string array: ${args}`);
  return list;
}

/** The last instruction of a kind in a stage (the one that counts for CMD, USER, …). */
export function last(stage: Stage, keyword: string): Instruction | undefined {
  return stage.instructions.filter((i) => i.keyword === keyword).pop();
}
