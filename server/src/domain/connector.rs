//! Connectors as rules: what a connector's settings must hold, and the credentials each kind takes.

use seatwise_types::limits::{TEXT_CHARS, TITLE_CHARS};
use seatwise_types::{ConnectorInput, ConnectorKind, FieldError, Removal, SeatActionKind};

use super::limits;

/// The most pools one connector acts on.
pub const MAX_POOLS: usize = 5_000;

/// Whether `input` is a new connector (its credentials are then required) or a change to one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Write {
    Create,
    Update,
}

/// The input's problems, each naming its field.
/// The fastest pace a connector may be given, a minute.
pub const MAX_PER_MINUTE: i64 = 10_000;

pub fn validate(input: &ConnectorInput, write: Write) -> Vec<FieldError> {
    let mut errors = Vec::new();
    let name = input.name.trim();
    if name.is_empty() {
        errors.push(FieldError::new("name", "is required"));
    }
    limits::check_chars(&mut errors, "name", name, TITLE_CHARS);
    limits::check_line(&mut errors, "name", Some(name));
    let url = input.base_url.as_deref().map(str::trim).filter(|u| !u.is_empty());
    match (input.kind, url) {
        (ConnectorKind::Manual, Some(_)) => {
            errors.push(FieldError::new("base_url", "a manual connector has no API: leave it out"))
        }
        (ConnectorKind::Manual, None) => {}
        (_, None) => errors.push(FieldError::new("base_url", "is required")),
        (_, Some(u)) => {
            if let Some(m) = url_problem(u) {
                errors.push(FieldError::new("base_url", m));
            }
        }
    }
    match (input.max_actions_per_minute, input.kind) {
        (Some(_), ConnectorKind::Manual) => {
            errors.push(FieldError::new("max_actions_per_minute", "a manual connector sends nothing to pace"))
        }
        (Some(n), _) if !(1..=MAX_PER_MINUTE).contains(&n) => errors.push(FieldError::new(
            "max_actions_per_minute",
            format!("must be between 1 and {MAX_PER_MINUTE}, or left out for no limit"),
        )),
        _ => {}
    }
    let fields = input.kind.credential_fields();
    match (&input.credentials, input.kind) {
        (Some(_), ConnectorKind::Manual) => {
            errors.push(FieldError::new("credentials", "a manual connector takes none"));
        }
        (None, kind) if write == Write::Create && kind != ConnectorKind::Manual => {
            errors.push(FieldError::new("credentials", format!("are required: {}", fields.join(", "))));
        }
        (None, _) => {}
        (Some(given), _) => {
            for f in fields {
                let path = format!("credentials.{f}");
                match given.get(*f).and_then(|v| v.as_str()).map(str::trim) {
                    Some(v) if !v.is_empty() => {
                        limits::check_chars(&mut errors, &path, v, TEXT_CHARS);
                        limits::check_line(&mut errors, &path, Some(v));
                    }
                    Some(_) | None => errors.push(FieldError::new(path, "is required (a non-empty string)")),
                }
            }
            for k in given.keys().filter(|k| !fields.contains(&k.as_str())) {
                errors.push(FieldError::new(
                    format!("credentials.{k}"),
                    format!("is not a {} credential", input.kind.as_str()),
                ));
            }
        }
    }
    if input.kind == ConnectorKind::Okta && input.removal != Removal::Group {
        errors.push(FieldError::new("removal", "Okta connectors remove people from the license group: use group"));
    }
    for (i, t) in input.targets.iter().enumerate() {
        if !input.pool_ids.contains(&t.pool_id) {
            errors.push(FieldError::new(format!("targets[{i}].pool_id"), "must be one of pool_ids"));
        } else if input.targets[..i].iter().any(|o| o.pool_id == t.pool_id) {
            errors.push(FieldError::new(format!("targets[{i}].pool_id"), "names a pool twice"));
        }
        let path = format!("targets[{i}].group");
        let group = t.group.trim();
        if group.is_empty() {
            errors.push(FieldError::new(path.clone(), "is required"));
        }
        limits::check_chars(&mut errors, &path, group, TITLE_CHARS);
        limits::check_line(&mut errors, &path, Some(group));
    }
    if input.kind == ConnectorKind::Okta {
        for (i, pool) in input.pool_ids.iter().enumerate() {
            if !input.targets.iter().any(|t| t.pool_id == *pool) {
                errors.push(FieldError::new(
                    format!("pool_ids[{i}]"),
                    "an Okta connector removes people from each pool's group: name its group in targets",
                ));
            }
        }
    }
    if input.pool_ids.len() > MAX_POOLS {
        errors.push(FieldError::new("pool_ids", format!("must name at most {MAX_POOLS} pools")));
    }
    limits::check_distinct(&mut errors, "pool_ids", &input.pool_ids);
    errors
}

