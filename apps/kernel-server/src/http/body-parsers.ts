import type { FastifyInstance } from "fastify";
import { HttpError } from "./http-error.js";

/**
 * How request bodies are read, for every route (registered once, in app.ts):
 *
 * - JSON whatever the Content-Type, as Jupyter Server reads them: browsers label a string
 *   body text/plain (JupyterLab's POSTs arrive so);
 * - an empty body is no body, not an error: Jupyter clients POST with a JSON content type
 *   and nothing in it (interrupt, restart);
 * - keys that would reach a prototype (`__proto__`, `constructor.prototype`) are refused;
 * - `application/x-www-form-urlencoded` (the login form) as an object of its fields.
 *
 * What cannot be read is answered 400 `Malformed JSON body: …`.
 */
export function registerBodyParsers(app: FastifyInstance): void {
  const strictJson = app.getDefaultJsonParser("error", "error");
  app.removeContentTypeParser(["application/json", "text/plain"]);
  for (const type of ["application/json", "text/plain", "*"]) {
    app.addContentTypeParser(type, { parseAs: "string" }, (req, body, done) => {
      const text = body as string;
      if (text.trim() === "") return done(null, undefined);
      strictJson(req, text, (err, value) => (err ? done(malformed(text), undefined) : done(null, value)));
    });
  }
  app.addContentTypeParser("application/x-www-form-urlencoded", { parseAs: "string" }, (_req, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });
}

/** Why `text` was refused: JSON's own words, or the keys. */
function malformed(text: string): HttpError {
  try {
    JSON.parse(text);
  } catch (err) {
    return new HttpError(400, `Malformed JSON body: ${(err as Error).message}`);
  }
  return new HttpError(400, "Malformed JSON body: keys named __proto__, or constructor holding prototype, are not accepted");
}
