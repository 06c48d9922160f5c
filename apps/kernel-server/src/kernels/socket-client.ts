/**
 * One WebSocket on `/api/kernels/{id}/channels` as a {@link KernelClient}: what the kernel
 * says goes out in order, and a client that reads slower than the kernel prints loses
 * stream text only, never silently.
 *
 * While the socket has more than {@link SLOW_CLIENT_BYTES} unsent (a 16 MiB print, a
 * flood), messages wait in a queue of ours and go out, in order, as the socket drains. Of
 * the waiting stream text only the newest {@link HELD_STREAM_BYTES} is kept: older text is
 * replaced, where it was, by `[output truncated: 1,234,567 bytes not shown: …]`, so the
 * last lines of a cell (and its idle status, its reply) always arrive after everything
 * before them. A client that reads nothing at all is disconnected.
 */
import type { WebSocket } from "ws";
import { makeMessage, makeReply, type JupyterMessage } from "@tessera/protocol";
import type { KernelClient } from "./kernel-client.js";
import { encodeJson, encodeV1 } from "./wire.js";

/** Past this many bytes queued in the socket, messages wait in our own queue. */
export const SLOW_CLIENT_BYTES = 8 * 1024 * 1024;
/** Stream text kept while waiting; older text is counted and dropped. */
export const HELD_STREAM_BYTES = 8 * 1024 * 1024;
/** Beyond this (in the socket and waiting, streams aside), the socket is closed: the client is not reading. */
const DEAD_CLIENT_BYTES = 128 * 1024 * 1024;

/** Messages kept from a closing socket for its replay: no more than the replay buffer holds. */
const MAX_UNSENT_MESSAGES = 10_000;
const MAX_UNSENT_BYTES = 32 * 1024 * 1024;

interface Waiting {
  msg: JupyterMessage;
  /** Stream text length (0 for other messages and notices). */
  streamBytes: number;
  /** Size of any other message's content (0 for streams). */
  otherBytes: number;
  /** A notice standing for this many bytes of dropped stream text. */
  dropped: number;
}

function streamText(msg: JupyterMessage): string | undefined {
  if (msg.header.msg_type !== "stream") return undefined;
  const text = (msg.content as { text?: unknown }).text;
  return typeof text === "string" ? text : undefined;
}

/** The notice that stands where stream text was dropped for a slow client. */
export function slowClientNotice(droppedBytes: number): string {
  return `\n[output truncated: ${droppedBytes.toLocaleString("en-US")} bytes not shown: this client could not keep up]\n`;
}

export class SocketClient implements KernelClient {
  private queue: Waiting[] = [];
  /** queue[0..head) went out already. */
  private head = 0;
  /** Stream messages before this index have been looked at for dropping. */
  private dropFrom = 0;
  private heldStreamBytes = 0;
  private heldOtherBytes = 0;
  /**
   * What came while the socket was closing. The kernel holds a client's messages for replay
   * from its detach on, which waits for the socket's close event: a cut tunnel's socket is
   * closing for a moment first. detach() gets these (see {@link unsentMessages}).
   */
  private readonly unsent: JupyterMessage[] = [];
  private unsentBytes = 0;

  constructor(
    readonly sessionId: string,
    private readonly ws: WebSocket,
    private readonly binary: boolean,
  ) {}

  deliver(msg: JupyterMessage): void {
    if (this.ws.readyState !== this.ws.OPEN) {
      if (this.ws.readyState === this.ws.CLOSING && this.unsent.length < MAX_UNSENT_MESSAGES && this.unsentBytes < MAX_UNSENT_BYTES) {
        this.unsent.push(msg);
        this.unsentBytes += JSON.stringify(msg).length;
      }
      return;
    }
    if (this.head === this.queue.length && this.ws.bufferedAmount <= SLOW_CLIENT_BYTES) {
      this.send(msg);
      return;
    }
    const text = streamText(msg);
    const streamBytes = text === undefined ? 0 : Buffer.byteLength(text);
    const otherBytes = text === undefined ? JSON.stringify(msg.content).length : 0;
    this.heldOtherBytes += otherBytes;
    if (this.heldOtherBytes + this.ws.bufferedAmount > DEAD_CLIENT_BYTES) {
      this.ws.close(1008, "client too slow: output backlog too large");
      return;
    }
    this.queue.push({ msg, streamBytes, otherBytes, dropped: 0 });
    this.heldStreamBytes += streamBytes;
    if (this.heldStreamBytes > HELD_STREAM_BYTES) this.dropOldestStreams();
    // Normally a frame leaving the socket pumps; if none is in flight any more, pump now.
    if (this.ws.bufferedAmount <= SLOW_CLIENT_BYTES / 2) this.pump();
  }

