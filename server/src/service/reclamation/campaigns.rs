//! Consent campaigns and access reviews: starting one (each selected seat a case waiting for an answer, each
//! person asked one letter), reading them with their counts and saving, and the auditor's record as CSV.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use seatwise_types::{
    Campaign, CampaignAsk, CampaignCounts, CampaignInput, CampaignQuery, CaseOrigin, CaseState,
    DepartmentCampaignCounts, FieldError, FindingReason, Money, Page, ReclaimAction, Saving,
};

use crate::auth::Actor;
use crate::clock::Clock;
use crate::db::jobs::{self as mail_store, Mail};
use crate::db::login_guard as key_store;
use crate::db::reclamation::campaigns::{self as store, Addressee, NewCampaign, StoredLetter};
use crate::db::reclamation::cases::{self as case_store, Closing, StoredCase};
use crate::db::reclamation::holds as hold_store;
use crate::db::reclamation::policies as policy_store;
use crate::db::{Conn, Db};
use crate::domain::access::{self, Reach};
use crate::domain::alert_mail::Outbox;
use crate::domain::campaign::{self as rules};
use crate::domain::campaign_mail::{self as mail, Kind, Letter, LetterSeat};
use crate::domain::csv_out::CsvOut;
use crate::domain::reclamation::{self as reclamation_rules, Opening};
use crate::domain::renewals::Org;
use crate::domain::secret::random_token;
use crate::error::{AppError, AppResult};
use crate::service::ledger::{self, Change, Pending};
use crate::service::pool_people::PoolPeople;

use super::cases::{organisation, revoke};
use super::open::open_cases;
use super::policies::{evaluate, readable};

/// The name of the key that signs response links, shared by the instances through the database.
const RESPOND_KEY: &str = "respond_link_key";

/// The response links' signing key (created by the first instance that needs it). Read before a transaction:
/// on SQLite the key's write would wait for it.
pub(super) async fn respond_key(db: &Db, now: DateTime<Utc>) -> AppResult<Vec<u8>> {
    Ok(key_store::shared_secret(&db.write, RESPOND_KEY, &random_token(""), now).await?.into_bytes())
}

/// The link a letter's mail carries (for the demo, which answers some letters as their people would).
pub(crate) async fn link_token(db: &Db, now: DateTime<Utc>, letter: &StoredLetter) -> AppResult<String> {
    let key = respond_key(db, now).await?;
    rules::sign(&key, letter.id, letter.campaign_id)
        .ok_or_else(|| AppError::internal("the response link key cannot sign".to_string()))
}

/// A seat to ask about, before its case exists.
struct Selected {
    pool_id: i64,
    person_id: i64,
    reason: FindingReason,
}

/// Start a campaign over the seats a policy selects now, or over chosen seats in the starter's pools. Seats with
/// an open case, and seats their holder kept within the cooldown, are left out; a campaign with nothing left to
/// ask is refused. It asks by e-mail, so it needs a mail relay.
pub async fn start(
    db: &Db,
    clock: &dyn Clock,
    outbox: Option<Outbox<'_>>,
    actor: &Actor,
    input: &CampaignInput,
) -> AppResult<Campaign> {
    access::may_act_on_reclamation(&actor.user)?;
    if outbox.is_none() {
        return Err(AppError::Conflict(
            "A campaign asks people by e-mail, and no mail relay is configured (SEATWISE_SMTP_URL).".into(),
        ));
    }
    ask(db, clock, outbox, actor, input).await
}

