-- Where each change request came from (json, csv, rollback, reclamation, renewal, my_seats), so the feature that
-- drafted one hears what became of it. Earlier requests take it from their creation's ledger entry.
ALTER TABLE change_requests ADD COLUMN origin TEXT NOT NULL DEFAULT 'json'
    CHECK (origin IN ('json', 'csv', 'rollback', 'reclamation', 'renewal', 'my_seats'));
UPDATE change_requests SET origin = COALESCE((
    SELECT json_extract(l.after_json, '$.from') FROM ledger_entries l
    WHERE l.action = 'change_request.create' AND l.record_type = 'change_request' AND l.record_id = change_requests.id
      AND json_extract(l.after_json, '$.from') IN ('json', 'csv', 'rollback', 'reclamation', 'renewal', 'my_seats')
    ORDER BY l.seq LIMIT 1), 'json');
