import { useCallback, useEffect, useRef, useState } from "react";

/** Loads data for `key`, with a reload function; keeps the last good value while reloading. */
export function useAsync<T>(load: () => Promise<T>, key: string): { data: T | null; error: string | null; reload: () => void } {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [tick, setTick] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;
  useEffect(() => {
    let live = true;
    loadRef.current().then(
      (v) => {
        if (!live) return;
        setData(v);
        setError(null);
      },
      (e: Error) => live && setError(e.message),
    );
    return () => {
      live = false;
    };
  }, [tick, key]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { data, error, reload };
}
