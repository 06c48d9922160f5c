/** Replaces secrets in a URL's query (token, _xsrf) so it can be logged. */
export function redactUrl(url: string): string {
  return url.replace(/([?&](?:token|_xsrf|password)=)[^&#]*/gi, "$1[redacted]");
}
