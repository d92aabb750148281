-- Consent campaigns and access reviews: the people who hold seats (or their managers, or the pools' owners) are
-- asked by e-mail before a seat is taken back, and answer on a page their link opens.
CREATE TABLE reclamation_campaigns (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    -- Who is asked: each seat's holder, the holder's manager (an access review), or the pool's owners.
    ask TEXT NOT NULL CHECK (ask IN ('holder', 'manager', 'owner')),
    policy_id INTEGER REFERENCES reclamation_policies(id),
    policy_version INTEGER,
    -- The last day to answer, and its end in the organisation's time zone.
    deadline TEXT NOT NULL,
    deadline_at TEXT NOT NULL,
    remind_at TEXT,
    reminded_at TEXT,
    no_answer TEXT NOT NULL CHECK (no_answer IN ('reclaim', 'owner_decides')),
    keep_confirmed_by TEXT CHECK (keep_confirmed_by IN ('manager', 'owner')),
    cooldown_days INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    closed_at TEXT
);
CREATE INDEX reclamation_campaigns_open ON reclamation_campaigns(closed_at, deadline_at);

-- One letter per person asked in a campaign. Its link carries the letter's id signed with a key the instances
-- share (never stored per letter), so a reminder can repeat the link. A manager asked to confirm a Keep gets a
-- letter of purpose 'confirm'.
CREATE TABLE campaign_letters (
    id INTEGER PRIMARY KEY,
    campaign_id INTEGER NOT NULL REFERENCES reclamation_campaigns(id),
    purpose TEXT NOT NULL CHECK (purpose IN ('ask', 'confirm')),
    person_id INTEGER REFERENCES people(id),
    user_id INTEGER REFERENCES users(id),
    name TEXT NOT NULL,
    email TEXT NOT NULL,
    created_at TEXT NOT NULL,
    reminded_at TEXT
);
CREATE INDEX campaign_letters_campaign ON campaign_letters(campaign_id);

-- A case asked in a campaign: the letter that first asked about it, the letter that waits for an answer about it
-- now (the holder's, then a manager's to confirm a Keep; none once the owner decides), and the answer it got.
ALTER TABLE reclamation_cases ADD COLUMN campaign_id INTEGER REFERENCES reclamation_campaigns(id);
ALTER TABLE reclamation_cases ADD COLUMN asked_letter_id INTEGER REFERENCES campaign_letters(id);
ALTER TABLE reclamation_cases ADD COLUMN letter_id INTEGER REFERENCES campaign_letters(id);
ALTER TABLE reclamation_cases ADD COLUMN answer TEXT CHECK (answer IN ('keep', 'release'));
ALTER TABLE reclamation_cases ADD COLUMN answered_at TEXT;
ALTER TABLE reclamation_cases ADD COLUMN answered_by TEXT;
ALTER TABLE reclamation_cases ADD COLUMN answer_comment TEXT;
CREATE INDEX reclamation_cases_campaign ON reclamation_cases(campaign_id);
CREATE INDEX reclamation_cases_letter ON reclamation_cases(letter_id);
CREATE INDEX reclamation_cases_asked_letter ON reclamation_cases(asked_letter_id);
