/** display_data / execute_result: the richest MIME type we can show safely (renderers.tsx). */
import { memo } from "react";
import type { MimeBundle } from "@tessera/protocol";
import { pickRenderer } from "./renderers.js";

export const MimeOutput = memo(function MimeOutput({ data, metadata }: { data: MimeBundle; metadata: Record<string, unknown> }) {
  const renderer = pickRenderer(data);
  if (renderer === null)
    return <div className="output-note">Output of type {Object.keys(data).join(", ") || "(empty)"} cannot be shown.</div>;
  const { mime, component: Render } = renderer;
  return <Render value={data[mime]} metadata={metadata} mime={mime} />;
});
