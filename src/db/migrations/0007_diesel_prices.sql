-- The latest weekly retail on-highway diesel price per region, as the fuel-prices job last fetched
-- it from EIA (costs.diesel.source: eia). Region ids: US, 1A, 1B, 1C, 2, 3, 4, 5 (PADDs).
CREATE TABLE diesel_prices (
  region TEXT PRIMARY KEY,
  -- Cents per US gallon with EIA's tenth of a cent (375.9 for $3.759).
  cents_per_gallon REAL NOT NULL,
  -- The week EIA priced, YYYY-MM-DD.
  period TEXT NOT NULL,
  fetched_at INTEGER NOT NULL
);
