//! Consent campaigns and access reviews, as rules: what a campaign may ask, when its deadline and reminder fall,
//! where a seat goes after an answer or after silence, and how its seats are counted.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use hmac::{Hmac, Mac};
use seatwise_types::limits::{TEXT_CHARS, TITLE_CHARS};
use seatwise_types::{
    CampaignAsk, CampaignCounts, CampaignInput, CaseState, Choice, FieldError, KeepConfirmer, NoAnswer,
};
use sha2::Sha256;

use super::limits;
use super::renewals::Org;

/// The most seats one campaign asks about.
pub const MAX_SEATS: usize = 100_000;
/// The longest a campaign waits for answers.
pub const MAX_DAYS_TO_ANSWER: i64 = 90;
/// The longest cooldown after a Keep.
pub const MAX_COOLDOWN_DAYS: i64 = 730;
/// The prefix of a response link's token, so a leaked one is recognisable in logs and scanners.
pub const TOKEN_PREFIX: &str = "swr_";

fn mac(key: &[u8], letter_id: i64, campaign_id: i64) -> Option<Hmac<Sha256>> {
    let mut m = Hmac::<Sha256>::new_from_slice(key).ok()?;
    m.update(format!("seatwise-respond-v1:{letter_id}.{campaign_id}").as_bytes());
    Some(m)
}

/// A response link's token for one letter (one person in one campaign): its ids and an HMAC-SHA256 over them
/// with the instances' shared key. Changing any part of it breaks the signature; the same letter always gets the
/// same token, so a reminder repeats the first mail's link.
pub fn sign(key: &[u8], letter_id: i64, campaign_id: i64) -> Option<String> {
    let tag = mac(key, letter_id, campaign_id)?.finalize().into_bytes();
    // No dots: the app's router takes a last path segment with a dot for a file.
    Some(format!("{TOKEN_PREFIX}{letter_id}-{campaign_id}-{}", URL_SAFE_NO_PAD.encode(tag)))
}

/// The (letter id, campaign id) a token names, if its signature is ours.
pub fn verify(key: &[u8], token: &str) -> Option<(i64, i64)> {
    // The signature is base64url, which may hold '-' itself.
    let mut parts = token.strip_prefix(TOKEN_PREFIX)?.splitn(3, '-');
    let (letter, campaign, tag) = (parts.next()?, parts.next()?, parts.next()?);
    let digits = |s: &str| !s.is_empty() && s.len() <= 18 && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(letter) || !digits(campaign) {
        return None;
    }
    let (letter, campaign) = (letter.parse().ok()?, campaign.parse().ok()?);
    let tag = URL_SAFE_NO_PAD.decode(tag).ok()?;
    mac(key, letter, campaign)?.verify_slice(&tag).ok()?;
    Some((letter, campaign))
}