/// A campaign as `start` opens it, writing its letters' mail only with an outbox (the demo writes none).
pub(crate) async fn ask(
    db: &Db,
    clock: &dyn Clock,
    outbox: Option<Outbox<'_>>,
    actor: &Actor,
    input: &CampaignInput,
) -> AppResult<Campaign> {
    access::may_act_on_reclamation(&actor.user)?;
    let now = clock.now();
    let org = organisation(db).await?;
    let errors = rules::validate(input, org.today(now));
    if !errors.is_empty() {
        return Err(AppError::validation(errors));
    }
    let (deadline_at, remind_at) = rules::schedule(&org, input.deadline, input.reminder_days_before)
        .ok_or_else(|| AppError::field("deadline", "is not a day in the organisation's time zone"))?;
    let key = respond_key(db, now).await?;
    let mut tx = db.begin().await?;
    let (selected, policy, action, target) = match (input.policy_id, &input.assignment_ids) {
        (None, None) => {
            let (Some(pool_id), Some(people)) = (input.pool_id, &input.person_ids) else {
                return Err(AppError::field(
                    "policy_id",
                    "give a policy_id, assignment_ids, or person_ids with a pool_id",
                ));
            };
            let seats = held_by(&mut tx, pool_id, people).await?;
            (chosen(&mut tx, actor, &seats).await?, None, ReclaimAction::Reclaim, None)
        }
        (Some(id), _) => {
            let stored = readable(actor, policy_store::get(&mut *tx, id).await?)?;
            access::may_manage_policy(&actor.user, stored.pool)?;
            let policy = stored.policy;
            if policy.action == ReclaimAction::Notify {
                return Err(AppError::field(
                    "policy_id",
                    "a notify-only policy takes no seat back, so it has nothing to ask",
                ));
            }
            let eval = evaluate(&mut tx, &policy, now).await?;
            let selected = eval
                .findings
                .into_iter()
                .filter(|f| !f.stale)
                .map(|f| Selected { pool_id: f.pool_id, person_id: f.person_id, reason: f.reason })
                .collect();
            (selected, Some((policy.id, policy.version)), policy.action, policy.target_pool_id)
        }
        (None, Some(ids)) => (chosen(&mut tx, actor, ids).await?, None, ReclaimAction::Reclaim, None),
    };
    let asked = selected.len();
    let mut pool_ids: Vec<i64> = selected.iter().map(|s| s.pool_id).collect();
    pool_ids.sort_unstable();
    pool_ids.dedup();
    // The pools' locks in id order, as runs and offboardings take them, before reading their open cases.
    for id in &pool_ids {
        crate::db::pools::lock(&mut tx, *id).await?;
    }
    let kept = case_store::decided_since(&mut tx, &pool_ids, now - chrono::Duration::days(input.cooldown_days)).await?;
    let (cooling, selected): (Vec<Selected>, Vec<Selected>) =
        selected.into_iter().partition(|s| kept.contains(&(s.pool_id, s.person_id)));
    let who = actor.ledger_name();
    let name = input.name.trim();
    let id = store::insert(
        &mut tx,
        &NewCampaign {
            name,
            ask: input.ask,
            policy,
            deadline: input.deadline,
            deadline_at,
            remind_at,
            no_answer: input.no_answer,
            keep_confirmed_by: input.keep_confirmed_by,
            cooldown_days: input.cooldown_days,
            created_by: who,
        },
        now,
    )
    .await?;
    let openings = selected
        .into_iter()
        .map(|s| Opening {
            pool_id: s.pool_id,
            person_id: s.person_id,
            origin: CaseOrigin::Campaign,
            policy,
            action,
            target_pool_id: target,
            reason: s.reason,
            event_at: now,
            needs_approval: false,
        })
        .collect();
    let opened = open_cases(&mut tx, openings, org.today(now), who, now).await?;
    if opened.cases.is_empty() {
        return Err(AppError::Conflict(format!(
            "None of the {asked} seats can be asked about: {} already have an open case and {} were kept within the \
             last {} days.",
            opened.already_open,
            cooling.len(),
            input.cooldown_days
        )));
    }
    let campaign =
        store::get(&mut *tx, id).await?.ok_or_else(|| AppError::internal(format!("campaign {id} vanished")))?;
    let letters = address(&mut tx, input.ask, &opened.cases).await?;
    let mut to_owner = Vec::new();
    for (to, cases) in letters {
        let ids: Vec<i64> = cases.iter().map(|c| c.case.id).collect();
        match to {
            Some(to) => {
                let letter = store::insert_letter(&mut tx, id, false, &to, now).await?;
                store::attach(&mut tx, &ids, id, Some(letter.id), deadline_at).await?;
                if let Some(outbox) = outbox {
                    send(&mut tx, outbox, &key, &campaign, &letter, &cases, false, now).await?;
                }
            }
            None => {
                store::attach(&mut tx, &ids, id, None, deadline_at).await?;
                to_owner.extend(ids);
            }
        }
    }
    // Nobody to ask (no manager on record, a pool without an owner): the pool's owners decide at once.
    for case_id in &to_owner {
        store::pass_on(&mut tx, *case_id, CaseState::AwaitingUser, CaseState::AwaitingApproval, None).await?;
    }
    let with_owner = case_store::by_ids(&mut tx, &to_owner).await?;
    tell_owners(&mut tx, outbox, &campaign, &with_owner, now).await?;
    let record = serde_json::json!({"campaign_id": id, "name": name, "ask": input.ask.as_str(), "policy_id": input.policy_id,
        "deadline": input.deadline, "no_answer": input.no_answer.as_str(), "cases": opened.cases.len(),
        "already_open": opened.already_open, "cooling_down": cooling.len()});
    ledger::record(
        &mut tx,
        now,
        who,
        Change::created("reclamation.campaign.start", "reclamation_campaign", Some(id), &record),
    )
    .await?;
    tx.commit().await?;
    get(db, actor, id).await
}

