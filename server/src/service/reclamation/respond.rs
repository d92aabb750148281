//! Answering through a campaign's link, without signing in: the link's signed token names one letter (one person
//! in one campaign); reading it changes nothing, and an answer is taken once per seat, until the deadline.

use chrono::{DateTime, Utc};
use seatwise_types::{Campaign, CaseState, FieldError, LetterStatus, ResponseInput, ResponsePage, ResponseSeat};

use crate::clock::Clock;
use crate::db::reclamation::campaigns::{self as store, Addressee, StoredLetter};
use crate::db::reclamation::cases::StoredCase;
use crate::db::{Conn, Db};
use crate::domain::alert_mail::Outbox;
use crate::domain::campaign::{self as rules, Next};
use crate::error::{AppError, AppResult};
use crate::service::ledger;

use super::campaigns::{answered_entries, keep, respond_key, send, take_back, tell_owners};
use super::cases::organisation;

/// The letter a token names, if the token is ours and the letter exists.
async fn letter_of(conn: &mut Conn, key: &[u8], token: &str) -> AppResult<(StoredLetter, Campaign)> {
    let Some((letter_id, campaign_id)) = rules::verify(key, token) else {
        return Err(AppError::NotFound("response link"));
    };
    let letter = store::letter(&mut *conn, letter_id).await?.filter(|l| l.campaign_id == campaign_id);
    let campaign = store::get(&mut *conn, campaign_id).await?;
    match (letter, campaign) {
        (Some(l), Some(c)) => Ok((l, c)),
        _ => Err(AppError::NotFound("response link")),
    }
}

fn expired(campaign: &Campaign, now: DateTime<Utc>) -> bool {
    campaign.closed_at.is_some() || now >= campaign.deadline_at
}

/// A seat still waits for this letter's answer.
fn open_for(letter: &StoredLetter, c: &StoredCase) -> bool {
    c.letters.waiting == Some(letter.id)
        && matches!(c.case.state, CaseState::AwaitingUser | CaseState::AwaitingApproval)
}

fn page(letter: &StoredLetter, campaign: &Campaign, cases: &[StoredCase], now: DateTime<Utc>) -> ResponsePage {
    let over = expired(campaign, now);
    let seats: Vec<ResponseSeat> = cases
        .iter()
        .map(|s| {
            let c = &s.case;
            let asked_here = open_for(letter, s);
            // A manager confirming sees the holder's answer; the answer recorded on the case is the holder's.
            let mine = !letter.confirming;
            ResponseSeat {
                case_id: c.id,
                license: c.pool_name.clone(),
                holder: c.person_name.clone(),
                why: c.detail.clone(),
                holder_comment: if letter.confirming { c.answer_comment.clone() } else { None },
                answer: if mine { c.answer } else { None },
                answered_at: if mine { c.answered_at } else { None },
                open: asked_here && !over,
                outcome: rules::outcome_text(c.state, c.answer, asked_here, campaign.ask.is_review()),
            }
        })
        .collect();
    let status = if over {
        LetterStatus::Expired
    } else if seats.iter().any(|s| s.open) {
        LetterStatus::Open
    } else {
        LetterStatus::Answered
    };
    ResponsePage {
        campaign: campaign.name.clone(),
        ask: campaign.ask,
        purpose: if letter.confirming { "confirm".into() } else { "ask".into() },
        respondent: letter.name.clone(),
        deadline: campaign.deadline,
        deadline_at: campaign.deadline_at,
        status,
        contact: campaign.created_by.clone(),
        without_answer: rules::without_answer_text(campaign.no_answer, campaign.ask).into(),
        seats,
    }
}

/// What a link shows. Reading it changes nothing (mail scanners open every link).
pub async fn view(db: &Db, clock: &dyn Clock, token: &str) -> AppResult<ResponsePage> {
    let now = clock.now();
    let key = respond_key(db, now).await?;
    let mut conn = db.read.acquire().await?;
    let (letter, campaign) = letter_of(&mut conn, &key, token).await?;
    let cases = store::letter_cases(&mut conn, letter.id).await?;
    Ok(page(&letter, &campaign, &cases, now))
}

