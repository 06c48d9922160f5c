/**
 * The kernel process entry (`@tessera/kernel/main`). The server forks it with the
 * notebook's folder as cwd and stdio `["ignore", "pipe", "pipe", "pipe", "pipe", "ipc"]`:
 * requests arrive on the IPC channel, interrupts as bytes on fd 3, and everything the
 * kernel says leaves as NDJSON on fd 4 (see @tessera/protocol's ipc.ts).
 *
 * Start-up is on the clock (a notebook waits for it), so this file loads almost nothing:
 * it says `ready`, then loads the kernel, holding any request that arrives meanwhile.
 */
import type { ToKernel } from "@tessera/protocol";
import { Wire } from "./runtime/wire.js";

const wire = Wire.open();
const early: ToKernel[] = [];
const hold = (m: ToKernel): void => void early.push(m);
process.on("message", hold);
process.on("disconnect", () => process.exit(0));
wire.send({ kind: "ready", pid: process.pid });

const { Kernel } = await import("./kernel.js");
process.off("message", hold);
new Kernel(wire).start(early);
