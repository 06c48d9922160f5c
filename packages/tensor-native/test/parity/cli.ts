/**
 * npm run fuzz -- [--seed N] [--count N] [--family chain,large] [--show N] [--min-agree 99.5]
 *
 * Runs the differential fuzzer against PyTorch and prints agreement per family and each
 * disagreement (shrunk) in TypeScript and Python. Exits 1 under --min-agree or on a failure
 * to run PyTorch.
 */
import { parseArgs } from "node:util";

import { agreement, formatFailure, fuzz, groupFailures, totals } from "./fuzz.js";
import { renderPy } from "./program.js";
import { findTorch, TorchPeer } from "./torch-peer.js";

const { values } = parseArgs({
  options: {
    seed: { type: "string", default: "1" },
    count: { type: "string", default: "2000" },
    family: { type: "string" },
    show: { type: "string", default: "10" },
    "min-agree": { type: "string", default: "0" },
  },
});

const torch = findTorch();
if ("missing" in torch) {
  console.error(`fuzz: PyTorch is not available: ${torch.missing}`);
  process.exit(1);
}
const peer = new TorchPeer(torch.python);
const seeds = values.seed.split(",").map(Number);
const all = { programs: 0, agree: 0, deliberate: 0, noReference: 0, failures: 0 };
const started = Date.now();
try {
  for (const seed of seeds) {
    const r = await fuzz(peer, { seed, count: Number(values.count), families: values.family?.split(",") });
    const t = totals(r);
    for (const k of Object.keys(all) as (keyof typeof all)[]) all[k] += t[k];
    console.log(`seed ${seed}: PyTorch ${torch.version}`);
    for (const [name, s] of Object.entries(r.byFamily))
      console.log(
        `  ${name.padEnd(10)} ${String(s.programs).padStart(6)} programs  ${String(s.agree).padStart(6)} agree  ${String(s.deliberate).padStart(4)} deliberate  ${String(s.noReference).padStart(4)} no reference  ${String(s.failures).padStart(4)} differ`,
      );
    for (const [id, n] of Object.entries(r.deliberate)) console.log(`  deliberate: ${id} ×${n}`);
    for (const [kind, n] of Object.entries(groupFailures(r.failures)).sort((a, b) => b[1] - a[1]))
      console.log(`  ${String(n).padStart(4)} × ${kind}`);
    for (const p of r.peerCrashes) console.log(`  PyTorch crashed on ${p.family} program ${p.seed}:\n${renderPy(p)}`);
    for (const f of r.failures.slice(0, Number(values.show))) console.log(formatFailure(f));
  }
} finally {
  peer.close();
}
const pct = agreement(all);
console.log(
  `\n${all.programs} programs: ${all.agree} agree, ${all.deliberate} deliberate differences, ${all.noReference} without a PyTorch CPU kernel, ${all.failures} differ: ${pct.toFixed(2)}% agreement (${((Date.now() - started) / 1000).toFixed(0)} s)`,
);
if (pct < Number(values["min-agree"])) {
  console.error(`fuzz: agreement ${pct.toFixed(2)}% is under --min-agree ${values["min-agree"]}%`);
  process.exit(1);
}
