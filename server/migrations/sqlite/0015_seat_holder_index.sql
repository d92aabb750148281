-- A seat is found by its holder and pool (change requests look up thousands at once): one index on both, in that
-- order, serves the holder's seats as the index it replaces did, and PostgreSQL no longer intersects the holder's
-- few seats with every seat of a large pool.
CREATE INDEX seat_assignments_person_pool ON seat_assignments(person_id, pool_id);
DROP INDEX seat_assignments_person;