/// The seats these people hold in one pool, in their order; a person without one is named by their place in the
/// list (as is everyone when the pool is not one the caller can see).
async fn held_by(tx: &mut Conn, pool_id: i64, people: &[i64]) -> AppResult<Vec<i64>> {
    let held: HashMap<i64, i64> = store::seats_of_people(tx, pool_id, people).await?.into_iter().collect();
    let mut errors = Vec::new();
    let mut seats = Vec::new();
    for (i, person) in people.iter().enumerate() {
        match held.get(person) {
            Some(seat) => seats.push(*seat),
            None => errors.push(FieldError::new(
                format!("person_ids[{i}]"),
                format!("person {person} holds no seat of this pool"),
            )),
        }
    }
    if errors.is_empty() {
        Ok(seats)
    } else {
        Err(AppError::validation(errors))
    }
}

/// Chosen seats, each found, held by a person, in a pool that is not retired and that the starter runs; else
/// the errors name each seat by its place in the list.
async fn chosen(tx: &mut Conn, actor: &Actor, ids: &[i64]) -> AppResult<Vec<Selected>> {
    let found: HashMap<i64, store::ChosenSeat> =
        store::chosen_seats(tx, ids).await?.into_iter().map(|s| (s.assignment_id, s)).collect();
    let scope = access::may_read_reclamation(&actor.user)?;
    let mut errors = Vec::new();
    let mut held = Vec::new();
    for (i, id) in ids.iter().enumerate() {
        let path = format!("assignment_ids[{i}]");
        match found.get(id) {
            Some(s) if scope.covers(s.place) => {
                if access::may_work_case(&actor.user, s.place).is_err() {
                    errors.push(FieldError::new(&path, format!("seat {id} is in a pool you may not reclaim from")));
                } else if s.retired {
                    errors.push(FieldError::new(&path, format!("seat {id} is in a retired pool")));
                } else if let Some(person) = s.person_id {
                    held.push((s.pool_id, person));
                } else {
                    errors.push(FieldError::new(&path, format!("seat {id} is a device's; only people are asked")));
                }
            }
            _ => errors.push(FieldError::new(&path, format!("no seat {id} in the pools you can see"))),
        }
    }
    if !errors.is_empty() {
        return Err(AppError::validation(errors));
    }
    // The latest sign-in each seat has on record, from any source (a source that never saw one says so).
    let used: HashMap<(i64, i64), seatwise_types::SeatSignIn> = crate::db::reclamation::usage::sign_ins(tx, &held)
        .await?
        .into_iter()
        .map(|u| ((u.pool_id, u.person_id), u))
        .collect();
    Ok(held
        .into_iter()
        .map(|(pool_id, person_id)| {
            let last = used.get(&(pool_id, person_id));
            let reason = FindingReason::Chosen {
                last_used_at: last.and_then(|u| u.last_used_at),
                source: last.map(|u| u.source.clone()),
            };
            Selected { pool_id, person_id, reason }
        })
        .collect())
}

