/**
 * Topic filters with a `{device}` level, as telemetry sources write them in the YAML
 * (`fleet/{device}/can`, `owntracks/+/{device}`): the MQTT subscription filter they stand for, and
 * the device id a concrete topic carries at that level.
 */

/** A compiled `{device}` topic filter. */
export interface DeviceTopic {
  /** The filter as written in the YAML. */
  pattern: string;
  /** The MQTT subscription filter (`{device}` becomes `+`). */
  filter: string;
  /** Which level (0-based) holds the device id. */
  deviceLevel: number;
  /** The device id in `topic`, or null when the topic does not match the filter. */
  match(topic: string): string | null;
}

/** Why `pattern` is not a usable device topic filter, or null. */
export function deviceTopicProblem(pattern: string): string | null {
  const levels = pattern.split("/");
  const device = levels.filter((level) => level === "{device}").length;
  if (device !== 1) return `the topic ${JSON.stringify(pattern)} must have exactly one level that is {device} (like "fleet/{device}/can")`;
  for (const [index, level] of levels.entries()) {
    if (level === "#" && index !== levels.length - 1) return `in ${JSON.stringify(pattern)}, # may only be the last level`;
    if (level !== "#" && level !== "+" && level !== "{device}" && /[#+{}]/.test(level)) return `in ${JSON.stringify(pattern)}, the level ${JSON.stringify(level)} mixes wildcards or braces with text`;
  }
  if (levels.indexOf("#") !== -1 && levels.indexOf("#") < levels.indexOf("{device}")) return `in ${JSON.stringify(pattern)}, {device} must come before #`;
  return null;
}

/** Compiles a `{device}` filter; throws with the reason when it is not usable. */
export function compileDeviceTopic(pattern: string): DeviceTopic {
  const problem = deviceTopicProblem(pattern);
  if (problem) throw new Error(problem);
  const levels = pattern.split("/");
  const deviceLevel = levels.indexOf("{device}");
  const multi = levels.at(-1) === "#";
  const fixed = multi ? levels.slice(0, -1) : levels;
  return {
    pattern,
    filter: levels.map((level) => (level === "{device}" ? "+" : level)).join("/"),
    deviceLevel,
    match(topic: string): string | null {
      const parts = topic.split("/");
      if (multi ? parts.length < fixed.length : parts.length !== fixed.length) return null;
      for (let i = 0; i < fixed.length; i++) {
        const level = fixed[i]!;
        if (level === "+" || level === "{device}") {
          if (parts[i] === "") return null;
          continue;
        }
        if (level !== parts[i]) return null;
      }
      return parts[deviceLevel]!;
    },
  };
}
