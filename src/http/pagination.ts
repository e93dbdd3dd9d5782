/** List responses `{ data, next_cursor }` with `limit`/`cursor` query parameters, the same for every API list. */
import { t } from "elysia";

/** Query schema for list endpoints. */
export const ListQuery = t.Object({
  limit: t.Optional(t.Numeric({ minimum: 1, maximum: 500, default: 50, description: "How many items to return (1–500)." })),
  cursor: t.Optional(t.String({ description: "Opaque cursor from a previous response's next_cursor." })),
});

/** Response schema for a list of `item`. */
export function ListOf<T extends import("@sinclair/typebox").TSchema>(item: T) {
  return t.Object({ data: t.Array(item), next_cursor: t.Union([t.String(), t.Null()]) });
}

/** Encodes a cursor (an opaque base64url string) from a position value. */
export function encodeCursor(position: string | number): string {
  return Buffer.from(JSON.stringify(position)).toString("base64url");
}

/** Decodes a cursor; undefined when absent or malformed (a bad cursor restarts from the top). */
export function decodeCursor<T = string | number>(cursor: string | undefined): T | undefined {
  if (!cursor) return undefined;
  try {
    return JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as T;
  } catch {
    return undefined;
  }
}

/**
 * Pages an in-memory list sorted by a unique key: items after the cursor's key, `limit` of them,
 * and the cursor for the next page (null at the end).
 */
export function pageList<T>(items: T[], key: (item: T) => string | number, limit = 50, cursor?: string): { data: T[]; next_cursor: string | null } {
  const after = decodeCursor(cursor);
  const start = after === undefined ? 0 : items.findIndex((item) => key(item) === after) + 1;
  const data = items.slice(start, start + limit);
  const more = start + limit < items.length;
  return { data, next_cursor: more && data.length ? encodeCursor(key(data[data.length - 1]!)) : null };
}
