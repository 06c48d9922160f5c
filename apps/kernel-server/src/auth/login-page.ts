/** The login page, served by the server itself: a secret field (the token, the password, or either), and a user name in workshop mode. */

export interface LoginPageOptions {
  /** What the secret field takes. "user" asks for a user name and that user's password. */
  accepts: "token" | "password" | "password or token" | "user";
  /** Shown in red under the fields. */
  error?: string;
  /** The user name to fill in again after a failed attempt. */
  username?: string;
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const HINTS: Record<LoginPageOptions["accepts"], string> = {
  token: "Token (printed in the terminal where the server started)",
  password: "Password (set with <code>tessera password</code>)",
  "password or token": "Password, or the token printed at start",
  user: "Password",
};

export function loginPage(options: LoginPageOptions): string {
  const name = options.accepts === "token" ? "token" : "password";
  const userField =
    options.accepts === "user"
      ? `<label for="username">User name</label>
<input id="username" name="username" autocomplete="username" autocapitalize="none" spellcheck="false" value="${escapeHtml(options.username ?? "")}"${options.username ? "" : " autofocus"}>`
      : "";
  const focusSecret = options.accepts !== "user" || options.username ? " autofocus" : "";
  return `<!doctype html><html><head><meta charset="utf-8"><title>Tessera — log in</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font:15px system-ui,sans-serif;display:grid;place-items:center;height:100vh;margin:0;background:#f6f7f9;color:#1d2330}
form{background:#fff;padding:28px 32px;border-radius:10px;box-shadow:0 2px 12px #0002;min-width:320px;max-width:420px}
input{width:100%;box-sizing:border-box;padding:8px;margin:8px 0 14px;font:inherit}button{padding:8px 16px;font:inherit}
.err{color:#b00020}</style></head><body><form method="post">
<h2>Tessera</h2>${userField}<label for="secret">${HINTS[options.accepts]}</label>
<input id="secret" name="${name}" type="password" autocomplete="current-password"${focusSecret}>
${options.error ? `<p class="err" role="alert">${escapeHtml(options.error)}</p>` : ""}<button type="submit">Log in</button></form></body></html>`;
}
