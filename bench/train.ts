/**
 * Training speed, ms per step (forward, cross-entropy, backward, Adam step), ours against
 * PyTorch CPU in the same run: an MLP 784-512-512-10 (batch 128) and a small CNN (conv
 * 1→32 3x3, conv 32→64 3x3, max pool 2, linear 9216→128, linear 128→10; batch 64), with
 * 1 and 2 threads. PyTorch also runs with OMP_WAIT_POLICY=passive at 2 threads, its best
 * setting on 2 cores (its OpenMP and OpenBLAS pools otherwise spin against each other).
 *
 *   npx tsc -b packages/tensor-native && node --import tsx bench/train.ts
 *
 * Median of STEPS steps after 3 warm-up steps, over BENCH_ROUNDS (default 2) interleaved
 * rounds, best round kept.
 */
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";

import * as tt from "@tessera/tensor";

const { nn, optim } = tt;
const STEPS = Number(process.env.BENCH_STEPS ?? 20);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);

type Make = () => { model: InstanceType<typeof nn.Module>; x: tt.Tensor; y: tt.Tensor };
const mlp: Make = () => ({
  model: new nn.Sequential(new nn.Linear(784, 512), new nn.ReLU(), new nn.Linear(512, 512), new nn.ReLU(), new nn.Linear(512, 10)),
  x: tt.randn([128, 784]),
  y: tt.randint(0, 10, [128]),
});
const cnn: Make = () => ({
  model: new nn.Sequential(
    new nn.Conv2d(1, 32, 3),
    new nn.ReLU(),
    new nn.Conv2d(32, 64, 3),
    new nn.ReLU(),
    new nn.MaxPool2d(2),
    new nn.Flatten(),
    new nn.Linear(9216, 128),
    new nn.ReLU(),
    new nn.Linear(128, 10),
  ),
  x: tt.randn([64, 1, 28, 28]),
  y: tt.randint(0, 10, [64]),
});

function median(v: number[]): number {
  const s = [...v].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function ours(make: Make, threads: number): number {
  tt.numThreads(threads);
  tt.manualSeed(0);
  const { model, x, y } = make();
  const opt = new optim.Adam(model.parameters(), { lr: 1e-3 });
  const step = (): void =>
    tt.tidy(() => {
      opt.zeroGrad();
      nn.F.crossEntropy(model.forward(x), y).backward();
      opt.step();
    });
  for (let i = 0; i < 3; i++) step();
  const times: number[] = [];
  for (let i = 0; i < STEPS; i++) {
    const s = performance.now();
    step();
    times.push(performance.now() - s);
  }
  return median(times);
}

interface Peer {
  version: string;
  mlp: number;
  cnn: number;
}
function torch(threads: number, passive: boolean): Peer | undefined {
  const env: NodeJS.ProcessEnv = { ...process.env, OMP_NUM_THREADS: String(threads), OPENBLAS_NUM_THREADS: String(threads) };
  if (passive) env.OMP_WAIT_POLICY = "passive";
  const script = fileURLToPath(new URL("./train-peers.py", import.meta.url));
  try {
    return JSON.parse(execFileSync("/usr/bin/python3", [script, String(threads), String(STEPS)], { env, encoding: "utf8" })) as Peer;
  } catch (e) {
    console.error(`(PyTorch unavailable: ${String(e).split("\n")[0]})`);
    return undefined;
  }
}

const best: Record<string, number> = {};
const keep = (k: string, v: number | undefined): void => {
  if (v !== undefined && !(best[k] <= v)) best[k] = v;
};
let version = "n/a";
for (let r = 0; r < ROUNDS; r++) {
  for (const th of [1, 2]) {
    keep(`ours mlp ${th}`, ours(mlp, th));
    keep(`ours cnn ${th}`, ours(cnn, th));
    const p = torch(th, false);
    if (p) version = p.version;
    keep(`torch mlp ${th}`, p?.mlp);
    keep(`torch cnn ${th}`, p?.cnn);
  }
  const passive = torch(2, true);
  keep("torch mlp passive", passive?.mlp);
  keep("torch cnn passive", passive?.cnn);
}

const fmt = (v: number | undefined): string => (v === undefined ? "n/a" : v.toFixed(2));
const torchBest = (m: string): number | undefined => {
  const c = [best[`torch ${m} 1`], best[`torch ${m} 2`], best[`torch ${m} passive`]].filter((v) => v !== undefined);
  return c.length ? Math.min(...c) : undefined;
};
console.log(`ms/step, lower is better; @tessera/tensor ${tt.cpuIsa()} vs PyTorch ${version}`);
console.log("| model | threads | ours | PyTorch | PyTorch best setting | PyTorch best / ours |");
console.log("|---|---:|---:|---:|---:|---:|");
for (const m of ["mlp", "cnn"]) {
  for (const th of [1, 2]) {
    const o = best[`ours ${m} ${th}`],
      t = best[`torch ${m} ${th}`],
      b = torchBest(m);
    console.log(
      `| ${m.toUpperCase()} | ${th} | ${fmt(o)} | ${fmt(t)} | ${fmt(b)} | ${b === undefined ? "n/a" : (b / o).toFixed(2) + "x"} |`,
    );
  }
}
