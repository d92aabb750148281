-- Sign-in through the organisation's identity provider (OpenID Connect).

-- A sign-in under way: the hash of its state, the browser it started in (the hash of a cookie set then), and the
-- PKCE verifier and nonce the callback needs. Used once, within minutes; any instance may finish it.
CREATE TABLE oidc_logins (
    state_hash TEXT PRIMARY KEY,
    browser_hash TEXT NOT NULL,
    pkce_verifier TEXT NOT NULL,
    nonce TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);

-- Who a user is at the provider (issuer and subject), once they signed in through it.
ALTER TABLE users ADD COLUMN oidc_subject TEXT;
CREATE UNIQUE INDEX users_oidc_subject ON users(oidc_subject) WHERE oidc_subject IS NOT NULL;

-- The provider's groups and the roles they give (a license owner's with the department it owns); admins keep it.
CREATE TABLE oidc_group_roles (
    id INTEGER PRIMARY KEY,
    group_name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('admin', 'license_owner', 'finance', 'approver')),
    department_id INTEGER REFERENCES departments(id)
);
CREATE UNIQUE INDEX oidc_group_roles_unique ON oidc_group_roles(group_name, role, COALESCE(department_id, 0));
