-- Readings become one row per vehicle and time with a column per reading name, instead of one row
-- per name. A J1939 gateway message carries 6–10 readings taken at the same moment: as one row
-- they cost one B-tree insert and one key instead of eight (bench:ingest: ingest rate and bytes per
-- message both improved; see bench/README.md). A reading not in a message is NULL, which costs one
-- header byte. Column names are the reading names of src/ingest/records.ts (READINGS): adding a
-- reading there needs an `ALTER TABLE readings ADD COLUMN` migration, and a test checks the two agree.
CREATE TABLE readings_wide (
  vehicle_id INTEGER NOT NULL,
  ts INTEGER NOT NULL,
  odometer_km REAL,
  engine_hours REAL,
  fuel_level_pct REAL,
  fuel_used_l REAL,
  fuel_rate_lph REAL,
  fuel_economy_kmpl REAL,
  engine_rpm REAL,
  wheel_speed_kmh REAL,
  coolant_c REAL,
  battery_v REAL,
  ignition REAL,
  device_battery_pct REAL,
  PRIMARY KEY (vehicle_id, ts)
) WITHOUT ROWID;

-- name_id was the index into READING_NAMES when 0003 shipped, in this order.
INSERT INTO readings_wide
SELECT vehicle_id, ts,
  max(CASE name_id WHEN 0 THEN value END),
  max(CASE name_id WHEN 1 THEN value END),
  max(CASE name_id WHEN 2 THEN value END),
  max(CASE name_id WHEN 3 THEN value END),
  max(CASE name_id WHEN 4 THEN value END),
  max(CASE name_id WHEN 5 THEN value END),
  max(CASE name_id WHEN 6 THEN value END),
  max(CASE name_id WHEN 7 THEN value END),
  max(CASE name_id WHEN 8 THEN value END),
  max(CASE name_id WHEN 9 THEN value END),
  max(CASE name_id WHEN 10 THEN value END),
  max(CASE name_id WHEN 11 THEN value END)
FROM readings GROUP BY vehicle_id, ts;

DROP TABLE readings;
ALTER TABLE readings_wide RENAME TO readings;
