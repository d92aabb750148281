-- The employee role: anyone in the company signed in through the identity provider, who sees their own seats.
ALTER TABLE user_roles DROP CONSTRAINT user_roles_role_check;
ALTER TABLE user_roles ADD CONSTRAINT user_roles_role_check
    CHECK (role IN ('admin', 'license_owner', 'finance', 'approver', 'employee'));
