-- Usage signals are only ever read by (pool, person), which the primary key covers, and people are never deleted;
-- the index by person alone only slowed every import (a million-row sign-in file writes it a million times).
DROP INDEX IF EXISTS usage_signals_person;
