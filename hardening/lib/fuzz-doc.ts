/**
 * Frames for the page's document socket (`/api/tessera/documents?path=…`): valid edits,
 * and messages the document protocol (and nbformat, which the document is saved as)
 * refuses. Each carries its verdict: "error" frames must get exactly one error answer,
 * "ok" frames none. The generator keeps to cells it knows exist, so its verdicts hold
 * whatever order the edits land in.
 */
import { DEEP, PROTO_KEYS, type Rng, randomJson, toJsonText, weirdString, wrongType } from "./fuzz-rng.js";

export interface DocFrame {
  data: string;
  verdict: "ok" | "error";
  /** The requestId it carries, if any (its reply names it). */
  requestId?: string;
  /** What it is, for failure messages. */
  note: string;
}

type Json = Record<string, unknown>;

/** Ops a page may send, and the ones only the server makes. */
const SERVER_OPS = ["append_output", "append_stream", "replace_output", "set_execution_count", "set_run_state", "trim_outputs"];

export class DocFuzzer {
  /** Cells this generator inserted and has not deleted: safe to delete, retype or move. */
  private readonly live: string[] = [];
  private n = 0;

  /** `pinned`: cells that stay (never deleted), so an index of 0 or 1 and edits on them are always valid. */
  constructor(
    private readonly rng: Rng,
    private readonly pinned: string[],
    private readonly maxHuge: number,
  ) {}

  private id(prefix: string): string {
    return `${prefix}${++this.n}`;
  }

  /** A cell nbformat accepts. */
  private goodCell(): Json {
    const id = this.id("fz-");
    return this.rng.chance(0.5)
      ? { id, cell_type: "code", source: weirdString(this.rng, 256), metadata: {}, outputs: [], execution_count: null }
      : { id, cell_type: this.rng.pick(["markdown", "raw"]), source: weirdString(this.rng, 256), metadata: { tags: [this.rng.word()] } };
  }

  /** An op that applies whatever the others did; its effect on `live` is recorded once it is sure to apply. */
  private goodOp(): { op: Json; effect?: () => void } {
    const rng = this.rng;
    const pinned = rng.pick(this.pinned);
    switch (rng.int(8)) {
      case 0: {
        const cell = this.goodCell();
        return { op: { op: "insert_cell", index: rng.int(2), cell }, effect: () => this.live.push(cell.id as string) };
      }
      case 1:
        if (this.live.length > 0) {
          const i = rng.int(this.live.length);
          const id = this.live[i];
          this.live.splice(i, 1);
          return { op: { op: "delete_cell", id } };
        }
        return { op: { op: "clear_outputs", id: pinned } };
      case 2:
        return { op: { op: "move_cell", id: pinned, index: rng.int(2) } };
      case 3:
        return {
          op: { op: "set_source", id: pinned, source: rng.chance(0.1) ? "s".repeat(rng.int(this.maxHuge)) : weirdString(rng, 1024) },
        };
      case 4:
        return { op: { op: "set_cell_metadata", id: pinned, metadata: { fuzz: randomJson(rng, 2), tags: [] } } };
      case 5:
        if (this.live.length > 0)
          return { op: { op: "set_cell_type", id: rng.pick(this.live), cell_type: rng.pick(["code", "markdown", "raw"]) } };
        return { op: { op: "clear_outputs", id: pinned } };
      case 6:
        return {
          op: {
            op: "set_notebook_metadata",
            metadata: { kernelspec: { name: "typescript", display_name: "TypeScript", language: "typescript" }, fuzz: randomJson(rng, 2) },
          },
        };
      default:
        return { op: { op: "clear_outputs", id: pinned } };
    }
  }

