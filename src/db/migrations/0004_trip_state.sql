-- State of the derived-telemetry jobs: the trip walker's per-vehicle watermark and carry-over, each
-- trip's distance per calendar day (so vehicle_days can be recomputed exactly when a trip is
-- updated), and the retention job's thinning watermark.

-- Per vehicle: every position and ignition/odometer reading with ts <= processed_ts has been walked;
-- walker is the JSON the walk carries to the next run (open trip, last fix, ignition, odometer).
CREATE TABLE trip_state (
  vehicle_id INTEGER PRIMARY KEY REFERENCES vehicles(id) ON DELETE CASCADE,
  processed_ts INTEGER NOT NULL,
  walker TEXT NOT NULL,
  updated_at INTEGER NOT NULL
);

-- A trip's distance on each calendar day it touched (configured timezone). vehicle_days is the sum
-- of these per vehicle and day.
CREATE TABLE trip_days (
  trip_id INTEGER NOT NULL REFERENCES trips(id) ON DELETE CASCADE,
  -- Repeated from the trip so one vehicle-day is summed from an index without touching trips.
  vehicle_id INTEGER NOT NULL REFERENCES vehicles(id) ON DELETE CASCADE,
  day TEXT NOT NULL,
  distance_km REAL NOT NULL,
  PRIMARY KEY (trip_id, day)
) WITHOUT ROWID;
CREATE INDEX trip_days_vehicle_day ON trip_days(vehicle_id, day);

-- Named watermarks of the retention job (e.g. thinned_before: raw rows older than this are thinned).
CREATE TABLE retention_state (
  name TEXT PRIMARY KEY,
  value INTEGER NOT NULL
);
