// The image's HEALTHCHECK: is the server answering on /api/status?
// Reads what the server reads: TESSERA_PORT (8888), TESSERA_BASE_URL (/), TESSERA_TOKEN,
// TESSERA_CERTFILE (then https, any certificate: this is the container talking to itself).
// Exit 0 on 200; also on 403 when there is no TESSERA_TOKEN to send (a random token or a
// password: the server answered, and it only lets in those who log in). Exit 1 otherwise.
import http from "node:http";
import https from "node:https";

const env = process.env;
const port = Number(env.TESSERA_PORT || 8888);
const base = `/${(env.TESSERA_BASE_URL || "/").split("/").filter(Boolean).join("/")}/`.replace("//", "/");
const client = env.TESSERA_CERTFILE ? https : http;
const token = env.TESSERA_TOKEN || "";

const request = client.get(
  {
    host: "127.0.0.1",
    port,
    path: `${base}api/status`,
    headers: token ? { authorization: `token ${token}` } : {},
    rejectUnauthorized: false,
    timeout: 4000,
  },
  (res) => {
    res.resume();
    const healthy = res.statusCode === 200 || (!token && res.statusCode === 403);
    if (!healthy) console.error(`/api/status answered ${res.statusCode}`);
    process.exit(healthy ? 0 : 1);
  },
);
request.on("timeout", () => request.destroy(new Error("no answer within 4 s")));
request.on("error", (err) => {
  console.error(`tessera is not answering on port ${port}: ${err.message}`);
  process.exit(1);
});
