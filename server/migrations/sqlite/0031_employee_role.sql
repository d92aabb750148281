-- The employee role: anyone in the company signed in through the identity provider, who sees their own seats.
CREATE TABLE user_roles_v2 (
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    role TEXT NOT NULL CHECK (role IN ('admin', 'license_owner', 'finance', 'approver', 'employee')),
    PRIMARY KEY (user_id, role)
);
INSERT INTO user_roles_v2 (user_id, role) SELECT user_id, role FROM user_roles;
DROP TABLE user_roles;
ALTER TABLE user_roles_v2 RENAME TO user_roles;
