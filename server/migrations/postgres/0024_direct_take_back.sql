-- Whether license owners may still take back a single seat at once from a pool page, or every take-back goes
-- through a change request (admins always may). On unless an admin turns it off.
ALTER TABLE approval_policy ADD COLUMN owners_take_back_directly BIGINT NOT NULL DEFAULT 1 CHECK (owners_take_back_directly IN (0, 1));
