/**
 * docker/: what can be checked without a Docker engine. The Dockerfile parses, its stages
 * and sources exist, the runtime stage is what README.md says it is; compose.yaml reserves
 * the GPUs and publishes on loopback only; the HEALTHCHECK script works against a real server.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import yaml from "js-yaml";
import { parseConfig } from "../src/cli/config.js";
import { copyParts, execForm, last, parseDockerfile, type Dockerfile, type Stage } from "./helpers/dockerfile.js";
import { startTestServer, type TestServer } from "./helpers/test-server.js";

const REPO = resolve(fileURLToPath(import.meta.url), "../../../..");
const read = (path: string) => readFileSync(join(REPO, path), "utf8");

/** .dockerignore patterns as regular expressions over repository paths. */
function ignored(path: string): boolean {
  const patterns = read(".dockerignore")
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith("#"));
  return patterns.some((p) => {
    const source = p
      .replace(/[.+^$()|[\]{}]/g, "\\$&")
      .replace(/\*\*\//g, "\0")
      .replace(/\*/g, "[^/]*")
      .replace(/\0/g, "(?:.*/)?");
    return new RegExp(`^${source}(?:/.*)?$`).test(path);
  });
}

describe("docker/Dockerfile", () => {
  let file: Dockerfile;
  let runtime: Stage;
  const stage = (name: string) => file.stages.find((s) => s.name === name);

  before(() => {
    file = parseDockerfile(read("docker/Dockerfile"));
    runtime = file.stages[file.stages.length - 1];
  });

  it("parses into a build stage on CUDA 13 devel and a runtime stage on CUDA 13 runtime, Ubuntu 24.04", () => {
    assert.match(file.globalArgs.CUDA_VERSION, /^13\.\d+\.\d+$/);
    const build = stage("build");
    assert.ok(build, "a stage named build");
    assert.match(build.from, /^nvidia\/cuda:13\.\d+\.\d+-devel-ubuntu24\.04$/);
    assert.match(runtime.from, /^nvidia\/cuda:13\.\d+\.\d+-runtime-ubuntu24\.04$/);
    assert.equal(stage("node")?.from, "node:20-bookworm-slim");
    const apt = runtime.instructions.find((i) => i.keyword === "ARG" && i.args.startsWith("CUDA_APT="));
    const [major, minor] = file.globalArgs.CUDA_VERSION.split(".");
    assert.equal(apt?.args, `CUDA_APT=${major}-${minor}`, "the NVRTC package matches the CUDA version");
  });

  it("takes every COPY --from from an earlier stage or an image, and every local source from the repository", () => {
    for (const s of file.stages) {
      for (const ins of s.instructions.filter((i) => i.keyword === "COPY" || i.keyword === "ADD")) {
        const { flags, sources } = copyParts(ins.args);
        if (flags.from !== undefined) {
          const earlier = file.stages.slice(0, s.index).some((e) => e.name === flags.from.toLowerCase() || String(e.index) === flags.from);
          const image = /[:/]/.test(flags.from);
          assert.ok(earlier || image, `line ${ins.line}: --from=${flags.from} is neither an earlier stage nor an image`);
          continue;
        }
        for (const src of sources) {
          assert.ok(existsSync(join(REPO, src)), `line ${ins.line}: ${src} is not in the repository`);
          if (src !== ".") assert.ok(!ignored(src), `line ${ins.line}: ${src} is excluded by .dockerignore`);
        }
      }
    }
  });

  it("sends the build context without host builds, and with what the image needs", () => {
    for (const p of ["node_modules", "apps/web/dist", "apps/kernel-server/dist", "packages/tensor-native/build", ".git"])
      assert.ok(ignored(p), `${p} is ignored`);
    for (const p of [
      "package.json",
      "package-lock.json",
      "docker/healthcheck.mjs",
      "apps/kernel-server/src/cli.ts",
      "packages/tensor-native/binding.gyp",
    ]) {
      assert.ok(!ignored(p), `${p} reaches the build`);
    }
  });

  it("builds with npm ci and Node 20 copied from the node image", () => {
    const build = stage("build")!;
    assert.ok(build.instructions.some((i) => i.keyword === "RUN" && /\bnpm ci\b/.test(i.args)));
    for (const s of [build, runtime]) {
      assert.ok(
        s.instructions.some((i) => i.keyword === "COPY" && /--from=node \/usr\/local\/bin\/node /.test(i.args)),
        `${s.name}: node from the node stage`,
      );
    }
    assert.ok(runtime.instructions.some((i) => i.keyword === "COPY" && /--from=build \/opt\/tessera /.test(i.args)));
  });

  it("runs as uid 1000 with /workspace as a volume, port 8888, a health check and tini", () => {
    assert.match(last(runtime, "USER")?.args ?? "", /^(1000|tessera)(:\S+)?$/);
    assert.ok(runtime.instructions.some((i) => i.keyword === "RUN" && /useradd .*--uid 1000\b.* tessera\b/.test(i.args)));
    assert.equal(last(runtime, "VOLUME")?.args, "/workspace");
    assert.equal(last(runtime, "WORKDIR")?.args, "/workspace");
    assert.equal(last(runtime, "EXPOSE")?.args, "8888");
    assert.ok(runtime.instructions.some((i) => i.keyword === "RUN" && /apt-get install .*\btini\b/.test(i.args)));
    assert.deepEqual(execForm(last(runtime, "ENTRYPOINT")?.args ?? ""), ["/usr/bin/tini", "--"]);
    const health = last(runtime, "HEALTHCHECK")?.args ?? "";
    const check = execForm(health.replace(/^(--\S+\s+)*CMD\s+/, ""));
    assert.deepEqual(check, ["node", "/opt/tessera/docker/healthcheck.mjs"]);
    assert.ok(existsSync(join(REPO, "docker/healthcheck.mjs")));
  });

  it("starts exactly the command README.md documents, which the CLI accepts", () => {
    const cmd = execForm(last(runtime, "CMD")?.args ?? "");
    assert.ok(cmd, "CMD in exec form");
    const documented = /The image's command is `([^`]+)`/.exec(read("README.md"));
    assert.ok(documented, "README.md says what the image's command is");
    assert.equal(cmd.join(" "), documented[1]);
    // `tessera` is the server's CLI, linked onto the PATH.
    const bin = (JSON.parse(read("apps/kernel-server/package.json")) as { bin: Record<string, string> }).bin.tessera;
    assert.ok(
      runtime.instructions.some(
        (i) => i.keyword === "RUN" && i.args.includes(`ln -s /opt/tessera/apps/kernel-server/${bin} /usr/local/bin/tessera`),
      ),
    );
    assert.equal(cmd[0], "tessera");
    const config = parseConfig(cmd.slice(1), { TESSERA_CONFIG_DIR: "/nonexistent/tessera-config" });
    assert.deepEqual([config.ip, config.port, config.root], ["0.0.0.0", 8888, "/workspace"]);
    assert.ok(config.tokenGenerated, "no TESSERA_TOKEN: a random one");
    assert.equal(parseConfig(cmd.slice(1), { TESSERA_CONFIG_DIR: "/nonexistent", TESSERA_TOKEN: "given" }).token, "given");
  });
});

