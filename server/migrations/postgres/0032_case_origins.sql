-- Two more ways a case opens: a holder giving their own seat back (My seats) and, next, a consent campaign.
ALTER TABLE reclamation_cases DROP CONSTRAINT reclamation_cases_origin_check;
ALTER TABLE reclamation_cases ADD CONSTRAINT reclamation_cases_origin_check
    CHECK (origin IN ('policy', 'offboarding', 'contract', 'holder', 'campaign'));
