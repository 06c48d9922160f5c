/** React glue for the document client: one render per animation frame at most; the other pages' whereabouts. */
import { useCallback, useEffect, useState, useSyncExternalStore } from "react";
import type { PeerIdentity } from "@tessera/protocol";
import type { DocClient, DocClientState } from "../channel/doc-client.js";

export function useClientState(client: DocClient): DocClientState {
  const subscribe = useCallback(
    (onChange: () => void) => {
      let frame = 0;
      // A flood of output ops (a loop printing fast) becomes one render per frame.
      const unsubscribe = client.subscribe(() => {
        if (frame === 0) {
          frame = requestAnimationFrame(() => {
            frame = 0;
            onChange();
          });
        }
      });
      return () => {
        unsubscribe();
        if (frame !== 0) cancelAnimationFrame(frame);
      };
    },
    [client],
  );
  return useSyncExternalStore(subscribe, client.getState);
}

const NO_PEERS: readonly PeerIdentity[] = [];

/** The other pages by the cell their cursor is in (cells with nobody are absent). */
export function usePeersByCell(client: DocClient): ReadonlyMap<string, readonly PeerIdentity[]> {
  const [peers, setPeers] = useState<ReadonlyMap<string, readonly PeerIdentity[]>>(() => new Map());
  useEffect(() => {
    const update = () => {
      const next = new Map<string, PeerIdentity[]>();
      for (const state of client.text.peers().values()) {
        const cell = state.cursor?.cell;
        if (typeof cell === "string") next.set(cell, [...(next.get(cell) ?? []), state.user]);
      }
      setPeers((prev) => (samePeers(prev, next) ? prev : next));
    };
    update();
    return client.text.onPeers(update);
  }, [client]);
  return peers;
}

export function peersIn(peers: ReadonlyMap<string, readonly PeerIdentity[]>, cellId: string): readonly PeerIdentity[] {
  return peers.get(cellId) ?? NO_PEERS;
}

function samePeers(a: ReadonlyMap<string, readonly PeerIdentity[]>, b: ReadonlyMap<string, readonly PeerIdentity[]>): boolean {
  if (a.size !== b.size) return false;
  for (const [cell, list] of b) {
    const other = a.get(cell);
    if (!other || other.length !== list.length || other.some((p, i) => p.name !== list[i].name || p.color !== list[i].color)) return false;
  }
  return true;
}
