/**
 * The ordered migration list. Append only: never edit or reorder a migration that has shipped;
 * add a new file and a new line here. SQL files are imported as text so the binary carries them.
 */
import type { Database } from "bun:sqlite";
import init from "./0001_init.sql" with { type: "text" };
import sourcesJobs from "./0002_sources_jobs.sql" with { type: "text" };
import telemetry from "./0003_telemetry.sql" with { type: "text" };
import tripState from "./0004_trip_state.sql" with { type: "text" };
import readingsWide from "./0005_readings_wide.sql" with { type: "text" };
import loads from "./0006_loads.sql" with { type: "text" };
import dieselPrices from "./0007_diesel_prices.sql" with { type: "text" };
import loadPlan from "./0008_load_plan.sql" with { type: "text" };
import routeMiles from "./0009_route_miles.sql" with { type: "text" };
import boardIndex from "./0010_board_index.sql" with { type: "text" };
import boardCounts from "./0011_board_counts.sql" with { type: "text" };
import expiryIndex from "./0012_expiry_index.sql" with { type: "text" };
import negotiationTurns from "./0013_negotiation_turns.sql" with { type: "text" };
import jobSummary from "./0014_job_summary.sql" with { type: "text" };

/** One schema step: SQL text, or a function for steps SQL cannot express. */
export interface Migration {
  version: number;
  name: string;
  up: string | ((db: Database) => void);
}

export const migrations: Migration[] = [
  { version: 1, name: "init", up: init },
  { version: 2, name: "sources_jobs", up: sourcesJobs },
  { version: 3, name: "telemetry", up: telemetry },
  { version: 4, name: "trip_state", up: tripState },
  { version: 5, name: "readings_wide", up: readingsWide },
  { version: 6, name: "loads", up: loads },
  { version: 7, name: "diesel_prices", up: dieselPrices },
  { version: 8, name: "load_plan", up: loadPlan },
  { version: 9, name: "route_miles", up: routeMiles },
  { version: 10, name: "board_index", up: boardIndex },
  { version: 11, name: "board_counts", up: boardCounts },
  { version: 12, name: "expiry_index", up: expiryIndex },
  { version: 13, name: "negotiation_turns", up: negotiationTurns },
  { version: 14, name: "job_summary", up: jobSummary },
];
