-- The identity provider's own id for a person (SCIM externalId), kept so re-provisioning matches.
ALTER TABLE people ADD COLUMN external_id TEXT;
CREATE INDEX people_external_id ON people(external_id);
