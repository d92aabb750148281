-- Import progress (PostgreSQL: table import_progress). On SQLite a running import holds the only write lock of
-- this file, so progress lives in a small side database beside it (`<file>-progress.db`, schema in
-- migrations/sqlite-progress) that every instance on this file opens too. Nothing changes in this file.
SELECT 1;
