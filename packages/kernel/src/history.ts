/**
 * This session's executed inputs (and their text results), for `history_request`.
 */
import type { HistoryReplyContent, HistoryRequestContent } from "@tessera/protocol";
import { ArrayPrototypePush } from "./runtime/primordials.js";

/** The number this session reports; requests for session 0 mean "the current one", as in IPython. */
export const SESSION_NUMBER = 1;

interface Entry {
  line: number;
  input: string;
  output: string | null;
}

/** `*` and `?` globs (IPython's search syntax) as a RegExp over the whole input. */
function globToRegExp(pattern: string): RegExp {
  const body = pattern
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, "[\\s\\S]*")
    .replace(/\?/g, "[\\s\\S]");
  return new RegExp(`^${body}$`);
}

export class History {
  private readonly entries: Entry[] = [];

  // add and setOutput run on every execution, after cells may have replaced Array methods:
  // captured built-ins only. (query runs with pristine ones: see runtime/pristine.ts.)

  /** Records an executed input under its execution count. */
  add(line: number, input: string): void {
    ArrayPrototypePush(this.entries, { line, input, output: null });
  }

  /** Records the text/plain result of execution `line`. */
  setOutput(line: number, output: string): void {
    for (let i = this.entries.length - 1; i >= 0; i--) {
      if (this.entries[i].line !== line) continue;
      this.entries[i].output = output;
      return;
    }
  }

  /** Every input so far, oldest first. */
  inputs(): string[] {
    return this.entries.map((e) => e.input);
  }

  /** Answers a `history_request` (tail, range or search). */
  query(request: Partial<HistoryRequestContent>): HistoryReplyContent {
    let selected: Entry[];
    const session = request.session ?? 0;
    if (session !== 0 && session !== SESSION_NUMBER) {
      selected = [];
    } else if (request.hist_access_type === "range") {
      const start = request.start ?? 0;
      const stop = request.stop ?? Number.POSITIVE_INFINITY;
      selected = this.entries.filter((e) => e.line >= start && e.line < stop);
    } else if (request.hist_access_type === "search") {
      const re = globToRegExp(request.pattern ?? "*");
      selected = this.entries.filter((e) => re.test(e.input));
      if (request.unique) {
        const seen = new Set<string>();
        selected = selected
          .reverse()
          .filter((e) => !seen.has(e.input) && seen.add(e.input))
          .reverse();
      }
      if (request.n !== undefined && request.n !== null) selected = selected.slice(-request.n);
    } else {
      const n = request.n ?? 10;
      selected = n > 0 ? this.entries.slice(-n) : [];
    }
    const history = selected.map((e): HistoryReplyContent["history"][number] =>
      request.output ? [SESSION_NUMBER, e.line, [e.input, e.output]] : [SESSION_NUMBER, e.line, e.input],
    );
    return { status: "ok", history };
  }
}