/// Answer for the link's seats still waiting (or the chosen ones): Release takes the seat back at once, Keep
/// closes the case or passes it to whoever confirms it. Each seat takes one answer; after the deadline none.
pub async fn answer(
    db: &Db,
    clock: &dyn Clock,
    outbox: Option<Outbox<'_>>,
    token: &str,
    input: &ResponseInput,
) -> AppResult<ResponsePage> {
    let errors = rules::validate_comment(input.comment.as_deref());
    if !errors.is_empty() {
        return Err(AppError::validation(errors));
    }
    let now = clock.now();
    let org = organisation(db).await?;
    let key = respond_key(db, now).await?;
    let mut tx = db.begin().await?;
    let (letter, campaign) = letter_of(&mut tx, &key, token).await?;
    if expired(&campaign, now) {
        return Err(AppError::Conflict(format!(
            "This link expired: answers were taken until the end of {}. Contact {} about these seats.",
            campaign.deadline, campaign.created_by
        )));
    }
    let before = store::letter_cases(&mut tx, letter.id).await?;
    let mut pools: Vec<i64> = before.iter().map(|c| c.case.pool_id).collect();
    pools.sort_unstable();
    pools.dedup();
    // The pools' locks, then the cases read again: two answers at once (a double click, two tabs) wait for each
    // other, and the second finds the seats answered.
    for id in &pools {
        crate::db::pools::lock(&mut tx, *id).await?;
    }
    let cases = store::letter_cases(&mut tx, letter.id).await?;
    let targets: Vec<StoredCase> = match &input.case_ids {
        None => cases.iter().filter(|c| open_for(&letter, c)).cloned().collect(),
        Some(ids) => {
            let mut errors = Vec::new();
            let mut chosen = Vec::new();
            for (i, id) in ids.iter().enumerate() {
                match cases.iter().find(|c| c.case.id == *id) {
                    Some(c) if open_for(&letter, c) => chosen.push(c.clone()),
                    Some(_) => {}
                    None => {
                        errors.push(FieldError::new(format!("case_ids[{i}]"), format!("seat {id} is not on this link")))
                    }
                }
            }
            if !errors.is_empty() {
                return Err(AppError::validation(errors));
            }
            chosen
        }
    };
    if targets.is_empty() {
        let when = cases.iter().filter_map(|c| c.case.answered_at).max();
        return Err(AppError::Conflict(match when {
            Some(at) => format!("These seats were answered already, on {}. Nothing was changed.", at.date_naive()),
            None => "These seats no longer wait for an answer. Nothing was changed.".into(),
        }));
    }
    let who = letter.email.as_str();
    let comment = input.comment.as_deref().map(str::trim).filter(|c| !c.is_empty());
    if !letter.confirming {
        let ids: Vec<i64> = targets.iter().map(|c| c.case.id).collect();
        store::answer(&mut tx, &ids, input.choice, who, comment, now).await?;
    }
    let next = rules::after_answer(campaign.ask, letter.confirming, campaign.keep_confirmed_by, input.choice);
    let said = comment.map(|c| format!(": “{c}”")).unwrap_or_default();
    match next {
        Next::TakeBack => {
            let note = match (letter.confirming, campaign.ask.is_review()) {
                (true, _) => format!("Removed by {} on confirming{said}", letter.name),
                (false, true) => format!("Removed by the reviewer, {}{said}", letter.name),
                (false, false) => format!("Given back by its holder{said}"),
            };
            take_back(&mut tx, &org, &targets, who, &note, now).await?;
        }
        Next::Keep => {
            let note = match (letter.confirming, campaign.ask.is_review()) {
                (true, _) => format!("Keep confirmed by {}{said}", letter.name),
                (false, true) => format!("Kept by the reviewer, {}{said}", letter.name),
                (false, false) => format!("Kept by its holder{said}"),
            };
            keep(&mut tx, &targets, who, &note, now).await?;
        }
        Next::ToManager => to_managers(&mut tx, outbox, &key, &campaign, &targets, now).await?,
        Next::ToOwner => {
            for c in &targets {
                store::pass_on(&mut tx, c.case.id, c.case.state, CaseState::AwaitingApproval, None).await?;
            }
            tell_owners(&mut tx, outbox, &campaign, &targets, now).await?;
        }
    }
    let what = serde_json::json!({"choice": input.choice.as_str(), "comment": comment, "letter_id": letter.id,
        "confirming": letter.confirming, "next": format!("{next:?}").to_lowercase()});
    ledger::record_many(&mut tx, now, who, answered_entries(&targets, &what)?).await?;
    let after = store::letter_cases(&mut tx, letter.id).await?;
    tx.commit().await?;
    Ok(page(&letter, &campaign, &after, now))
}

/// Ask each holder's manager to confirm their Keep: one new letter per manager, with the holder's comment. A
/// holder without a manager on record goes to the pool's owners.
async fn to_managers(
    tx: &mut Conn,
    outbox: Option<Outbox<'_>>,
    key: &[u8],
    campaign: &Campaign,
    cases: &[StoredCase],
    now: DateTime<Utc>,
) -> AppResult<()> {
    let people: Vec<i64> = cases.iter().map(|c| c.case.person_id).collect();
    let managers = store::managers(tx, &people).await?;
    let mut letters: Vec<(Addressee, Vec<StoredCase>)> = Vec::new();
    let mut no_manager = Vec::new();
    for c in cases {
        match managers.get(&c.case.person_id) {
            Some(m) => match letters.iter_mut().find(|(to, _)| to == m) {
                Some((_, group)) => group.push(c.clone()),
                None => letters.push((m.clone(), vec![c.clone()])),
            },
            None => {
                store::pass_on(tx, c.case.id, c.case.state, CaseState::AwaitingApproval, None).await?;
                no_manager.push(c.clone());
            }
        }
    }
    tell_owners(tx, outbox, campaign, &no_manager, now).await?;
    for (to, group) in letters {
        let letter = store::insert_letter(tx, campaign.id, true, &to, now).await?;
        for c in &group {
            store::pass_on(tx, c.case.id, c.case.state, CaseState::AwaitingApproval, Some(letter.id)).await?;
        }
        let ids: Vec<i64> = group.iter().map(|c| c.case.id).collect();
        // Read again: the mail quotes each holder's comment, written by this answer.
        let group = crate::db::reclamation::cases::by_ids(tx, &ids).await?;
        if let Some(outbox) = outbox {
            send(tx, outbox, key, campaign, &letter, &group, false, now).await?;
        }
    }
    Ok(())
}
