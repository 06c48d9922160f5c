/**
 * The differential fuzzer: generates seeded programs, runs each in @tessera/tensor (as it is
 * generated) and in PyTorch, compares every step, and shrinks each disagreement to the
 * steps it needs, printed in both languages.
 */
import * as tt from "../../src/ts/index.js";
import { runTessera } from "./builder.js";
import { disagreement, floorOf, type Disagreement } from "./compare.js";
import { knownDifference } from "./known-differences.js";
import { FAMILIES, type Family } from "./families.js";
import { Gen, Rng } from "./gen.js";
import { renderPy, renderTs, sliceFor, type Program } from "./program.js";
import type { TorchPeer } from "./torch-peer.js";
import type { Value } from "./value.js";

export interface Failure {
  program: Program;
  /** The step that disagreed. */
  out: string;
  what: Disagreement;
  ts: string;
  py: string;
}

export interface FamilyStats {
  programs: number;
  agree: number;
  /** Disagreements docs/pytorch-coverage.md lists: deliberate differences and PyTorch 1.13 defects. */
  deliberate: number;
  /** PyTorch has no CPU kernel for the dtype (float16 mostly), so there is nothing to compare. */
  noReference: number;
  failures: number;
}

export interface FuzzReport {
  byFamily: Record<string, FamilyStats>;
  failures: Failure[];
  /** Known differences seen, by id. */
  deliberate: Record<string, number>;
  /** Programs that crashed PyTorch's process (not counted: there is nothing to compare). */
  peerCrashes: Program[];
}

export interface FuzzOptions {
  seed: number;
  count: number;
  /** Only these families (default: all, by weight). */
  families?: readonly string[];
  batch?: number;
}

/** The program number `i` of a run seeded `seed`: its own seed, so any one can be regenerated alone. */
export function programSeed(seed: number, i: number): number {
  return (Math.imul(seed, 0x9e3779b1) + i * 7919) >>> 0;
}

export function generate(family: Family, seed: number): { program: Program; ours: Value[] } {
  return tt.tidy(() => {
    const g = new Gen(new Rng(seed), family.options);
    family.build(g);
    return { program: g.b.program(family.name, seed), ours: g.b.results };
  });
}

/** The first step where the two runs disagree. */
export function firstDisagreement(
  p: Program,
  ours: readonly Value[],
  theirs: readonly Value[],
): { index: number; what: Disagreement } | null {
  const floor = floorOf(ours);
  for (let i = 0; i < p.steps.length; i++) {
    const d = disagreement(ours[i], theirs[i] ?? { kind: "skip" }, floor);
    if (d) return { index: i, what: d };
  }
  return null;
}

/**
 * PyTorch's results for a batch; when its process dies, the batch again one program at a
 * time to find the ones that kill it (null there).
 */
async function runEach(peer: TorchPeer, programs: readonly Program[]): Promise<(Value[] | null)[]> {
  try {
    return await peer.run(programs);
  } catch {
    const out: (Value[] | null)[] = [];
    for (const p of programs) {
      peer.restart();
      out.push(
        await peer.run([p]).then(
          (r) => r[0],
          () => null,
        ),
      );
    }
    peer.restart();
    return out;
  }
}

/** Cuts a failing program down to the steps the disagreeing one needs, if it still fails that way. */
async function shrink(peer: TorchPeer, p: Program, out: string): Promise<{ program: Program; what: Disagreement | null }> {
  const small = sliceFor(p, out);
  const [theirs] = await runEach(peer, [small]);
  const found = theirs && firstDisagreement(small, runTessera(small), theirs);
  return found ? { program: small, what: found.what } : { program: p, what: null };
}

