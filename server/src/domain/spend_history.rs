//! Spend over time, read back from the ledger: a pool's price and seats as each entry left them (created, edited,
//! seats set by a change request, retired), so any past month's run rate is what the pool cost then. A pool the
//! ledger has nothing on before a day cost nothing that day.

use chrono::{DateTime, NaiveDate, Utc};
use serde_json::Value;

use crate::domain::pool::annual_cost_minor;
use seatwise_types::BillingPeriod;

/// A pool's price and seats from one entry on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Priced {
    pub unit_minor: i64,
    pub currency: String,
    pub period: BillingPeriod,
    pub seats: Option<i64>,
    pub start: Option<NaiveDate>,
    pub end: Option<NaiveDate>,
}

impl Priced {
    pub fn annual_minor(&self) -> Option<i64> {
        annual_cost_minor(self.unit_minor, self.period, self.seats, self.start, self.end)
    }
}

/// What one ledger entry says of a pool's cost.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// Its whole state (created or edited).
    State(Priced),
    /// Its purchased seats set (by a change request).
    Seats(i64),
    Retired,
}

fn money_of(v: &Value) -> Option<(i64, String)> {
    Some((v.get("amount_minor")?.as_i64()?, v.get("currency")?.as_str()?.to_string()))
}

fn date_of(v: Option<&Value>) -> Option<NaiveDate> {
    v?.as_str()?.parse().ok()
}

/// Read an entry: `action` and the JSON it recorded after the change. `None` when it says nothing of cost.
pub fn event(action: &str, after: Option<&Value>) -> Option<Event> {
    let after = after?;
    match action {
        "pool.create" | "pool.update" => {
            let (unit_minor, currency) = money_of(after.get("unit_cost")?)?;
            let period = BillingPeriod::parse(after.get("billing_period")?.as_str()?)?;
            Some(Event::State(Priced {
                unit_minor,
                currency,
                period,
                seats: after.get("seats_purchased").and_then(Value::as_i64),
                start: date_of(after.get("contract_start")),
                end: date_of(after.get("contract_end")),
            }))
        }
        "change_request.operation" => {
            let op = after.get("operation")?;
            match op.get("op")?.as_str()? {
                "set_seats" => Some(Event::Seats(op.get("seats_purchased")?.as_i64()?)),
                "retire_pool" => Some(Event::Retired),
                _ => None,
            }
        }
        _ => None,
    }
}

/// A pool's cost events in time order.
pub type Events = Vec<(DateTime<Utc>, Event)>;

/// A pool's annual cost in its currency at `at`, from its events in time order: `None` before the first state
/// and after it was retired.
pub fn annual_at(events: &[(DateTime<Utc>, Event)], at: DateTime<Utc>) -> Option<(i64, String)> {
    let mut state: Option<Priced> = None;
    for (_, e) in events.iter().take_while(|(when, _)| *when <= at) {
        match e {
            Event::State(p) => state = Some(p.clone()),
            Event::Seats(n) => {
                if let Some(p) = state.as_mut() {
                    p.seats = Some(*n);
                }
            }
            Event::Retired => state = None,
        }
    }
    let p = state?;
    Some((p.annual_minor()?, p.currency))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn t(s: &str) -> DateTime<Utc> {
        format!("{s}T12:00:00Z").parse().unwrap_or_default()
    }

    #[test]
    fn a_pools_cost_follows_its_ledger() {
        let created = json!({"unit_cost": {"amount_minor": 1000, "currency": "EUR"}, "billing_period": "monthly",
            "seats_purchased": 10, "contract_start": null, "contract_end": null});
        let mut edited = created.clone();
        edited["unit_cost"]["amount_minor"] = json!(1200);
        let events: Vec<(DateTime<Utc>, Event)> = [
            (t("2026-01-10"), event("pool.create", Some(&created))),
            (
                t("2026-04-01"),
                event(
                    "change_request.operation",
                    Some(&json!({"operation": {"op": "set_seats", "seats_purchased": 15}})),
                ),
            ),
            (t("2026-07-01"), event("pool.update", Some(&edited))),
            (t("2026-09-01"), event("change_request.operation", Some(&json!({"operation": {"op": "retire_pool"}})))),
        ]
        .into_iter()
        .filter_map(|(at, e)| e.map(|e| (at, e)))
        .collect();
        assert_eq!(events.len(), 4);
        assert_eq!(annual_at(&events, t("2026-01-01")), None, "before it existed");
        assert_eq!(annual_at(&events, t("2026-02-01")), Some((120_000, "EUR".into())));
        assert_eq!(annual_at(&events, t("2026-05-01")), Some((180_000, "EUR".into())), "seats set by a request");
        assert_eq!(
            annual_at(&events, t("2026-08-01")),
            Some((144_000, "EUR".into())),
            "the edit's own seats and price"
        );
        assert_eq!(annual_at(&events, t("2026-10-01")), None, "retired");
        assert_eq!(event("pool.seat_assign", Some(&json!({}))), None);
    }
}
