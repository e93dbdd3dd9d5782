-- Telemetry: vehicles, their devices, positions, readings, J1939 faults, the latest state of each
-- vehicle, trips, daily distance, dead letters and the redelivery guard. Units are SI (km, km/h,
-- °C, litres, hours); times are UTC epoch milliseconds.

CREATE TABLE vehicles (
  id INTEGER PRIMARY KEY,
  -- The unit number painted on the truck: what dispatchers call it.
  unit TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL DEFAULT '',
  vin TEXT,
  make TEXT,
  model TEXT,
  year INTEGER,
  -- Equipment type codes, comma-separated (V,R,F…).
  equipment TEXT NOT NULL DEFAULT '',
  tank_l REAL,
  -- Configured fuel economy in miles per US gallon (the fallback when telemetry cannot measure it).
  mpg REAL,
  home_base TEXT,
  -- 1 for the simulated demo fleet: marked as demo everywhere it shows.
  demo INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);

CREATE TABLE devices (
  id TEXT PRIMARY KEY,
  -- Null while pending: seen on the wire but not yet adopted to a vehicle.
  vehicle_id INTEGER REFERENCES vehicles(id) ON DELETE SET NULL,
  -- sha256 of the device secret (MQTT password on the embedded broker, HTTP token); null when unknown.
  secret_hash TEXT,
  status TEXT NOT NULL CHECK (status IN ('active', 'pending', 'disabled')),
  name TEXT NOT NULL DEFAULT '',
  demo INTEGER NOT NULL DEFAULT 0,
  -- The source and topic it was last heard on, for the Devices page.
  last_source TEXT,
  last_topic TEXT,
  first_seen INTEGER,
  last_seen INTEGER,
  created_at INTEGER NOT NULL
);
CREATE INDEX devices_vehicle ON devices(vehicle_id);

-- One row per fix, clustered by vehicle and time so "one truck's track for one day" is one range
-- scan and the primary key is the only index. Coordinates are microdegrees, speed is 0.1 km/h,
-- heading whole degrees: integers pack into 1–4 bytes each.
CREATE TABLE positions (
  vehicle_id INTEGER NOT NULL,
  ts INTEGER NOT NULL,
  lat_e6 INTEGER NOT NULL,
  lon_e6 INTEGER NOT NULL,
  speed_dkmh INTEGER,
  heading INTEGER,
  altitude_m INTEGER,
  accuracy_m INTEGER,
  PRIMARY KEY (vehicle_id, ts)
) WITHOUT ROWID;

-- Readings by vehicle, name (index into READING_NAMES in src/ingest/records.ts) and time.
CREATE TABLE readings (
  vehicle_id INTEGER NOT NULL,
  name_id INTEGER NOT NULL,
  ts INTEGER NOT NULL,
  value REAL NOT NULL,
  PRIMARY KEY (vehicle_id, name_id, ts)
) WITHOUT ROWID;

-- J1939 diagnostic trouble codes. One row per occurrence episode: a code that clears and comes
-- back starts a new row. Active rows have cleared_at null.
CREATE TABLE faults (
  id INTEGER PRIMARY KEY,
  vehicle_id INTEGER NOT NULL REFERENCES vehicles(id) ON DELETE CASCADE,
  source_address INTEGER NOT NULL,
  spn INTEGER NOT NULL,
  fmi INTEGER NOT NULL,
  oc INTEGER NOT NULL,
  cm INTEGER NOT NULL,
  -- Lamp states from the DM1 that last listed the code: off, on, slow_flash, fast_flash.
  lamp_mil TEXT NOT NULL,
  lamp_red_stop TEXT NOT NULL,
  lamp_amber_warning TEXT NOT NULL,
  lamp_protect TEXT NOT NULL,
  first_seen INTEGER NOT NULL,
  last_seen INTEGER NOT NULL,
  cleared_at INTEGER
);
CREATE INDEX faults_vehicle_active ON faults(vehicle_id, cleared_at);
CREATE UNIQUE INDEX faults_one_active ON faults(vehicle_id, source_address, spn, fmi) WHERE cleared_at IS NULL;

-- The latest known state of each vehicle, kept up to date in the same transaction as the data, so
-- dashboards read one row per truck.
CREATE TABLE vehicle_state (
  vehicle_id INTEGER PRIMARY KEY REFERENCES vehicles(id) ON DELETE CASCADE,
  last_seen INTEGER NOT NULL,
  position_ts INTEGER,
  lat REAL,
  lon REAL,
  speed_kmh REAL,
  heading REAL,
  odometer_km REAL,
  engine_hours REAL,
  fuel_level_pct REAL,
  fuel_used_l REAL,
  fuel_rate_lph REAL,
  engine_rpm REAL,
  coolant_c REAL,
  battery_v REAL,
  ignition INTEGER,
  -- Readings as of (epoch ms), per column above, as JSON {name: ts}: lets the page say how fresh each is.
  reading_ts TEXT NOT NULL DEFAULT '{}',
  active_faults INTEGER NOT NULL DEFAULT 0,
  updated_at INTEGER NOT NULL
);

-- Trips derived from ignition and speed.
CREATE TABLE trips (
  id INTEGER PRIMARY KEY,
  vehicle_id INTEGER NOT NULL REFERENCES vehicles(id) ON DELETE CASCADE,
  start_ts INTEGER NOT NULL,
  end_ts INTEGER,
  start_lat REAL,
  start_lon REAL,
  end_lat REAL,
  end_lon REAL,
  start_odometer_km REAL,
  end_odometer_km REAL,
  -- Distance from the odometer when the truck reports one, else summed from GPS.
  distance_km REAL NOT NULL DEFAULT 0,
  distance_source TEXT NOT NULL DEFAULT 'gps' CHECK (distance_source IN ('odometer', 'gps'))
);
CREATE INDEX trips_vehicle_start ON trips(vehicle_id, start_ts);

-- Distance per vehicle per day (the configured timezone's calendar day, as YYYY-MM-DD).
CREATE TABLE vehicle_days (
  vehicle_id INTEGER NOT NULL REFERENCES vehicles(id) ON DELETE CASCADE,
  day TEXT NOT NULL,
  distance_km REAL NOT NULL DEFAULT 0,
  PRIMARY KEY (vehicle_id, day)
) WITHOUT ROWID;

-- Messages that could not be stored as telemetry, with the reason. Nothing is thrown away silently.
CREATE TABLE dead_letters (
  id INTEGER PRIMARY KEY,
  received_at INTEGER NOT NULL,
  source_id TEXT,
  device_id TEXT,
  topic TEXT,
  -- The payload, truncated (see payload_bytes for the full size); text when it was UTF-8, else hex.
  payload TEXT NOT NULL,
  payload_bytes INTEGER NOT NULL,
  reason TEXT NOT NULL
);
CREATE INDEX dead_letters_received ON dead_letters(received_at);

-- Hashes of messages already stored, so a QoS 1 redelivery (same device, topic and payload) is
-- stored once. Pruned by the retention job.
CREATE TABLE ingest_seen (
  hash BLOB PRIMARY KEY,
  received_at INTEGER NOT NULL
) WITHOUT ROWID;