export async function fuzz(peer: TorchPeer, opts: FuzzOptions): Promise<FuzzReport> {
  const families = FAMILIES.filter((f) => !opts.families || opts.families.includes(f.name));
  if (families.length === 0)
    throw new Error(`fuzz: no family named ${opts.families?.join(", ")}; have ${FAMILIES.map((f) => f.name).join(", ")}`);
  const report: FuzzReport = { byFamily: {}, failures: [], deliberate: {}, peerCrashes: [] };
  const batch = opts.batch ?? 100;
  for (let start = 0; start < opts.count; start += batch) {
    const made = [];
    for (let i = start; i < Math.min(opts.count, start + batch); i++) {
      const s = programSeed(opts.seed, i);
      const family = new Rng(s ^ 0x5bd1e995).weighted(families.map((f) => [f, f.weight] as const));
      made.push(generate(family, s));
    }
    const theirs = await runEach(
      peer,
      made.map((m) => m.program),
    );
    for (let i = 0; i < made.length; i++) {
      const { program, ours } = made[i];
      if (!theirs[i]) {
        report.peerCrashes.push(program);
        continue;
      }
      const stats = (report.byFamily[program.family] ??= { programs: 0, agree: 0, deliberate: 0, noReference: 0, failures: 0 });
      stats.programs++;
      const found = firstDisagreement(program, ours, theirs[i]);
      if (!found) {
        stats.agree++;
        continue;
      }
      const step = program.steps[found.index];
      if (noKernel(ours[found.index], theirs[i][found.index])) {
        stats.noReference++;
        continue;
      }
      const known = knownDifference(program, step, ours[found.index], theirs[i][found.index]);
      if (known) {
        stats.deliberate++;
        report.deliberate[known] = (report.deliberate[known] ?? 0) + 1;
        continue;
      }
      stats.failures++;
      const small = await shrink(peer, program, step.out);
      const what = small.what ?? found.what;
      report.failures.push({ program: small.program, out: step.out, what, ts: renderTs(small.program), py: renderPy(small.program) });
    }
  }
  return report;
}

/** PyTorch raised only because its CPU build has no kernel for a 16-bit dtype. */
function noKernel(ours: Value, theirs: Value): boolean {
  return ours.kind !== "error" && theirs.kind === "error" && /not implemented for '(Half|BFloat16)'/.test(theirs.message);
}

/** Share of the programs with a reference that agree (deliberate differences count as agreeing), in percent. */
export function agreement(t: FamilyStats): number {
  return (100 * (t.agree + t.deliberate)) / Math.max(1, t.programs - t.noReference);
}

/** Totals over families. */
export function totals(r: FuzzReport): FamilyStats {
  const t: FamilyStats = { programs: 0, agree: 0, deliberate: 0, noReference: 0, failures: 0 };
  for (const s of Object.values(r.byFamily)) {
    t.programs += s.programs;
    t.agree += s.agree;
    t.deliberate += s.deliberate;
    t.noReference += s.noReference;
    t.failures += s.failures;
  }
  return t;
}

/** A printable failure: what differs, then the reproduction in both languages. */
export function formatFailure(f: Failure, maxChars = 4000): string {
  const cut = (s: string): string => (s.length > maxChars ? `${s.slice(0, maxChars)}\n… (${s.length - maxChars} more characters)` : s);
  return [
    `── ${f.program.family} program ${f.program.seed}: ${f.out} = ${f.program.steps.find((s) => s.out === f.out)?.ts.slice(0, 100)} differs (${f.what.what}): ${f.what.detail}`,
    "TypeScript:",
    cut(f.ts),
    "Python:",
    cut(f.py),
    "",
  ].join("\n");
}

/** Failures counted by the op of the step that differed and what differed ("softmax: raise"). */
export function groupFailures(fs: readonly Failure[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const f of fs) {
    const step = f.program.steps.find((s) => s.out === f.out)!;
    const op = /\.(\w+)\(|^tt\.(\w+)|\.(grad|values|indices)$|\[/.exec(step.ts);
    const key = `${op ? (op[1] ?? op[2] ?? op[3] ?? "item") : step.ts.slice(0, 20)}: ${f.what.what}`;
    out[key] = (out[key] ?? 0) + 1;
  }
  return out;
}
