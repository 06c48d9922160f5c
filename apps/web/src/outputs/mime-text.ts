/** A MIME bundle's value as text, for the renderers that show text. */
import { joinSource } from "@tessera/protocol";

/**
 * nbformat stores text as a string or a list of lines; any other value is shown as JSON.
 * @example mimeText(["a\n", "b"]) // "a\nb"
 */
export function mimeText(value: unknown): string {
  return typeof value === "string" || Array.isArray(value) ? joinSource(value as string | string[]) : JSON.stringify(value, null, 2);
}
