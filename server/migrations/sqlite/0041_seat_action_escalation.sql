-- When a task left to a person was escalated (mailed to the admins as overdue), so it is mailed once.
ALTER TABLE seat_actions ADD COLUMN escalated_at TEXT;
