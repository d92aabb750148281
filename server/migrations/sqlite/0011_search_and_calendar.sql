-- Name and e-mail search without scanning the directory: an FTS5 trigram index over `people` (any substring of
-- three or more characters, case-insensitive), as an external-content table so the text is stored once. The
-- triggers keep it in step with every write to `people`; `rebuild` indexes the rows already there.
CREATE VIRTUAL TABLE people_search USING fts5(
    name, email, content = 'people', content_rowid = 'id', tokenize = 'trigram'
);
INSERT INTO people_search (people_search) VALUES ('rebuild');

CREATE TRIGGER people_search_insert AFTER INSERT ON people BEGIN
    INSERT INTO people_search (rowid, name, email) VALUES (new.id, new.name, new.email);
END;
CREATE TRIGGER people_search_delete AFTER DELETE ON people BEGIN
    INSERT INTO people_search (people_search, rowid, name, email) VALUES ('delete', old.id, old.name, old.email);
END;
-- Only a changed name or address touches the index (imports rewrite many rows whose name stays the same).
CREATE TRIGGER people_search_update AFTER UPDATE OF name, email ON people
WHEN old.name IS NOT new.name OR old.email IS NOT new.email BEGIN
    INSERT INTO people_search (people_search, rowid, name, email) VALUES ('delete', old.id, old.name, old.email);
    INSERT INTO people_search (rowid, name, email) VALUES (new.id, new.name, new.email);
END;

-- The calendar reads a range's dates per day and kind from these indexes alone, in date then contract order (the
-- order a day lists its dates in), and values each contract by its pools without reading the pool rows.
CREATE INDEX contract_terms_end_contract ON contract_terms(end_date, contract_id);
CREATE INDEX contract_terms_cancel_by_contract ON contract_terms(cancel_by, contract_id);
CREATE INDEX pools_contract_value ON pools(contract_id, currency, annual_cost_minor);
DROP INDEX contract_terms_end;
DROP INDEX contract_terms_cancel_by;
DROP INDEX pools_contract;