/// Who is asked about each case: its holder, the holder's manager, or the pool's owner; `None` where nobody is on
/// record (the pool's owners then decide). In a stable order, so letters get ids in the order of their first case.
async fn address(
    tx: &mut Conn,
    ask: CampaignAsk,
    cases: &[StoredCase],
) -> AppResult<Vec<(Option<Addressee>, Vec<StoredCase>)>> {
    let mut people: Vec<i64> = cases.iter().map(|c| c.case.person_id).collect();
    people.sort_unstable();
    people.dedup();
    // A pool's owner is a person of the directory (`pools.owner_id`), asked like a holder's manager.
    let by_person = match ask {
        CampaignAsk::Holder => store::holders(tx, &people).await?,
        CampaignAsk::Manager => store::managers(tx, &people).await?,
        CampaignAsk::Owner => {
            let mut owners: Vec<i64> = cases.iter().filter_map(|c| c.place.owner_id).collect();
            owners.sort_unstable();
            owners.dedup();
            store::holders(tx, &owners).await?
        }
    };
    let mut grouped: Vec<(Option<Addressee>, Vec<StoredCase>)> = Vec::new();
    let mut slot: HashMap<Option<Addressee>, usize> = HashMap::new();
    for c in cases {
        let to = match ask {
            CampaignAsk::Owner => c.place.owner_id.and_then(|o| by_person.get(&o).cloned()),
            _ => by_person.get(&c.case.person_id).cloned(),
        };
        let at = *slot.entry(to.clone()).or_insert_with(|| {
            grouped.push((to, Vec::new()));
            grouped.len() - 1
        });
        grouped[at].1.push(c.clone());
    }
    Ok(grouped)
}

/// Queue one letter's mail: every seat it asks about, with its links (the first mail or a reminder).
#[allow(clippy::too_many_arguments)]
pub(super) async fn send(
    tx: &mut Conn,
    outbox: Outbox<'_>,
    key: &[u8],
    campaign: &Campaign,
    letter: &StoredLetter,
    cases: &[StoredCase],
    reminder: bool,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let token = rules::sign(key, letter.id, campaign.id)
        .ok_or_else(|| AppError::internal("the response link key cannot sign".to_string()))?;
    let seats: Vec<LetterSeat<'_>> = cases
        .iter()
        .map(|c| LetterSeat {
            case_id: c.case.id,
            license: &c.case.pool_name,
            holder: &c.case.person_name,
            why: &c.case.detail,
            holder_comment: if letter.confirming { c.case.answer_comment.as_deref() } else { None },
        })
        .collect();
    let kind = match (letter.confirming, campaign.ask) {
        (true, _) => Kind::Confirm,
        (false, CampaignAsk::Holder) => Kind::Holder,
        (false, _) => Kind::Review,
    };
    let l = Letter {
        kind,
        reminder,
        campaign: &campaign.name,
        respondent: &letter.name,
        deadline: campaign.deadline,
        contact: &campaign.created_by,
        without_answer: rules::without_answer_text(campaign.no_answer, campaign.ask),
        seats: &seats,
    };
    let rendered = mail::render(&l, outbox.public_url, &token);
    let m = Mail {
        alert_id: None,
        recipient: &letter.email,
        subject: &rendered.subject,
        text: &rendered.text,
        html: &rendered.html,
    };
    mail_store::queue_mail(tx, &m, now).await?;
    Ok(())
}

/// Tell the owners of these cases' pools that the cases now wait for their decision: one mail per owner, listing
/// their seats (with a relay only). The pool's owner where it names one, else the license owners who run it, else
/// the admins.
pub(super) async fn tell_owners(
    tx: &mut Conn,
    outbox: Option<Outbox<'_>>,
    campaign: &Campaign,
    cases: &[StoredCase],
    now: DateTime<Utc>,
) -> AppResult<()> {
    let Some(outbox) = outbox else { return Ok(()) };
    if cases.is_empty() {
        return Ok(());
    }
    // Read again: the answer this step recorded is quoted.
    let ids: Vec<i64> = cases.iter().map(|c| c.case.id).collect();
    let cases = case_store::by_ids(tx, &ids).await?;
    let people = PoolPeople::load(tx).await?;
    let mut by_owner: BTreeMap<String, Vec<&StoredCase>> = BTreeMap::new();
    for c in &cases {
        for u in people.to_tell(c.place) {
            by_owner.entry(u.email.clone()).or_default().push(c);
        }
    }
    for (recipient, cases) in by_owner {
        let seats: Vec<mail::OwnerSeat<'_>> = cases
            .iter()
            .map(|c| mail::OwnerSeat {
                license: &c.case.pool_name,
                holder: &c.case.person_name,
                why: match (c.case.answer, &c.case.answer_comment) {
                    (Some(seatwise_types::Choice::Keep), Some(comment)) => format!("asked to keep it: “{comment}”"),
                    (Some(seatwise_types::Choice::Keep), None) => "asked to keep it".into(),
                    _ => "no answer by the deadline".into(),
                },
            })
            .collect();
        let rendered = mail::render_owner(campaign.id, &campaign.name, &seats, outbox.public_url);
        let m = Mail {
            alert_id: None,
            recipient: &recipient,
            subject: &rendered.subject,
            text: &rendered.text,
            html: &rendered.html,
        };
        mail_store::queue_mail(tx, &m, now).await?;
    }
    Ok(())
}