/// The input's problems, each naming its field; `today` is the organisation's.
pub fn validate(input: &CampaignInput, today: NaiveDate) -> Vec<FieldError> {
    let mut errors = Vec::new();
    let name = input.name.trim();
    if name.is_empty() {
        errors.push(FieldError::new("name", "is required"));
    }
    limits::check_chars(&mut errors, "name", name, TITLE_CHARS);
    limits::check_line(&mut errors, "name", Some(name));
    let sources = [input.policy_id.is_some(), input.assignment_ids.is_some(), input.person_ids.is_some()];
    match sources.iter().filter(|s| **s).count() {
        0 => {
            errors.push(FieldError::new("policy_id", "give a policy_id, assignment_ids, or person_ids with a pool_id"))
        }
        1 => {}
        _ => {
            errors.push(FieldError::new("assignment_ids", "give only one of policy_id, assignment_ids and person_ids"))
        }
    }
    for (path, ids) in [("assignment_ids", &input.assignment_ids), ("person_ids", &input.person_ids)] {
        match ids {
            Some(ids) if ids.is_empty() => errors.push(FieldError::new(path, "must name at least one seat")),
            Some(ids) if ids.len() > MAX_SEATS => {
                errors.push(FieldError::new(path, format!("must name at most {MAX_SEATS} seats")))
            }
            Some(ids) => limits::check_distinct(&mut errors, path, ids),
            None => {}
        }
    }
    match (input.person_ids.is_some(), input.pool_id.is_some()) {
        (true, false) => errors.push(FieldError::new("pool_id", "person_ids name seats of one pool: give its pool_id")),
        (false, true) => errors.push(FieldError::new("pool_id", "goes with person_ids only")),
        _ => {}
    }
    let days = (input.deadline - today).num_days();
    if days < 1 {
        errors.push(FieldError::new("deadline", format!("must be after today ({today})")));
    } else if days > MAX_DAYS_TO_ANSWER {
        errors.push(FieldError::new("deadline", format!("must be at most {MAX_DAYS_TO_ANSWER} days away")));
    }
    let deadline_ok = (1..=MAX_DAYS_TO_ANSWER).contains(&days);
    if input.reminder_days_before < 0
        || (deadline_ok && input.reminder_days_before > 0 && input.reminder_days_before >= days)
    {
        errors.push(FieldError::new(
            "reminder_days_before",
            "must be 0 (no reminder) or fewer days than there are until the deadline",
        ));
    }
    if !(0..=MAX_COOLDOWN_DAYS).contains(&input.cooldown_days) {
        errors.push(FieldError::new("cooldown_days", format!("must be between 0 and {MAX_COOLDOWN_DAYS}")));
    }
    if input.ask.is_review() && input.keep_confirmed_by.is_some() {
        errors.push(FieldError::new(
            "keep_confirmed_by",
            "an access review's Keep is already the reviewer's decision; leave it out",
        ));
    }
    errors
}

/// The problems of a respondent's comment.
pub fn validate_comment(comment: Option<&str>) -> Vec<FieldError> {
    let mut errors = Vec::new();
    if let Some(c) = comment {
        limits::check_chars(&mut errors, "comment", c, TEXT_CHARS);
        limits::check_text(&mut errors, "comment", Some(c));
    }
    errors
}

/// When answers stop (the end of the deadline day in the organisation's zone) and when the reminder goes out.
pub fn schedule(
    org: &Org,
    deadline: NaiveDate,
    reminder_days_before: i64,
) -> Option<(DateTime<Utc>, Option<DateTime<Utc>>)> {
    let ends = org.start_of(deadline.succ_opt()?)?;
    let remind = match reminder_days_before {
        0 => None,
        // In the morning of the reminder day, when people read mail.
        n => Some(org.start_of(deadline - Duration::days(n))? + Duration::hours(9)),
    };
    Some((ends, remind))
}

/// Where a seat goes next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Next {
    /// Take it back now (as the case's action says).
    TakeBack,
    /// Close the case: the seat stays.
    Keep,
    /// Ask the holder's manager to confirm a Keep.
    ToManager,
    /// The pool's owner decides in the console.
    ToOwner,
}

/// Where a seat goes after the person asked answers `choice`. A holder's Keep may need confirming; a manager
/// asked to confirm has the last word.
pub fn after_answer(ask: CampaignAsk, confirming: bool, confirmer: Option<KeepConfirmer>, choice: Choice) -> Next {
    match (choice, confirming || ask.is_review(), confirmer) {
        (Choice::Release, _, _) => Next::TakeBack,
        (Choice::Keep, true, _) | (Choice::Keep, false, None) => Next::Keep,
        (Choice::Keep, false, Some(KeepConfirmer::Manager)) => Next::ToManager,
        (Choice::Keep, false, Some(KeepConfirmer::Owner)) => Next::ToOwner,
    }
}

/// Where a seat still waiting at the deadline goes: silence reclaims only where the campaign says so, and a Keep
/// still waiting for a manager's confirmation is never taken back by silence.
pub fn at_deadline(no_answer: NoAnswer, answered_keep: bool) -> Next {
    match (no_answer, answered_keep) {
        (NoAnswer::Reclaim, false) => Next::TakeBack,
        _ => Next::ToOwner,
    }
}

/// A campaign's case waits for its pool's owner: it is past the people asked (no letter waits on it) and no change
/// request holds it.
pub fn awaits_owner(
    state: CaseState,
    campaign_id: Option<i64>,
    change_request_id: Option<i64>,
    letter: Option<i64>,
) -> bool {
    state == CaseState::AwaitingApproval && campaign_id.is_some() && change_request_id.is_none() && letter.is_none()
}

