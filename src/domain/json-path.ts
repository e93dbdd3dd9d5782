/**
 * Following a parsed path through JSON-like data, shared by the field mappings of telemetry-json
 * and the load-board plugins (each parses its own path syntax into these steps).
 */

/** One step of a path: a property name or a list index (negative counts from the end). */
export type PathSegment = string | number;

/** The value at `segments` in `root`, or undefined. Own properties only, so "__proto__" or "constructor" never reach a prototype. */
export function resolvePath(root: unknown, segments: readonly PathSegment[]): unknown {
  let node = root;
  for (const segment of segments) {
    if (typeof segment === "number") {
      if (!Array.isArray(node)) return undefined;
      node = node[segment < 0 ? node.length + segment : segment];
    } else {
      if (node === null || typeof node !== "object" || Array.isArray(node) || !Object.hasOwn(node, segment)) return undefined;
      node = (node as Record<string, unknown>)[segment];
    }
  }
  return node;
}