/// Take these open cases' seats back now: each held by a hold waits for it, the rest are revoked (with their
/// savings entries). Cases that moved on meanwhile are left alone.
pub(super) async fn take_back(
    tx: &mut Conn,
    org: &Org,
    cases: &[StoredCase],
    who: &str,
    note: &str,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let holds = hold_store::list(&mut *tx, false).await?;
    let today = org.today(now);
    let mut ready = Vec::new();
    for c in cases {
        let hold = reclamation_rules::hold_on(holds.iter().map(|h| &h.hold), c.case.person_id, c.case.pool_id, today);
        let (to, closing) = match hold {
            Some(reason) => {
                (CaseState::AwaitingRevocation, Closing { hold_reason: Some(reason), ..Closing::default() })
            }
            None => (CaseState::Ready, Closing::default()),
        };
        let closing = Closing { note: Some(note.to_string()), ..closing };
        if store::pass_on(tx, c.case.id, c.case.state, c.case.state, None).await?
            && case_store::step(tx, c.case.id, c.case.state, to, &closing).await?
            && to == CaseState::Ready
        {
            ready.push(c.case.id);
        }
    }
    let ready = case_store::by_ids(tx, &ready).await?;
    revoke(tx, org, &ready, who, now).await?;
    Ok(())
}

/// Close these open cases as kept.
pub(super) async fn keep(
    tx: &mut Conn,
    cases: &[StoredCase],
    who: &str,
    note: &str,
    now: DateTime<Utc>,
) -> AppResult<()> {
    for c in cases {
        let closing = Closing {
            closed_at: Some(now),
            closed_by: Some(who.to_string()),
            note: Some(note.to_string()),
            ..Closing::default()
        };
        store::pass_on(tx, c.case.id, c.case.state, c.case.state, None).await?;
        case_store::step(tx, c.case.id, c.case.state, CaseState::Kept, &closing).await?;
    }
    Ok(())
}

/// Fill in the counts, response rate and saving of campaigns as `scope` sees them.
async fn tallied(
    conn: &mut Conn,
    mut items: Vec<Campaign>,
    scope: Option<&Reach>,
    by_department: bool,
) -> AppResult<Vec<Campaign>> {
    let ids: Vec<i64> = items.iter().map(|c| c.id).collect();
    let mut counts: HashMap<i64, CampaignCounts> = HashMap::new();
    let mut departments: HashMap<i64, BTreeMap<(String, Option<i64>), CampaignCounts>> = HashMap::new();
    for row in store::counts(conn, &ids, scope).await? {
        rules::tally(counts.entry(row.campaign_id).or_default(), row.tallied, row.n);
        let name = row.department.unwrap_or_else(|| "No department".into());
        let per = departments.entry(row.campaign_id).or_default().entry((name, row.department_id)).or_default();
        rules::tally(per, row.tallied, row.n);
    }
    let mut savings: HashMap<i64, Saving> = HashMap::new();
    for (campaign_id, currency, monthly, annual) in store::savings(conn, &ids, scope).await? {
        let s = savings.entry(campaign_id).or_insert_with(|| Saving { monthly: Vec::new(), annual: Vec::new() });
        s.monthly.push(Money::new(monthly, currency.clone()));
        s.annual.push(Money::new(annual, currency));
    }
    for c in &mut items {
        c.counts = counts.remove(&c.id).unwrap_or_default();
        c.response_rate_percent = c.counts.response_rate_percent();
        if let Some(s) = savings.remove(&c.id) {
            c.saving = s;
        }
        if by_department {
            c.by_department = departments
                .remove(&c.id)
                .unwrap_or_default()
                .into_iter()
                .map(|((department, department_id), counts)| DepartmentCampaignCounts {
                    department_id,
                    department,
                    response_rate_percent: counts.response_rate_percent(),
                    counts,
                })
                .collect();
        }
    }
    Ok(items)
}