/// What silence does, in words for the response page and the mail.
pub fn without_answer_text(no_answer: NoAnswer, ask: CampaignAsk) -> &'static str {
    match (no_answer, ask.is_review()) {
        (NoAnswer::Reclaim, false) => "Seats without an answer by the deadline are taken back.",
        (NoAnswer::Reclaim, true) => "Seats without an answer by the deadline are removed.",
        (NoAnswer::OwnerDecides, _) => "Seats without an answer by the deadline are decided by the license's owner.",
    }
}

/// One stored case as the counts see it.
#[derive(Debug, Clone, Copy)]
pub struct Tallied {
    pub state: CaseState,
    pub answer: Option<Choice>,
    /// A letter still asks about it (a holder, a reviewer or a manager confirming).
    pub asked_now: bool,
}

/// Add one case to the counts.
pub fn tally(counts: &mut CampaignCounts, c: Tallied, n: i64) {
    counts.asked += n;
    if c.answer.is_some() {
        counts.answered += n;
    }
    match c.state {
        CaseState::AwaitingUser => counts.waiting += n,
        CaseState::AwaitingApproval if c.asked_now => counts.waiting += n,
        CaseState::AwaitingApproval => counts.with_owner += n,
        CaseState::Kept | CaseState::Restored => counts.kept += n,
        CaseState::Cancelled => counts.cancelled += n,
        CaseState::Ready | CaseState::AwaitingRevocation | CaseState::Reclaimed | CaseState::Downgraded => {
            if c.answer == Some(Choice::Release) {
                counts.released += n;
            } else {
                counts.reclaimed += n;
            }
        }
    }
}

