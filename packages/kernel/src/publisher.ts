/**
 * Everything the kernel sends goes through here: Jupyter messages wrapped as
 * {@link FromKernel} on the wire, with the kernel's own session id, and pending stream
 * output flushed first so the front end sees outputs in the order they happened.
 */
import { makeMessage, newId, type Channel, type JupyterMessage, type KernelExecutionState } from "@tessera/protocol";
import { StringPrototypeEndsWith, StringPrototypeSlice } from "./runtime/primordials.js";
import { runContext, type Run } from "./runtime/run.js";
import { StreamBatcher, type StreamName } from "./runtime/streams.js";
import type { Wire } from "./runtime/wire.js";

export class Publisher {
  /** This kernel process's session id (`header.session` of everything it sends). */
  readonly session = newId();
  readonly streams: StreamBatcher;
  /** The run that started last: parent of output produced outside any run's context. */
  lastRun: Run | undefined;

  constructor(private readonly wire: Wire) {
    this.streams = new StreamBatcher((run, name, text) => this.write("iopub", "stream", { name, text }, this.parentOf(run)));
  }

  private parentOf(run: Run | undefined): JupyterMessage | null {
    return (run ?? this.lastRun)?.request ?? null;
  }

  /** The run that output produced right now belongs to. */
  currentRun(): Run | undefined {
    return runContext.getStore() ?? this.lastRun;
  }

  private write(channel: Channel, msgType: string, content: unknown, parent: JupyterMessage | null): void {
    const msg = makeMessage(channel, msgType, content as Record<string, unknown>, { session: this.session, parent });
    this.wire.send({ kind: "jupyter", channel, msg });
  }

  /** Sends a message (after any pending stream output). */
  send(channel: Channel, msgType: string, content: unknown, parent: JupyterMessage | null): void {
    this.streams.flush();
    this.write(channel, msgType, content, parent);
  }

  /** An iopub message parented to `parent`, or to the current run's request. */
  publish(msgType: string, content: unknown, parent: JupyterMessage | null = this.parentOf(runContext.getStore())): void {
    this.send("iopub", msgType, content, parent);
  }

  /** `status` with the request it is about as parent. */
  status(state: KernelExecutionState, parent: JupyterMessage | null): void {
    this.publish("status", { execution_state: state }, parent);
  }

  /** The reply to `request` on its own channel: `x_request` -> `x_reply`. */
  reply(request: JupyterMessage, content: unknown): void {
    const type = request.header.msg_type;
    const replyType = StringPrototypeEndsWith(type, "_request")
      ? StringPrototypeSlice(type, 0, -"_request".length) + "_reply"
      : `${type}_reply`;
    this.send(request.channel, replyType, content, request);
  }

  /** Text on a stream of the run whose code runs now. */
  stream(name: StreamName, text: string): void {
    this.streams.write(this.currentRun(), name, text);
  }
}
