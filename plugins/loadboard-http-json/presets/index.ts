/**
 * Presets: the options of a known load board's API, so an owner writes `preset: coyote` and their
 * credentials instead of the board's whole request and field mapping. A preset is data the YAML
 * overrides key by key (see `mergePreset` in ../index.ts), plus the few options it cannot know —
 * the owner's own search, for one — which the source asks for by name when they are missing.
 */
import type { HttpJsonOptions } from "../index";
import { coyote } from "./coyote";

/** A known API's options. */
export interface Preset {
  /** The `preset:` value. */
  name: string;
  /** One sentence for the README and messages. */
  description: string;
  /** Every option the API's documentation settles. */
  options: Omit<HttpJsonOptions, "preset">;
  /** Options the owner must add (a dotted path into the options), and what to put there. */
  needs: { path: string; hint: string }[];
}

/** Every preset by name. */
export const PRESETS: Record<string, Preset> = { [coyote.name]: coyote };
