import fs from "node:fs";

// Captured: a cell may replace `writeSync` on the `fs` module it imports too.
const { writeSync } = fs;

/**
 * Writes a diagnostic line to the process's real stderr (fd 2), which the server logs.
 * Cells never see it: their `console` and `process.stderr` are captured.
 */
export function logKernel(message: string): void {
  try {
    writeSync(2, `tessera kernel: ${message}\n`);
  } catch {}
}
