-- Four eyes through a policy: the user who wrote each policy version, and on a change request a policy run sent,
-- that author. Neither the requester nor the author may approve the request.
ALTER TABLE reclamation_policy_versions ADD COLUMN author_id INTEGER REFERENCES users(id);
UPDATE reclamation_policy_versions SET author_id = (SELECT u.id FROM users u WHERE u.email = reclamation_policy_versions.created_by);
ALTER TABLE change_requests ADD COLUMN author_id INTEGER REFERENCES users(id);
UPDATE change_requests SET author_id = (
    SELECT v.author_id FROM reclamation_cases c JOIN reclamation_policy_versions v
      ON v.policy_id = c.policy_id AND v.version = c.policy_version
    WHERE c.change_request_id = change_requests.id LIMIT 1);
