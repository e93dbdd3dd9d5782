-- How many loads of each status are on the board (duplicates of another board's copy left out),
-- kept by triggers so every way a load is stored, changed or deleted counts, and the board's
-- "of 200,000" is one row read instead of counting every open load (~6 ms a page at 200 000).
CREATE TABLE load_board_counts (
  status TEXT PRIMARY KEY,
  n INTEGER NOT NULL
) WITHOUT ROWID;

INSERT INTO load_board_counts (status, n) SELECT status, count(*) FROM loads WHERE duplicate_of IS NULL GROUP BY status;

CREATE TRIGGER load_board_counts_insert AFTER INSERT ON loads WHEN NEW.duplicate_of IS NULL
BEGIN
  INSERT INTO load_board_counts (status, n) VALUES (NEW.status, 1) ON CONFLICT (status) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER load_board_counts_delete AFTER DELETE ON loads WHEN OLD.duplicate_of IS NULL
BEGIN
  UPDATE load_board_counts SET n = n - 1 WHERE status = OLD.status;
END;

CREATE TRIGGER load_board_counts_update AFTER UPDATE OF status, duplicate_of ON loads
  WHEN OLD.status IS NOT NEW.status OR (OLD.duplicate_of IS NULL) != (NEW.duplicate_of IS NULL)
BEGIN
  UPDATE load_board_counts SET n = n - 1 WHERE OLD.duplicate_of IS NULL AND status = OLD.status;
  INSERT INTO load_board_counts (status, n) SELECT NEW.status, 1 WHERE NEW.duplicate_of IS NULL
    ON CONFLICT (status) DO UPDATE SET n = n + 1;
END;
