/**
 * Which of a cell's outputs the page renders. The server keeps a cell's last 500 outputs
 * (the earlier ones counted in a notice); the page renders the last {@link OUTPUTS_SHOWN}
 * of those at first, behind a "Show N more outputs" button for the rest (JupyterLab shows
 * 50 the same way), so a cell that displayed a million values costs ~50 DOM subtrees.
 * The newest are the ones shown: they are where a run's result, or its error, is.
 */
import { hiddenOutputCount, joinSource, type Output } from "@tessera/protocol";

/** Outputs a cell renders before "Show N more outputs" is pressed. */
export const OUTPUTS_SHOWN = 50;

export interface OutputWindow {
  /** The server's notice of earlier outputs it did not keep ("" when there is none). */
  notice: string;
  /** Outputs the page holds but does not render yet ("Show N more outputs"). */
  more: number;
  /**
   * The outputs to render, each with a key that stays with it while earlier outputs are
   * dropped (its place in the whole run: outputs not kept plus its index among the kept).
   */
  shown: Array<{ output: Output; key: number }>;
}

/**
 * The window of `outputs` to render: all of them once `showAll`, else the last `limit`.
 *
 * @example
 * outputWindow(outputs, false).more; // outputs.length - 50, when there is no notice
 */
export function outputWindow(outputs: readonly Output[], showAll: boolean, limit = OUTPUTS_SHOWN): OutputWindow {
  const hidden = hiddenOutputCount(outputs[0]);
  const start = hidden > 0 ? 1 : 0;
  const from = showAll ? start : Math.max(start, outputs.length - limit);
  const notice =
    hidden > 0 && "data" in outputs[0]
      ? joinSource((outputs[0].data["text/plain"] as string | string[] | undefined) ?? `${hidden} earlier outputs not kept`)
      : "";
  return {
    notice,
    more: from - start,
    shown: outputs.slice(from).map((output, i) => ({ output, key: hidden + from - start + i })),
  };
}
