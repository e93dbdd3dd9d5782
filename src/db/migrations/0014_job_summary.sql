-- What a job's last successful run reported in one line (the backup job: which file, its size, how
-- long it took, how many backups are kept), shown on the Jobs page beside its status.
ALTER TABLE job_state ADD COLUMN last_summary TEXT;
