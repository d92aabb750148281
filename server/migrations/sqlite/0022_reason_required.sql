-- Every change request says why before it goes to an approver (a policy setting, on unless an admin turns it off).
ALTER TABLE approval_policy ADD COLUMN require_reason INTEGER NOT NULL DEFAULT 1 CHECK (require_reason IN (0, 1));
