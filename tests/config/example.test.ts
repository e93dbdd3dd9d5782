/**
 * config.example.yaml stays true to the schema: valid as shipped, valid with every commented-out
 * option switched on, every schema key documented with a full-sentence comment, defaults as shown.
 */
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parse } from "yaml";
import { ConfigSchema } from "../../src/config/schema";
import { validateConfigText } from "../../src/config/load";
import { formatConfigError } from "../../src/config/errors";

const EXAMPLE_PATH = resolve(import.meta.dir, "../../config.example.yaml");
const exampleText = readFileSync(EXAMPLE_PATH, "utf8");

/** A commented line whose text is YAML (a key, a list item, or a comment inside a commented block), not prose. */
const COMMENTED_YAML = /^(\s*)# (\s*(?:[a-z_][a-z0-9_-]*:(?:\s|$)|- |#).*)$/;
/** A key line: `key:` or `- key:`. */
const KEY_LINE = /^\s*(?:- )?([a-z_][a-z0-9_-]*):(?:\s|$)/;

/** The example with every commented-out option switched on (prose stays commented). */
function uncomment(text: string): string {
  return text
    .split("\n")
    .map((line) => {
      const match = COMMENTED_YAML.exec(line);
      return match ? match[1]! + match[2]! : line;
    })
    .join("\n");
}

async function validate(text: string) {
  return validateConfigText(text, { label: "config.example.yaml", baseDir: join(EXAMPLE_PATH, ".."), cwd: "/tmp", env: {} });
}

/**
 * Schema key paths that no value in `values` has, like `auth.session_hours`, `jobs.*.schedule`,
 * `sources[].plugin`. Records and lists count a key as present when any entry has it.
 */
function missingKeyPaths(schema: any, values: unknown[], path: string, found: string[]): string[] {
  const missing: string[] = [];
  const objects = values.filter((v): v is Record<string, unknown> => !!v && typeof v === "object");
  if (schema.type === "array" && schema.items) {
    const items = objects.flatMap((v) => (Array.isArray(v) ? v : []));
    if (!items.length) return [`${path}[]`];
    return missingKeyPaths(schema.items, items, `${path}[]`, found);
  }
  if (schema.type === "object" && schema.patternProperties) {
    const entries = objects.flatMap((v) => Object.values(v));
    if (!entries.length) return [`${path}.*`];
    return missingKeyPaths(Object.values(schema.patternProperties)[0], entries, `${path}.*`, found);
  }
  for (const [key, child] of Object.entries<any>(schema.properties ?? {})) {
    const keyPath = path ? `${path}.${key}` : key;
    found.push(keyPath);
    const present = objects.map((v) => v[key]).filter((v) => v !== undefined);
    if (!present.length) missing.push(keyPath);
    else missing.push(...missingKeyPaths(child, present, keyPath, found));
  }
  return missing;
}

/** `[path, default]` for every plain (non-list, non-record) schema leaf with a default. */
function leafDefaults(schema: any, path: string[] = []): [string[], unknown][] {
  if (schema.type === "object" && schema.properties) return Object.entries<any>(schema.properties).flatMap(([key, child]) => leafDefaults(child, [...path, key]));
  if (schema.type === "array" || schema.patternProperties) return [];
  return "default" in schema ? [[path, schema.default]] : [];
}

describe("config.example.yaml", () => {
  test("is valid exactly as shipped", async () => {
    const result = await validate(exampleText);
    expect(result.ok ? [] : result.errors.map(formatConfigError)).toEqual([]);
  });

  test("is valid with every commented-out option switched on", async () => {
    const switchedOn = uncomment(exampleText);
    expect(switchedOn).not.toBe(exampleText);
    const result = await validate(switchedOn);
    expect(result.ok ? [] : result.errors.map(formatConfigError)).toEqual([]);
  });

  test("shows every key of the schema, nested ones included", () => {
    const document = parse(uncomment(exampleText));
    const found: string[] = [];
    const missing = missingKeyPaths(ConfigSchema, [document], "", found);
    expect(missing).toEqual([]);
    // Guard against a walk that silently finds nothing.
    expect(found.length).toBeGreaterThan(15);
    expect(found).toContain("sources[].schedule");
    expect(found).toContain("jobs.*.timeout_seconds");
  });

  test("shows each option at its schema default", () => {
    const document = parse(uncomment(exampleText));
    const defaults = leafDefaults(ConfigSchema);
    expect(defaults.length).toBeGreaterThan(10);
    for (const [path, expected] of defaults) {
      const shown = path.reduce<any>((value, key) => value?.[key], document);
      expect({ path: path.join("."), shown }).toEqual({ path: path.join("."), shown: expected });
    }
  });

  test("every key has a full-sentence comment right above it", () => {
    const lines = uncomment(exampleText).split("\n");
    const undocumented: string[] = [];
    lines.forEach((line, index) => {
      const key = KEY_LINE.exec(line)?.[1];
      if (!key) return;
      const above = lines[index - 1]?.trim() ?? "";
      // Walk up to the first line of the comment block to check it starts a sentence.
      let first = index - 1;
      while (first > 0 && lines[first - 1]!.trim().startsWith("#") && lines[first - 1]!.trim() !== "#") first--;
      const opening = lines[first]?.trim() ?? "";
      if (!above.startsWith("# ") || !/[.:]$/.test(above) || !/^# [A-Z]/.test(opening)) undocumented.push(`line ${index + 1}: ${line.trim()}`);
    });
    expect(undocumented).toEqual([]);
  });

  test("each schema description is a sentence, since the docs and errors quote them", () => {
    const missing: string[] = [];
    const walk = (schema: any, path: string) => {
      for (const [key, child] of Object.entries<any>(schema.properties ?? {})) {
        const keyPath = path ? `${path}.${key}` : key;
        if (!/^[A-Z].*\.$/.test(child.description ?? "")) missing.push(keyPath);
        walk(child, keyPath);
        if (child.items) walk(child.items, `${keyPath}[]`);
        if (child.patternProperties) walk(Object.values(child.patternProperties)[0], `${keyPath}.*`);
      }
    };
    walk(ConfigSchema, "");
    expect(missing).toEqual([]);
  });
});
