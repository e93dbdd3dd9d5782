-- Loads from load boards (and phoned in), the brokers offering them, each load's lifecycle, and
-- each truck's dispatch preferences. Money is integer cents; distances are miles (as boards post
-- them); times are UTC epoch ms.

-- A broker, keyed by MC number, or by normalised name when a board gives no MC.
CREATE TABLE brokers (
  id INTEGER PRIMARY KEY,
  mc TEXT UNIQUE,
  -- lower-cased name without punctuation or "inc/llc": the key of brokers without an MC.
  name_key TEXT NOT NULL,
  name TEXT NOT NULL,
  dot TEXT,
  phone TEXT,
  email TEXT,
  -- What sources say, latest first: a board's credit score (0–100, higher is better) and days to pay.
  credit_score REAL,
  days_to_pay REAL,
  -- The fleet's own notes (owner-entered).
  notes TEXT NOT NULL DEFAULT '',
  demo INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX brokers_name_key ON brokers(name_key) WHERE mc IS NULL;

CREATE TABLE loads (
  id INTEGER PRIMARY KEY,
  -- The source's id from the YAML, or 'manual' for a load entered by hand.
  source_id TEXT NOT NULL,
  external_id TEXT NOT NULL,
  -- Content fingerprint (lane, pickup day, equipment, weight, broker): the same load posted on two
  -- boards has the same fingerprint; the later copy points at the first with duplicate_of.
  fingerprint TEXT NOT NULL,
  duplicate_of INTEGER REFERENCES loads(id) ON DELETE SET NULL,
  -- open, expired, saved, negotiating, booked, picked_up, delivered, invoiced, paid, cancelled.
  status TEXT NOT NULL DEFAULT 'open',
  origin_city TEXT, origin_state TEXT, origin_zip TEXT,
  origin_lat REAL NOT NULL, origin_lon REAL NOT NULL,
  dest_city TEXT, dest_state TEXT, dest_zip TEXT,
  dest_lat REAL NOT NULL, dest_lon REAL NOT NULL,
  pickup_earliest INTEGER NOT NULL,
  pickup_latest INTEGER,
  delivery_earliest INTEGER,
  delivery_latest INTEGER,
  equipment TEXT NOT NULL,
  weight_lb REAL,
  length_ft REAL,
  full INTEGER NOT NULL DEFAULT 1,
  rate_cents INTEGER,
  loaded_miles REAL,
  commodity TEXT,
  -- Untrusted text from the board: shown escaped, fenced when given to a model.
  comments TEXT,
  broker_id INTEGER REFERENCES brokers(id),
  posted_at INTEGER,
  expires_at INTEGER,
  demo INTEGER NOT NULL DEFAULT 0,
  first_seen INTEGER NOT NULL,
  last_seen INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  -- Lifecycle: the truck and agreed rate once booked, and when each step happened.
  truck_id INTEGER REFERENCES vehicles(id) ON DELETE SET NULL,
  agreed_rate_cents INTEGER,
  saved_at INTEGER,
  negotiating_at INTEGER,
  booked_at INTEGER,
  picked_up_at INTEGER,
  delivered_at INTEGER,
  invoiced_at INTEGER,
  paid_at INTEGER,
  cancelled_at INTEGER,
  -- Who cancelled: 'fleet' or 'broker' (a broker's cancellations count in its risk).
  cancelled_by TEXT,
  expired_at INTEGER,
  disputed INTEGER NOT NULL DEFAULT 0,
  UNIQUE (source_id, external_id)
);
CREATE INDEX loads_status_pickup ON loads(status, pickup_earliest);
CREATE INDEX loads_fingerprint ON loads(fingerprint);
CREATE INDEX loads_broker ON loads(broker_id);
CREATE INDEX loads_truck ON loads(truck_id) WHERE truck_id IS NOT NULL;

-- Every status change of a load, with who made it.
CREATE TABLE load_events (
  id INTEGER PRIMARY KEY,
  load_id INTEGER NOT NULL REFERENCES loads(id) ON DELETE CASCADE,
  at INTEGER NOT NULL,
  status TEXT NOT NULL,
  note TEXT,
  user_id INTEGER REFERENCES users(id) ON DELETE SET NULL
);
CREATE INDEX load_events_load ON load_events(load_id, at);

-- Per load-board source: the last poll's counts and running totals, for the Sources page.
CREATE TABLE load_source_counts (
  source_id TEXT PRIMARY KEY,
  last_poll_at INTEGER,
  last_new INTEGER NOT NULL DEFAULT 0,
  last_updated INTEGER NOT NULL DEFAULT 0,
  last_expired INTEGER NOT NULL DEFAULT 0,
  last_rejected INTEGER NOT NULL DEFAULT 0,
  total_new INTEGER NOT NULL DEFAULT 0,
  total_updated INTEGER NOT NULL DEFAULT 0,
  total_expired INTEGER NOT NULL DEFAULT 0,
  total_rejected INTEGER NOT NULL DEFAULT 0
);

-- A truck's dispatch preferences (its driver's): what the matching engine scores loads against.
CREATE TABLE truck_preferences (
  vehicle_id INTEGER PRIMARY KEY REFERENCES vehicles(id) ON DELETE CASCADE,
  max_deadhead_miles REAL,
  min_rpm_all_in_cents INTEGER,
  -- Comma-separated state codes.
  preferred_states TEXT NOT NULL DEFAULT '',
  avoided_states TEXT NOT NULL DEFAULT '',
  max_weight_lb REAL,
  -- The date (YYYY-MM-DD, fleet time zone) the driver wants to be home by, and where home is.
  home_by TEXT,
  home_lat REAL,
  home_lon REAL,
  updated_at INTEGER NOT NULL
);

-- Rejected load records join rejected telemetry in dead_letters; `kind` tells them apart and
-- `ref` says where in the source a record came from ("loads.csv row 12").
ALTER TABLE dead_letters ADD COLUMN kind TEXT NOT NULL DEFAULT 'telemetry';
ALTER TABLE dead_letters ADD COLUMN ref TEXT;
