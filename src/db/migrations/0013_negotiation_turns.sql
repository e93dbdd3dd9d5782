-- A load's negotiation, kept with the load: each plan asked for (its words as JSON, the opening
-- ask in amount_cents), what the broker said (the figure read from it), and the move the engine
-- advised (accept, counter at amount_cents, or walk away, with its reason and the words to say).
CREATE TABLE negotiation_turns (
  id INTEGER PRIMARY KEY,
  load_id INTEGER NOT NULL REFERENCES loads(id) ON DELETE CASCADE,
  truck_id INTEGER NOT NULL,
  at INTEGER NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('plan', 'broker', 'move')),
  text TEXT NOT NULL,
  action TEXT CHECK (action IS NULL OR action IN ('accept', 'counter', 'walk_away')),
  amount_cents INTEGER,
  user_id INTEGER REFERENCES users(id) ON DELETE SET NULL
);
CREATE INDEX negotiation_turns_load ON negotiation_turns(load_id, id);