  /** An op the document must refuse (nbformat or the op's own rules say no); `allowed` when it is odd but valid. */
  private badOp(): { op: unknown; note: string; allowed?: boolean; refusedWhole?: boolean } {
    const rng = this.rng;
    const pinned = rng.pick(this.pinned);
    const badId = () => (rng.chance(0.5) ? `nope-${rng.word()}` : wrongType(rng, "id"));
    switch (rng.int(12)) {
      case 0:
        return { op: randomJson(rng, 0), note: "op is not an object", refusedWhole: true };
      case 1:
        return {
          op: { op: rng.pick([...PROTO_KEYS, rng.word(), ...SERVER_OPS]), id: pinned },
          note: "not an op a page may send",
          refusedWhole: true,
        };
      case 2:
        return {
          op: {
            op: rng.pick(["delete_cell", "set_source", "clear_outputs", "set_cell_metadata", "move_cell", "set_cell_type"]),
            id: badId(),
            index: 0,
            source: "",
            metadata: {},
            cell_type: "code",
          },
          note: "no such cell",
        };
      case 3:
        return { op: { op: "move_cell", id: pinned, index: rng.pick([-1, 1.5, "0", null, 1e9, [0]]) }, note: "bad index" };
      case 4:
        return { op: { op: "insert_cell", index: rng.pick([-1, 0.5, "0", null, 1e9]), cell: this.goodCell() }, note: "bad index" };
      case 5:
        return { op: { op: "set_source", id: pinned, source: wrongType(rng, "") }, note: "source is not a string" };
      case 6:
        return {
          op: { op: rng.pick(["set_cell_metadata", "set_notebook_metadata"]), id: pinned, metadata: rng.pick([null, [], [1, 2], "x", 5]) },
          note: "metadata is not an object",
          refusedWhole: true,
        };
      case 7:
        return {
          op: { op: "set_cell_type", id: pinned, cell_type: rng.pick([...PROTO_KEYS, "heading", "", 5]) },
          note: "no such cell type",
        };
      case 8: {
        // A cell nbformat refuses (a field of the wrong type: the document could not be saved),
        // or one with a field left out (allowed: nbformat readers fill in the default).
        const broken: Json = { id: this.id("bad-"), cell_type: "code", source: "", metadata: {}, outputs: [], execution_count: null };
        if (rng.chance(0.3)) {
          const field = rng.pick(["source", "outputs", "metadata", "execution_count"]);
          delete broken[field];
          return { op: { op: "insert_cell", index: 0, cell: broken }, note: `insert_cell without ${field}`, allowed: true };
        }
        const field = rng.pick(["source", "outputs", "metadata", "execution_count", "cell_type", "id"]);
        // (A list of strings is a valid source, an empty one too: only other types are wrong.)
        const wrong: Record<string, () => unknown> = {
          id: () => pinned,
          execution_count: () => rng.pick(["1", {}, [], true]),
          source: () => rng.pick([5, null, {}, [1], [["a"]], true]),
        };
        broken[field] = (wrong[field] ?? (() => wrongType(rng, broken[field])))();
        // A cell of the wrong shape is a malformed message; an id already taken only conflicts with the document.
        return { op: { op: "insert_cell", index: 0, cell: broken }, note: `insert_cell with a bad ${field}`, refusedWhole: field !== "id" };
      }
      case 9:
        return {
          op: { op: "insert_cell", index: 0, cell: rng.pick([null, "cell", [], { cell_type: "code" }]) },
          note: "insert_cell without a cell",
          refusedWhole: true,
        };
      case 10:
        // 100k levels: parsed fine, but the document could never be sent or saved again. The
        // message as a whole is malformed, so none of its ops may apply.
        return {
          op: { op: rng.pick(["set_cell_metadata", "set_notebook_metadata"]), id: pinned, metadata: { deep: DEEP } },
          note: "metadata nested 100k levels",
          refusedWhole: true,
        };
      default:
        return {
          op: { op: "set_cell_metadata", id: pinned, metadata: { fuzz: 1 }, extra: randomJson(rng, 1) },
          note: "an unknown field",
          allowed: true,
        };
    }
  }

