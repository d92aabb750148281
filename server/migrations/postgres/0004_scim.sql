-- What the identity provider knows of a person: its own id (externalId), the user document it last sent (returned
-- back so SCIM clients see their attributes), and whether it deleted the user (the person is kept: history and
-- seat reclamation outlive the account).
ALTER TABLE people ADD COLUMN external_id TEXT;
ALTER TABLE people ADD COLUMN scim_json TEXT;
ALTER TABLE people ADD COLUMN scim_deleted_at TEXT;
CREATE INDEX people_external_id ON people(external_id);
