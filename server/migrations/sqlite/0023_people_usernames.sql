-- A person's user name in the systems that key people by it (Snipe-IT's Username, SCIM userName, Graph's
-- userPrincipalName), lower-case, one person each; and whether the HR or asset system marks them a VIP, which
-- reclamation policies may exempt.
ALTER TABLE people ADD COLUMN username TEXT;
ALTER TABLE people ADD COLUMN vip INTEGER NOT NULL DEFAULT 0 CHECK (vip IN (0, 1));
CREATE UNIQUE INDEX people_username ON people(username) WHERE username IS NOT NULL;