  /** The next frame and its verdict. `requestId` is added to about half of them. */
  next(): DocFrame {
    const rng = this.rng;
    const requestId = rng.chance(0.5) ? this.id("r") : undefined;
    const rid = requestId ? { requestId } : {};
    // Only an object frame carries its requestId.
    const frame = (value: unknown, verdict: DocFrame["verdict"], note: string): DocFrame => ({
      data: toJsonText(value),
      verdict,
      note,
      ...(requestId && typeof value === "object" && value !== null && !Array.isArray(value) ? { requestId } : {}),
    });
    const r = rng.next();
    if (r < 0.05) return { data: `{"type":"ops","ops":[${rng.word()}`, verdict: "error", note: "not JSON" };
    if (r < 0.08) return frame(rng.pick([randomJson(rng, 0), [], [{ type: "ops" }], DEEP]), "error", "not an object");
    if (r < 0.11) return frame({ ...rid, kind: "ops" }, "error", "no type");
    if (r < 0.14)
      return frame({ ...rid, type: rng.pick([...PROTO_KEYS, rng.word(), "snapshot", "reply", "ping", 5, null]) }, "error", "unknown type");
    if (r < 0.18) return frame({ ...rid, type: "ops", ops: rng.pick([null, {}, "ops", 1, DEEP]) }, "error", "ops is not a list");
    if (r < 0.24)
      return frame(
        { ...rid, type: "execute", cellIds: rng.pick([null, "cell-0", 5, {}, [`nope-${rng.word()}`], [5], [DEEP]]) },
        "error",
        "execute: bad cellIds",
      );
    if (r < 0.28) {
      const c: Json = { ...rid, type: rng.pick(["complete", "inspect"]), cellId: rng.pick(this.pinned), code: "Math.", cursorPos: 5 };
      const field = rng.pick(["code", "cursorPos"]);
      c[field] = rng.chance(0.3) ? undefined : wrongType(rng, c[field]);
      return frame(c, "error", "complete/inspect: bad code or cursorPos");
    }
    if (r < 0.33) {
      // Nothing is asked, so a string is simply dropped; anything else is not an answer.
      const value = rng.chance(0.5) ? weirdString(rng, 256) : randomJson(rng, 1);
      return frame({ ...rid, type: "input_reply", value }, typeof value === "string" ? "ok" : "error", "input_reply with nothing asked");
    }
    if (r < 0.37) {
      // An unknown field is ignored; but nested 100k levels, the whole message is malformed.
      const deep = rng.chance(0.3);
      return frame(
        { ...rid, type: "interrupt", extra: deep ? DEEP : randomJson(rng, 1) },
        deep ? "error" : "ok",
        deep ? "interrupt nested 100k levels" : "interrupt",
      );
    }
    if (r < 0.39) return frame({ ...rid, type: "execute", cellIds: [] }, "ok", "execute nothing");
    if (r < 0.4) return frame({ ...rid, type: "save", force: randomJson(rng, 0) }, "ok", "save");
    // ops: good ones, then perhaps a bad one (the good ones before it still apply).
    const good = Array.from({ length: 1 + rng.int(3) }, () => this.goodOp());
    const ops: unknown[] = good.map((g) => g.op);
    let applied = good.length;
    let verdict: DocFrame["verdict"] = "ok";
    let note = "good ops";
    if (rng.chance(0.55)) {
      const bad = this.badOp();
      const at = rng.int(ops.length + 1);
      ops.splice(at, 0, bad.op);
      note = `ops: ${bad.note} at ${at}`;
      if (!bad.allowed) {
        verdict = "error";
        // A malformed message or an op a page may never send is refused before any applies; otherwise those before it apply.
        applied = bad.refusedWhole ? 0 : at;
      }
    }
    // Deletes that did not apply leave their cells unknown to `live` (harmless: never reused).
    good.slice(0, applied).forEach((g) => g.effect?.());
    return frame({ ...rid, type: "ops", ops }, verdict, note);
  }
}
