/** React glue for the document client: one render per animation frame at most. */
import { useCallback, useSyncExternalStore } from "react";
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