describe("docker/compose.yaml", () => {
  const compose = yaml.load(read("docker/compose.yaml")) as any;
  const service = compose?.services?.tessera;

  it("builds the Dockerfile from the repository root", () => {
    assert.ok(service, "a tessera service");
    assert.equal(resolve(REPO, "docker", service.build.context), REPO);
    assert.equal(service.build.dockerfile, "docker/Dockerfile");
  });

  it("reserves the GPUs and publishes the port on 127.0.0.1 only", () => {
    assert.deepEqual(service.deploy.resources.reservations.devices, [{ driver: "nvidia", count: "all", capabilities: ["gpu"] }]);
    assert.deepEqual(service.ports, ["127.0.0.1:8888:8888"]);
  });

  it("keeps /workspace (and server.json) in declared volumes, and passes TESSERA_TOKEN through", () => {
    const mounts = (service.volumes as string[]).map((v) => v.split(":"));
    assert.ok(mounts.some(([, target]) => target === "/workspace"));
    for (const [source] of mounts) assert.ok(source in compose.volumes, `volume ${source} is declared`);
    assert.ok((service.environment as string[]).includes("TESSERA_TOKEN"));
  });
});

describe("docker/healthcheck.mjs against a real server", () => {
  const script = join(REPO, "docker/healthcheck.mjs");
  // Asynchronous: the server answering it runs in this process.
  const check = (env: Record<string, string>) =>
    new Promise<{ status: number | null; stderr: string }>((done) => {
      execFile(process.execPath, [script], { env: { PATH: process.env.PATH, ...env }, timeout: 20_000 }, (err, _stdout, stderr) =>
        done({ status: err ? ((err as { code?: number }).code ?? null) : 0, stderr }),
      );
    });
  let t: TestServer;
  let port: string;
  let closed = false;
  before(async () => {
    t = await startTestServer({ config: { baseUrl: "/x/" } });
    port = String(t.server.port);
  });
  after(async () => {
    if (!closed) await t?.close();
  });

  it("is healthy with the token, and with no token to send (the server answered 403)", async () => {
    assert.equal((await check({ TESSERA_PORT: port, TESSERA_BASE_URL: "/x/", TESSERA_TOKEN: t.token })).status, 0);
    assert.equal((await check({ TESSERA_PORT: port, TESSERA_BASE_URL: "x" })).status, 0);
  });

  it("is unhealthy with a wrong token, a wrong path, or no server", async () => {
    const wrong = await check({ TESSERA_PORT: port, TESSERA_BASE_URL: "/x/", TESSERA_TOKEN: "wrong" });
    assert.equal(wrong.status, 1);
    assert.match(wrong.stderr, /answered 403/);
    assert.equal((await check({ TESSERA_PORT: port, TESSERA_TOKEN: t.token })).status, 1, "outside the base URL: 404");
    await t.close();
    closed = true;
    const down = await check({ TESSERA_PORT: port, TESSERA_BASE_URL: "/x/", TESSERA_TOKEN: t.token });
    assert.equal(down.status, 1);
    assert.match(down.stderr, /not answering/);
  });
});
