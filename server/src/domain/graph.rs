//! Microsoft Graph exports: `GET /users` (with assignedLicenses and signInActivity) and `GET /subscribedSkus`.

use chrono::{DateTime, Utc};
use seatwise_types::FieldError;
use serde::Deserialize;

use crate::domain::limits;

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawUser {
    user_principal_name: Option<String>,
    display_name: Option<String>,
    department: Option<String>,
    employee_id: Option<String>,
    account_enabled: Option<bool>,
    #[serde(default)]
    assigned_licenses: Vec<RawLicense>,
    sign_in_activity: Option<RawSignIn>,
    employee_org_data: Option<RawOrg>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawLicense {
    sku_id: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawSignIn {
    last_sign_in_date_time: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawOrg {
    cost_center: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct GraphUser {
    pub row: u64,
    pub upn: String,
    pub name: String,
    pub department: Option<String>,
    pub cost_centre: Option<String>,
    pub employee_id: Option<String>,
    pub enabled: bool,
    pub sku_ids: Vec<String>,
    /// `None` when Graph reports no sign-in (blank or `0001-01-01T00:00:00Z`).
    pub last_sign_in: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Sku {
    pub sku_id: String,
    pub sku_part_number: String,
}

fn blank(s: Option<String>) -> Option<String> {
    s.map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

/// Parse a users export; every user with a problem is reported by its position (the first user is row 1).
pub fn parse_users(text: &str) -> Result<Vec<GraphUser>, Vec<FieldError>> {
    #[derive(Deserialize)]
    struct Page {
        value: Vec<serde_json::Value>,
    }
    let page: Page = serde_json::from_str(text)
        .map_err(|e| vec![FieldError::new("file", format!("not a Graph users export: {e}"))])?;
    let mut users = Vec::new();
    let mut errors = Vec::new();
    for (i, v) in page.value.into_iter().enumerate() {
        let row = i as u64 + 1;
        let mut problem = |path: &str, message: String| {
            errors.push(FieldError { path: path.into(), message, row: Some(row), line: None });
        };
        let raw: RawUser = match serde_json::from_value(v) {
            Ok(r) => r,
            Err(e) => {
                problem("user", e.to_string());
                continue;
            }
        };
        let Some(upn) = blank(raw.user_principal_name).map(|u| u.to_lowercase()) else {
            problem("userPrincipalName", "is required".into());
            continue;
        };
        let texts = [
            ("userPrincipalName", Some(upn.as_str())),
            ("displayName", raw.display_name.as_deref()),
            ("department", raw.department.as_deref()),
            ("employeeId", raw.employee_id.as_deref()),
            ("employeeOrgData.costCenter", raw.employee_org_data.as_ref().and_then(|o| o.cost_center.as_deref())),
        ];
        for (path, value) in texts {
            if let Some(m) = value.map(str::trim).and_then(limits::line_problem) {
                problem(path, m.into());
            }
        }
        let last_sign_in = match blank(raw.sign_in_activity.and_then(|s| s.last_sign_in_date_time)) {
            None => None,
            Some(t) if t.starts_with("0001-01-01") => None,
            Some(t) => match DateTime::parse_from_rfc3339(&t) {
                Ok(d) if limits::date_in_range(d.date_naive()) => Some(d.with_timezone(&Utc)),
                Ok(_) => {
                    problem("signInActivity.lastSignInDateTime", format!("{t:?} {}", limits::date_message()));
                    None
                }
                Err(_) => {
                    problem("signInActivity.lastSignInDateTime", format!("{t:?} is not a timestamp"));
                    None
                }
            },
        };
        users.push(GraphUser {
            row,
            name: blank(raw.display_name).unwrap_or_else(|| upn.clone()),
            upn,
            department: blank(raw.department),
            cost_centre: blank(raw.employee_org_data.and_then(|o| o.cost_center)),
            employee_id: blank(raw.employee_id),
            enabled: raw.account_enabled.unwrap_or(true),
            sku_ids: raw.assigned_licenses.into_iter().filter_map(|l| blank(l.sku_id)).collect(),
            last_sign_in,
        });
    }
    if errors.is_empty() {
        Ok(users)
    } else {
        Err(errors)
    }
}

pub fn parse_skus(text: &str) -> Result<Vec<Sku>, Vec<FieldError>> {
    #[derive(Deserialize)]
    struct Page {
        value: Vec<Sku>,
    }
    // Graph answers an object with a `value` array; serde would also read `[[...]]` into the struct.
    let not_export = |why: String| vec![FieldError::new("file", format!("not a Graph subscribedSkus export: {why}"))];
    if !text.trim_start().starts_with('{') {
        return Err(not_export("expected a JSON object with a value array".into()));
    }
    let skus = serde_json::from_str::<Page>(text).map(|p| p.value).map_err(|e| not_export(e.to_string()))?;
    let errors: Vec<FieldError> = skus
        .iter()
        .enumerate()
        .flat_map(|(i, s)| [("skuId", &s.sku_id), ("skuPartNumber", &s.sku_part_number)].map(move |f| (i, f)))
        .filter_map(|(i, (path, value))| {
            let message = limits::line_problem(value)?;
            Some(FieldError { path: path.into(), message: message.into(), row: Some(i as u64 + 1), line: None })
        })
        .collect();
    if errors.is_empty() {
        Ok(skus)
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sku_export_is_an_object_with_a_value_array() {
        for not_one in ["[[]]", "[{\"value\": []}]", "\"text\""] {
            let e = parse_skus(not_one).err().unwrap_or_default();
            assert_eq!(e.first().map(|e| e.path.as_str()), Some("file"), "{not_one}");
        }
        assert_eq!(parse_skus("{\"value\": []}").map(|s| s.len()), Ok(0));
    }
    use crate::domain::hr::tests::sample;

    #[test]
    fn reads_the_samples() {
        let users = parse_users(&sample("graph-users.json")).unwrap();
        assert!(users.len() >= 4);
        assert_eq!(users[0].upn, "dana.whitfield@example.com");
        assert_eq!(users[0].sku_ids, ["6fd2c87f-b296-42f0-b197-1e91e994b900"]);
        assert_eq!(users[0].cost_centre.as_deref(), Some("CC-410"));
        assert!(users[0].last_sign_in.is_some());
        assert_eq!(users[2].last_sign_in, None, "never signed in");
        let skus = parse_skus(&sample("graph-subscribed-skus.json")).unwrap();
        assert_eq!(skus[0].sku_part_number, "ENTERPRISEPACK");
    }

    #[test]
    fn names_bad_users_by_position() {
        let text = r#"{"value":[{"userPrincipalName":"a@example.com"},{"displayName":"No UPN"},
            {"userPrincipalName":"b@example.com","signInActivity":{"lastSignInDateTime":"yesterday"}}]}"#;
        let errors = parse_users(text).unwrap_err();
        assert_eq!(
            errors.iter().map(|e| (e.row, e.path.as_str())).collect::<Vec<_>>(),
            [(Some(2), "userPrincipalName"), (Some(3), "signInActivity.lastSignInDateTime")]
        );
    }
}
