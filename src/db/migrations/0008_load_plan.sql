-- What a load was expected to cost and net when it was booked (the engine's figures at the agreed
-- rate, with the truck's position, costs and diesel price of that moment), so the money per truck
-- per week and month stays what the dispatcher saw, even after costs or prices change.
ALTER TABLE loads ADD COLUMN booked_miles REAL;
ALTER TABLE loads ADD COLUMN booked_cost_cents INTEGER;
ALTER TABLE loads ADD COLUMN booked_net_cents INTEGER;
