-- A session begun through the identity provider keeps its ID token, the hint the provider's logout takes
-- (RP-initiated logout), and drops it with the session.
ALTER TABLE sessions ADD COLUMN id_token TEXT;