  /** Messages not sent when the socket closed, for the kernel's replay (waiting ones first). */
  unsentMessages(): JupyterMessage[] {
    const waiting = this.queue.slice(this.head).map((w) => w.msg);
    this.queue = [];
    this.head = this.dropFrom = this.heldStreamBytes = this.heldOtherBytes = 0;
    return [...waiting, ...this.unsent];
  }

  /** Replaces the oldest waiting stream text with notices until what waits fits. */
  private dropOldestStreams(): void {
    for (let i = Math.max(this.dropFrom, this.head); i < this.queue.length && this.heldStreamBytes > HELD_STREAM_BYTES; i++) {
      const w = this.queue[i];
      this.dropFrom = i + 1;
      if (w.streamBytes === 0) continue;
      this.heldStreamBytes -= w.streamBytes;
      const prev = i > this.head ? this.queue[i - 1] : undefined;
      const parent = w.msg.parent_header as Partial<JupyterMessage["header"]>;
      if (prev && prev.dropped > 0 && (prev.msg.parent_header as { msg_id?: string }).msg_id === parent.msg_id) {
        // Next to a notice of the same cell: it grows, and this message leaves the queue.
        prev.dropped += w.streamBytes;
        prev.msg = this.notice(w.msg, prev.dropped);
        this.queue.splice(i, 1);
        i--;
        this.dropFrom = i + 1;
      } else {
        this.queue[i] = { msg: this.notice(w.msg, w.streamBytes), streamBytes: 0, otherBytes: 0, dropped: w.streamBytes };
      }
    }
  }

  private notice(instead: JupyterMessage, dropped: number): JupyterMessage {
    return makeMessage(
      "iopub",
      "stream",
      { name: "stderr", text: slowClientNotice(dropped) },
      {
        session: instead.header.session,
        parent: instead.parent_header as JupyterMessage["header"],
      },
    );
  }

  /** Sends what waits while the socket has room; called as frames leave the socket. */
  private pump(): void {
    while (this.head < this.queue.length && this.ws.readyState === this.ws.OPEN && this.ws.bufferedAmount <= SLOW_CLIENT_BYTES / 2) {
      const w = this.queue[this.head++];
      this.heldStreamBytes -= w.streamBytes;
      this.heldOtherBytes -= w.otherBytes;
      this.send(w.msg);
    }
    if (this.head === this.queue.length) {
      this.queue = [];
      this.head = this.dropFrom = this.heldStreamBytes = this.heldOtherBytes = 0;
    } else if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.dropFrom = Math.max(0, this.dropFrom - this.head);
      this.head = 0;
    }
  }

  private send(msg: JupyterMessage): void {
    this.ws.send(this.binary ? encodeV1(msg) : encodeJson(msg), () => {
      if (this.head < this.queue.length) this.pump();
    });
  }

  /** A protocol error on a frame we could not even read as a request: an iopub `error`. */
  sendProblem(message: string, parent?: JupyterMessage): void {
    const content = { ename: "InvalidMessage", evalue: message, traceback: [`InvalidMessage: ${message}`] };
    if (parent && parent.header.msg_type.endsWith("_request") && parent.channel !== "iopub") {
      this.send(makeReply(parent, { status: "error", ...content }));
    } else {
      this.send(makeMessage("iopub", "error", content, { session: "server", parent: parent ?? null }));
    }
  }
}
