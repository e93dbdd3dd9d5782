-- Road miles of a load's loaded leg from the configured route server (matching.route_provider),
-- for loads posted without miles. NULL: not asked yet, or no route server.
ALTER TABLE loads ADD COLUMN route_miles REAL;