/// Why a base address is not one a connector may call: `https://`, or `http://` on this machine only (a local
/// test server), with a host and no credentials or fragment in it.
pub fn url_problem(u: &str) -> Option<String> {
    if u.chars().count() > 2000 {
        return Some("must be at most 2000 characters".into());
    }
    let Ok(parsed) = url::Url::parse(u) else { return Some("must be an absolute https:// address".into()) };
    let local = matches!(parsed.host_str(), Some("localhost" | "127.0.0.1" | "[::1]"));
    match parsed.scheme() {
        "https" => {}
        "http" if local => {}
        _ => return Some("must be https:// (http:// only for this machine)".into()),
    }
    if parsed.host_str().is_none_or(str::is_empty) {
        return Some("must name a host".into());
    }
    if !parsed.username().is_empty() || parsed.password().is_some() || parsed.fragment().is_some() {
        return Some("must hold no user, password or #fragment: credentials go in credentials".into());
    }
    None
}

/// Attempts at a seat action before it becomes a task for a person.
pub const MAX_ATTEMPTS: i64 = 8;

/// How long after a failed attempt (the `attempts`-th) the next one is made: one minute, doubling, at most a day.
pub fn retry_delay(attempts: i64) -> chrono::Duration {
    let minutes = 1_i64 << attempts.clamp(0, 11);
    chrono::Duration::minutes(minutes.min(24 * 60))
}

/// What a seat action does next, from the account the target shows (`None`: no such account).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// The target shows it done already: why, in words.
    Done(String),
    /// Send this call.
    Call(Call),
    /// A person must do it: what to do.
    ByHand(String),
}

/// A call a connector sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Call {
    Deactivate,
    Activate,
    Delete,
    Create,
}

impl Call {
    /// The request, as the action's detail shows it.
    pub fn describe(self, id: Option<&str>) -> String {
        let id = id.unwrap_or("{id}");
        match self {
            Self::Deactivate => format!("PATCH /Users/{id} active=false"),
            Self::Activate => format!("PATCH /Users/{id} active=true"),
            Self::Delete => format!("DELETE /Users/{id}"),
            Self::Create => "POST /Users".to_string(),
        }
    }
}

/// What a person is asked to do for an action no API carries out (a manual connector's).
pub fn manual_task(kind: SeatActionKind, account: &str, pool: &str) -> String {
    match kind {
        SeatActionKind::Remove => format!("Take the {pool} license away from {account} by hand, then mark it done."),
        SeatActionKind::Add => format!("Give {account} the {pool} license by hand, then mark it done."),
    }
}

/// What an Okta seat action does, from the user (`None`: no such user), whether they are in the pool's group,
/// and the group's type: only an `OKTA_GROUP`'s members can be changed through the API (app groups are the app's).
pub fn okta_step(
    kind: SeatActionKind,
    account: &str,
    member: Option<bool>,
    group_type: &str,
    group: &str,
) -> GroupStep {
    if group_type != "OKTA_GROUP" {
        return GroupStep::ByHand(format!(
            "{group} is an {group_type} group, which Okta does not let an API change: change {account}'s membership \
             in the app, then mark it done."
        ));
    }
    group_step(kind, account, member, group)
}