/// Campaigns asking about seats the caller may read (owners: their pools'; admins: all), newest first.
pub async fn list(db: &Db, actor: &Actor, q: &CampaignQuery) -> AppResult<Page<Campaign>> {
    let scope = access::may_read_reclamation(&actor.user)?;
    let (page, per_page) = crate::service::paging(q.page, q.per_page)?;
    let filter = scope.as_filter();
    let mut conn = db.read.acquire().await?;
    let (items, total) = store::list(&mut conn, q.open, filter.as_ref(), per_page, (page - 1) * per_page).await?;
    let items = tallied(&mut conn, items, filter.as_ref(), false).await?;
    Ok(Page { items, total, page, per_page })
}

/// One campaign, its counts per department of the holders, within the caller's scope.
pub async fn get(db: &Db, actor: &Actor, id: i64) -> AppResult<Campaign> {
    let scope = access::may_read_reclamation(&actor.user)?;
    let filter = scope.as_filter();
    let mut conn = db.read.acquire().await?;
    let Some(campaign) = store::get(&mut *conn, id).await? else { return Err(AppError::NotFound("campaign")) };
    if !store::visible(&mut conn, id, filter.as_ref()).await? {
        return Err(AppError::NotFound("campaign"));
    }
    tallied(&mut conn, vec![campaign], filter.as_ref(), true)
        .await?
        .pop()
        .ok_or_else(|| AppError::internal(format!("campaign {id} vanished")))
}

/// The campaign's record for an auditor, one row per seat asked about: who held it, who was asked and when, who
/// answered what and when, and how it ended.
pub async fn record_csv(db: &Db, actor: &Actor, id: i64) -> AppResult<(Campaign, String)> {
    let campaign = get(db, actor, id).await?;
    let scope = access::may_read_reclamation(&actor.user)?;
    let mut conn = db.read.acquire().await?;
    let cases = store::all_cases(&mut conn, id, scope.as_filter().as_ref()).await?;
    let mut letter_ids: Vec<i64> = cases.iter().filter_map(|c| c.letters.asked).collect();
    letter_ids.sort_unstable();
    letter_ids.dedup();
    let letters: HashMap<i64, StoredLetter> =
        store::letters(&mut conn, &letter_ids).await?.into_iter().map(|l| (l.id, l)).collect();
    let header = [
        "case_id",
        "license",
        "holder",
        "holder_email",
        "why",
        "asked",
        "asked_email",
        "asked_at",
        "answer",
        "answered_by",
        "answered_at",
        "comment",
        "outcome",
        "closed_at",
        "closed_by",
        "note",
    ];
    let fail = |e: csv::Error| AppError::internal_in("writing the campaign record", e);
    let mut out = CsvOut::new(&header).map_err(fail)?;
    for row in cases.iter().map(|s| {
        let c = &s.case;
        let asked = s.letters.asked.and_then(|l| letters.get(&l));
        let at = |t: Option<DateTime<Utc>>| t.map(|t| t.to_rfc3339()).unwrap_or_default();
        vec![
            c.id.to_string(),
            c.pool_name.clone(),
            c.person_name.clone(),
            c.person_email.clone(),
            c.detail.clone(),
            asked.map(|l| l.name.clone()).unwrap_or_else(|| "(the license's owner)".into()),
            asked.map(|l| l.email.clone()).unwrap_or_default(),
            at(asked.map(|l| l.created_at)),
            c.answer.map(|a| a.as_str().to_string()).unwrap_or_default(),
            c.answered_by.clone().unwrap_or_default(),
            at(c.answered_at),
            c.answer_comment.clone().unwrap_or_default(),
            c.state.as_str().to_string(),
            at(c.closed_at),
            c.closed_by.clone().unwrap_or_default(),
            c.note.clone().unwrap_or_default(),
        ]
    }) {
        out.row(&row).map_err(fail)?;
    }
    Ok((campaign, out.finish().map_err(fail)?))
}

/// Ledger entries for answers (or the deadline's decisions) on cases.
pub(super) fn answered_entries(cases: &[StoredCase], what: &serde_json::Value) -> AppResult<Vec<Pending>> {
    cases
        .iter()
        .map(|c| {
            let mut record = what.clone();
            record["case_id"] = serde_json::json!(c.case.id);
            record["campaign_id"] = serde_json::json!(c.case.campaign_id);
            Ok(Pending::of(Change::created("reclamation.case.answer", "reclamation_case", Some(c.case.id), &record))?)
        })
        .collect()
}
