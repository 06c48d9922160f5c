import * as decoding from "lib0/decoding";
import * as encoding from "lib0/encoding";
import { decodeUpdate, encodeUpdate, type PeerIdentity } from "@tessera/protocol";

/** A page's awareness state larger than this is refused (a name and a cursor are ~300 bytes). */
const MAX_STATE_BYTES = 8 * 1024;
/** Yjs client ids one page may publish (one per page load; a few for reconnects). */
const MAX_IDS_PER_VIEW = 8;

interface Entry {
  clock: number;
  /** The state as JSON text ("null" once removed). */
  state: string;
  owner: unknown;
}

/**
 * Passes cursors and names between the pages of one document, speaking y-protocols'
 * awareness encoding: per entry a Yjs client id, a clock and a JSON state. It keeps the
 * latest entry of each client id for pages that join later, stamps each state with the
 * name the server knows for its page (a page cannot pose as someone else), lets a client id
 * belong to one page only, and removes a page's entries when it leaves.
 */
export class AwarenessRelay {
  private readonly entries = new Map<number, Entry>();

  /**
   * Takes a page's update (base64); returns the update to send the other pages, or null
   * when nothing in it is newer than what is known.
   */
  fromPage(base64: string, owner: unknown, who: PeerIdentity): string | null {
    const decoder = decoding.createDecoder(decodeUpdate(base64));
    const out: Array<[number, number, string]> = [];
    const n = decoding.readVarUint(decoder);
    for (let i = 0; i < n; i++) {
      const id = decoding.readVarUint(decoder);
      const clock = decoding.readVarUint(decoder);
      const json = decoding.readVarString(decoder);
      if (json.length > MAX_STATE_BYTES) throw new Error(`awareness state over ${MAX_STATE_BYTES} bytes`);
      const known = this.entries.get(id);
      if (known && known.owner !== owner) throw new Error(`awareness client ${id} belongs to another page`);
      if (!known && this.idsOf(owner).length >= MAX_IDS_PER_VIEW) throw new Error("too many awareness clients for one page");
      if (known && clock <= known.clock) continue;
      const state = stamp(JSON.parse(json) as unknown, who);
      this.entries.set(id, { clock, state, owner });
      out.push([id, clock, state]);
    }
    return out.length ? encode(out) : null;
  }

  /** Everyone's current state, for a page that just joined (null when no one is there). */
  all(): string | null {
    const live = [...this.entries].filter(([, e]) => e.state !== "null");
    return live.length ? encode(live.map(([id, e]) => [id, e.clock, e.state])) : null;
  }

  /** A page left: its entries become null, and the update saying so is returned for the others. */
  leave(owner: unknown): string | null {
    const gone: Array<[number, number, string]> = [];
    for (const id of this.idsOf(owner)) {
      const e = this.entries.get(id) as Entry;
      this.entries.delete(id);
      gone.push([id, e.clock + 1, "null"]);
    }
    return gone.length ? encode(gone) : null;
  }

  private idsOf(owner: unknown): number[] {
    return [...this.entries].filter(([, e]) => e.owner === owner).map(([id]) => id);
  }
}

/** The state with `user` set to who the server knows the page to be. */
function stamp(state: unknown, who: PeerIdentity): string {
  if (state === null) return "null";
  if (typeof state !== "object" || Array.isArray(state)) throw new Error("awareness state must be an object or null");
  return JSON.stringify({ ...(state as Record<string, unknown>), user: who });
}

function encode(entries: Array<[number, number, string]>): string {
  const enc = encoding.createEncoder();
  encoding.writeVarUint(enc, entries.length);
  for (const [id, clock, state] of entries) {
    encoding.writeVarUint(enc, id);
    encoding.writeVarUint(enc, clock);
    encoding.writeVarString(enc, state);
  }
  return encodeUpdate(encoding.toUint8Array(enc));
}