/// What a seat action does to a license group (Okta's, or a SCIM app's with removal `group`): leave it, join it,
/// or nothing when the membership is as it should be.
pub fn group_step(kind: SeatActionKind, account: &str, member: Option<bool>, group: &str) -> GroupStep {
    match (kind, member) {
        (SeatActionKind::Remove, None) => {
            GroupStep::Done(format!("No account {account} in the target: nothing to remove."))
        }
        (SeatActionKind::Remove, Some(false)) => GroupStep::Done(format!("{account} is not in the group {group}.")),
        (SeatActionKind::Remove, Some(true)) => GroupStep::Leave,
        (SeatActionKind::Add, None) => {
            GroupStep::ByHand(format!("No account {account} in the target: create it there, then mark it done."))
        }
        (SeatActionKind::Add, Some(true)) => GroupStep::Done(format!("{account} is in the group {group}.")),
        (SeatActionKind::Add, Some(false)) => GroupStep::Join,
    }
}

/// The next step of a seat action on a license group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GroupStep {
    Done(String),
    /// Take the account out of the group.
    Leave,
    /// Put the account in the group.
    Join,
    ByHand(String),
}

/// The next step of a SCIM seat action: removing a seat deactivates or deletes the account (or, for a license
/// group, is left to a person); giving it back reactivates the account, or creates it when it is gone.
pub fn next_step(kind: SeatActionKind, removal: Removal, account: &str, active: Option<bool>) -> Step {
    match (kind, removal, active) {
        (SeatActionKind::Remove, _, None) => {
            Step::Done(format!("No account {account} in the target: nothing to remove."))
        }
        (SeatActionKind::Remove, Removal::Deactivate, Some(false)) => {
            Step::Done(format!("The account {account} is inactive in the target."))
        }
        (SeatActionKind::Remove, Removal::Deactivate, Some(true)) => Step::Call(Call::Deactivate),
        (SeatActionKind::Remove, Removal::Delete, Some(_)) => Step::Call(Call::Delete),
        (SeatActionKind::Remove, Removal::Group, Some(_)) => Step::ByHand(format!(
            "Remove {account} from the license group in the target by hand (this connector names no group), then \
             mark it done."
        )),
        (SeatActionKind::Add, _, Some(true)) => Step::Done(format!("The account {account} is active in the target.")),
        (SeatActionKind::Add, _, Some(false)) => Step::Call(Call::Activate),
        (SeatActionKind::Add, _, None) => Step::Call(Call::Create),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scim() -> ConnectorInput {
        ConnectorInput {
            kind: ConnectorKind::Scim,
            name: "Slack".into(),
            base_url: Some("https://api.slack.com/scim/v2".into()),
            credentials: serde_json::json!({"bearer_token": "xoxp-1"}).as_object().cloned(),
            pool_ids: vec![1, 2],
            removal: Removal::Deactivate,
            dry_run: false,
            targets: vec![],
            max_actions_per_minute: None,
        }
    }

    fn paths(i: &ConnectorInput, w: Write) -> Vec<String> {
        validate(i, w).into_iter().map(|e| e.path).collect()
    }

    #[test]
    fn each_kind_takes_its_own_settings() {
        use seatwise_types::PoolTarget;
        assert!(paths(&scim(), Write::Create).is_empty());
        assert_eq!(paths(&ConnectorInput { credentials: None, ..scim() }, Write::Create), ["credentials"]);
        assert!(paths(&ConnectorInput { credentials: None, ..scim() }, Write::Update).is_empty());
        let wrong = serde_json::json!({"bearer_token": "", "api_token": "x"}).as_object().cloned();
        assert_eq!(
            paths(&ConnectorInput { credentials: wrong, ..scim() }, Write::Create),
            ["credentials.bearer_token", "credentials.api_token"]
        );
        for bad in
            ["ftp://x", "http://example.com/scim", "https://user:pw@x.example", "not a url", "https://x.example/#f"]
        {
            assert_eq!(
                paths(&ConnectorInput { base_url: Some(bad.into()), ..scim() }, Write::Create),
                ["base_url"],
                "{bad}"
            );
        }
        assert!(paths(
            &ConnectorInput { base_url: Some("http://127.0.0.1:8000/scim/v2".into()), ..scim() },
            Write::Create
        )
        .is_empty());
        for (pace, fine) in
            [(Some(0), false), (Some(1), true), (Some(MAX_PER_MINUTE), true), (Some(MAX_PER_MINUTE + 1), false)]
        {
            let errors = paths(&ConnectorInput { max_actions_per_minute: pace, ..scim() }, Write::Create);
            assert_eq!(errors.is_empty(), fine, "{pace:?}: {errors:?}");
        }
        let manual = ConnectorInput { kind: ConnectorKind::Manual, base_url: None, credentials: None, ..scim() };
        assert_eq!(
            paths(&ConnectorInput { max_actions_per_minute: Some(10), ..manual.clone() }, Write::Create),
            ["max_actions_per_minute"]
        );
        assert!(paths(&manual, Write::Create).is_empty());
        assert_eq!(
            paths(&ConnectorInput { base_url: Some("https://x".into()), ..manual }, Write::Create),
            ["base_url"]
        );
        let okta = ConnectorInput {
            kind: ConnectorKind::Okta,
            credentials: serde_json::json!({"api_token": "t"}).as_object().cloned(),
            ..scim()
        };
        assert_eq!(paths(&okta, Write::Create), ["removal", "pool_ids[0]", "pool_ids[1]"]);
        let group = |pool_id: i64, group: &str| PoolTarget { pool_id, group: group.into() };
        let named = ConnectorInput {
            removal: Removal::Group,
            targets: vec![group(1, "00g1"), group(1, "00g2"), group(9, " ")],
            ..okta
        };
        assert_eq!(
            paths(&named, Write::Create),
            ["targets[1].pool_id", "targets[2].pool_id", "targets[2].group", "pool_ids[1]"]
        );
        assert_eq!(paths(&ConnectorInput { pool_ids: vec![3, 3], ..scim() }, Write::Create), ["pool_ids[1]"]);
    }

    #[test]
    fn a_removal_already_done_in_the_target_sends_nothing_again() {
        use SeatActionKind::{Add, Remove};
        let a = "ann@example.com";
        assert!(matches!(next_step(Remove, Removal::Deactivate, a, Some(false)), Step::Done(_)));
        assert!(matches!(next_step(Remove, Removal::Delete, a, None), Step::Done(_)));
        assert_eq!(next_step(Remove, Removal::Deactivate, a, Some(true)), Step::Call(Call::Deactivate));
        assert_eq!(next_step(Remove, Removal::Delete, a, Some(false)), Step::Call(Call::Delete));
        assert!(matches!(next_step(Remove, Removal::Group, a, Some(true)), Step::ByHand(_)));
        assert_eq!(next_step(Add, Removal::Deactivate, a, Some(false)), Step::Call(Call::Activate));
        assert_eq!(next_step(Add, Removal::Delete, a, None), Step::Call(Call::Create));
        assert!(matches!(next_step(Add, Removal::Delete, a, Some(true)), Step::Done(_)));
    }

    #[test]
    fn retries_wait_longer_each_time_up_to_a_day() {
        assert_eq!(retry_delay(0), chrono::Duration::minutes(1));
        assert_eq!(retry_delay(3), chrono::Duration::minutes(8));
        assert_eq!(retry_delay(40), chrono::Duration::minutes(24 * 60));
        assert_eq!(retry_delay(-1), chrono::Duration::minutes(1));
    }

    #[test]
    fn okta_changes_only_its_own_groups_and_sends_nothing_already_done() {
        use SeatActionKind::{Add, Remove};
        assert_eq!(okta_step(Remove, "a", Some(true), "OKTA_GROUP", "E3"), GroupStep::Leave);
        assert!(matches!(okta_step(Remove, "a", Some(false), "OKTA_GROUP", "E3"), GroupStep::Done(_)));
        assert!(matches!(okta_step(Remove, "a", None, "OKTA_GROUP", "E3"), GroupStep::Done(_)));
        assert_eq!(okta_step(Add, "a", Some(false), "OKTA_GROUP", "E3"), GroupStep::Join);
        assert!(matches!(okta_step(Remove, "a", Some(true), "APP_GROUP", "Box"), GroupStep::ByHand(_)));
    }
}
