-- The license group (or other target-side name) of each of a connector's pools: an Okta group id, a SCIM group.
ALTER TABLE connector_pools ADD COLUMN target TEXT;
