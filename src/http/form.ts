/** Reading urlencoded or multipart form bodies in the page routes. */

/** A form field as trimmed text ("" when absent or not text). */
export function formField(body: unknown, name: string): string {
  const value = (body as Record<string, unknown> | null)?.[name];
  return typeof value === "string" ? value.trim() : "";
}
