-- A "renew with changes" decision that changes seats sends the change through the approval queue: the next term
-- names the change request that carries it.
ALTER TABLE contract_terms ADD COLUMN change_request_id INTEGER REFERENCES change_requests(id);
