/**
 * A truck's dispatch preferences (its driver's): the longest empty run, the least all-in rate per
 * mile, states to prefer and avoid, the heaviest load, and a date to be home by. The matching
 * engine scores against them; a value left empty falls back to the fleet's setting or no limit.
 */
import type { Database } from "bun:sqlite";
import { US_STATES } from "./records";

export interface TruckPreferencesInput {
  max_deadhead_miles: number | null;
  min_rpm_all_in_cents: number | null;
  preferred_states: string[];
  avoided_states: string[];
  max_weight_lb: number | null;
  /** YYYY-MM-DD, or null. */
  home_by: string | null;
}

/** A refused value, naming the field. */
export class PreferencesError extends Error {}

const EMPTY: TruckPreferencesInput = { max_deadhead_miles: null, min_rpm_all_in_cents: null, preferred_states: [], avoided_states: [], max_weight_lb: null, home_by: null };

/** The stored preferences of a truck (empty ones when none were set). */
export function readPreferences(db: Database, vehicleId: number): TruckPreferencesInput {
  const row = db.query("SELECT max_deadhead_miles, min_rpm_all_in_cents, preferred_states, avoided_states, max_weight_lb, home_by FROM truck_preferences WHERE vehicle_id = ?").get(vehicleId) as
    | (Omit<TruckPreferencesInput, "preferred_states" | "avoided_states"> & { preferred_states: string; avoided_states: string })
    | null;
  if (!row) return { ...EMPTY };
  const split = (text: string) => text.split(",").filter(Boolean);
  return { ...row, preferred_states: split(row.preferred_states), avoided_states: split(row.avoided_states) };
}

/** Checks and stores a truck's preferences; throws PreferencesError naming the field. */
export function writePreferences(db: Database, vehicleId: number, input: TruckPreferencesInput, now = Date.now()): TruckPreferencesInput {
  const states = (field: "preferred_states" | "avoided_states") => {
    const codes = [...new Set(input[field].map((code) => code.trim().toUpperCase()).filter(Boolean))];
    const unknown = codes.filter((code) => !(US_STATES as readonly string[]).includes(code));
    if (unknown.length) throw new PreferencesError(`${field}: ${unknown.map((code) => JSON.stringify(code)).join(", ")} ${unknown.length === 1 ? "is not a" : "are not"} US state code${unknown.length === 1 ? "" : "s"}`);
    return codes;
  };
  const positive = (field: "max_deadhead_miles" | "min_rpm_all_in_cents" | "max_weight_lb", max: number) => {
    const value = input[field];
    if (value === null) return null;
    if (!Number.isFinite(value) || value < 0 || value > max) throw new PreferencesError(`${field} must be a number from 0 to ${max.toLocaleString("en-US")}`);
    return field === "min_rpm_all_in_cents" ? Math.round(value) : value;
  };
  const preferred = states("preferred_states");
  const avoided = states("avoided_states");
  const both = preferred.filter((code) => avoided.includes(code));
  if (both.length) throw new PreferencesError(`${both.join(", ")} cannot be both preferred and avoided`);
  if (input.home_by !== null && (!/^\d{4}-\d{2}-\d{2}$/.test(input.home_by) || Number.isNaN(Date.parse(`${input.home_by}T00:00:00Z`)))) throw new PreferencesError("home_by must be a date like 2026-12-24");
  const clean: TruckPreferencesInput = {
    max_deadhead_miles: positive("max_deadhead_miles", 5000),
    min_rpm_all_in_cents: positive("min_rpm_all_in_cents", 10_000),
    preferred_states: preferred,
    avoided_states: avoided,
    max_weight_lb: positive("max_weight_lb", 200_000),
    home_by: input.home_by,
  };
  db.query(
    `INSERT INTO truck_preferences (vehicle_id, max_deadhead_miles, min_rpm_all_in_cents, preferred_states, avoided_states, max_weight_lb, home_by, updated_at)
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
     ON CONFLICT (vehicle_id) DO UPDATE SET max_deadhead_miles = ?2, min_rpm_all_in_cents = ?3, preferred_states = ?4, avoided_states = ?5, max_weight_lb = ?6, home_by = ?7, updated_at = ?8`,
  ).run(vehicleId, clean.max_deadhead_miles, clean.min_rpm_all_in_cents, clean.preferred_states.join(","), clean.avoided_states.join(","), clean.max_weight_lb, clean.home_by, now);
  return clean;
}