/// Where a seat on a response page stands, in words for the person reading it.
pub fn outcome_text(state: CaseState, answer: Option<Choice>, asked_here: bool, review: bool) -> String {
    match state {
        CaseState::AwaitingUser if asked_here => "Waiting for your answer".into(),
        CaseState::AwaitingApproval if asked_here => "Waiting for your confirmation".into(),
        CaseState::AwaitingApproval if answer == Some(Choice::Keep) => {
            "You asked to keep it; waiting for confirmation".into()
        }
        CaseState::AwaitingUser | CaseState::AwaitingApproval => "Waiting for the license's owner".into(),
        CaseState::Kept => "Kept".into(),
        CaseState::Restored => "Given back to its holder".into(),
        CaseState::Cancelled => "No longer needed: closed".into(),
        CaseState::Ready | CaseState::AwaitingRevocation | CaseState::Reclaimed | CaseState::Downgraded => {
            match (answer, review) {
                (Some(Choice::Release), false) => "Given back".into(),
                (Some(Choice::Release), true) => "Removed".into(),
                _ => "Taken back".into(),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> CampaignInput {
        CampaignInput {
            name: "Q4 Salesforce".into(),
            policy_id: Some(1),
            assignment_ids: None,
            person_ids: None,
            pool_id: None,
            deadline: NaiveDate::from_ymd_opt(2026, 12, 20).unwrap(),
            reminder_days_before: 3,
            no_answer: NoAnswer::Reclaim,
            ask: CampaignAsk::Holder,
            keep_confirmed_by: None,
            cooldown_days: 90,
        }
    }

    fn paths(i: &CampaignInput) -> Vec<String> {
        validate(i, NaiveDate::from_ymd_opt(2026, 12, 6).unwrap()).into_iter().map(|e| e.path).collect()
    }

    #[test]
    fn inputs_are_checked_field_by_field() {
        assert!(paths(&input()).is_empty());
        assert_eq!(paths(&CampaignInput { name: " ".into(), ..input() }), ["name"]);
        assert_eq!(paths(&CampaignInput { name: "a\u{0}b".into(), ..input() }), ["name"]);
        assert_eq!(paths(&CampaignInput { policy_id: None, ..input() }), ["policy_id"]);
        assert_eq!(paths(&CampaignInput { assignment_ids: Some(vec![1]), ..input() }), ["assignment_ids"]);
        assert_eq!(
            paths(&CampaignInput { policy_id: None, assignment_ids: Some(vec![]), ..input() }),
            ["assignment_ids"]
        );
        assert_eq!(
            paths(&CampaignInput { policy_id: None, assignment_ids: Some(vec![4, 4]), ..input() }),
            ["assignment_ids[1]"]
        );
        let today = NaiveDate::from_ymd_opt(2026, 12, 6).unwrap();
        assert_eq!(paths(&CampaignInput { deadline: today, ..input() }), ["deadline"]);
        assert_eq!(paths(&CampaignInput { deadline: today + Duration::days(91), ..input() }), ["deadline"]);
        assert_eq!(paths(&CampaignInput { reminder_days_before: 14, ..input() }), ["reminder_days_before"]);
        assert_eq!(paths(&CampaignInput { cooldown_days: -1, ..input() }), ["cooldown_days"]);
        let review =
            CampaignInput { ask: CampaignAsk::Manager, keep_confirmed_by: Some(KeepConfirmer::Owner), ..input() };
        assert_eq!(paths(&review), ["keep_confirmed_by"]);
    }

    #[test]
    fn tokens_cannot_be_edited_or_forged() {
        let key = b"0123456789abcdef0123456789abcdef";
        let t = sign(key, 12, 3).unwrap();
        assert!(t.starts_with("swr_12-3-"));
        assert_eq!(verify(key, &t), Some((12, 3)));
        assert_eq!(verify(b"another key", &t), None);
        let forged = t.replacen("swr_12-", "swr_13-", 1);
        assert_eq!(verify(key, &forged), None);
        let mut flipped = t.clone();
        let last = flipped.pop().unwrap();
        flipped.push(if last == 'A' { 'B' } else { 'A' });
        assert_eq!(verify(key, &flipped), None);
        let extended = format!("{t}-x");
        for bad in ["", "swr_", "swr_1-2", "swr_+1-2-x", &extended, "swr_99999999999999999999-1-x", "abc", "swr_1.2.x"]
        {
            assert_eq!(verify(key, bad), None, "{bad}");
        }
    }

    #[test]
    fn answers_and_silence_route_each_seat() {
        use CampaignAsk::*;
        assert_eq!(after_answer(Holder, false, None, Choice::Release), Next::TakeBack);
        assert_eq!(after_answer(Holder, false, None, Choice::Keep), Next::Keep);
        assert_eq!(after_answer(Holder, false, Some(KeepConfirmer::Manager), Choice::Keep), Next::ToManager);
        assert_eq!(after_answer(Holder, false, Some(KeepConfirmer::Owner), Choice::Keep), Next::ToOwner);
        // The manager confirming has the last word either way.
        assert_eq!(after_answer(Holder, true, Some(KeepConfirmer::Manager), Choice::Keep), Next::Keep);
        assert_eq!(after_answer(Holder, true, Some(KeepConfirmer::Manager), Choice::Release), Next::TakeBack);
        assert_eq!(after_answer(Manager, false, None, Choice::Keep), Next::Keep);
        assert_eq!(after_answer(Owner, false, None, Choice::Release), Next::TakeBack);
        assert_eq!(at_deadline(NoAnswer::Reclaim, false), Next::TakeBack);
        assert_eq!(at_deadline(NoAnswer::Reclaim, true), Next::ToOwner);
        assert_eq!(at_deadline(NoAnswer::OwnerDecides, false), Next::ToOwner);
    }

    #[test]
    fn counts_and_rate() {
        let mut c = CampaignCounts::default();
        let t = |state, answer, asked_now| Tallied { state, answer, asked_now };
        tally(&mut c, t(CaseState::AwaitingUser, None, true), 5);
        tally(&mut c, t(CaseState::Reclaimed, Some(Choice::Release), false), 2);
        tally(&mut c, t(CaseState::Reclaimed, None, false), 1);
        tally(&mut c, t(CaseState::Kept, Some(Choice::Keep), false), 1);
        tally(&mut c, t(CaseState::AwaitingApproval, Some(Choice::Keep), true), 1);
        tally(&mut c, t(CaseState::AwaitingApproval, None, false), 1);
        assert_eq!((c.asked, c.waiting, c.released, c.reclaimed, c.kept, c.with_owner), (11, 6, 2, 1, 1, 1));
        assert_eq!(c.answered, 4);
        assert_eq!(c.response_rate_percent(), 36);
    }
}
