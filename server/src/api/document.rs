//! What every operation of the OpenAPI document shares, filled in from what the operation takes (its parameters,
//! body, method and security) so the document stays true without repeating the same lines on every handler: the
//! security requirement, the error responses, and the limits of the shared parameters (paging, `If-Match`). A
//! handler declares only what its own rules add (a 403 on a read, a 409 on a seat, a 429).

use utoipa::openapi::path::{Operation, Parameter, ParameterIn};
use utoipa::openapi::schema::{SchemaType, Type};
use utoipa::openapi::security::SecurityRequirement;
use utoipa::openapi::{ContentBuilder, OpenApi, Ref, RefOr, Response, ResponseBuilder, Schema};

use crate::domain::version::IF_MATCH_PATTERN;
use crate::service::MAX_PAGE;

/// Fills in the shared parts of every operation.
pub fn complete(doc: &mut OpenApi) {
    require_authentication(doc);
    for item in doc.paths.paths.values_mut() {
        let operations = [
            (false, &mut item.get),
            (true, &mut item.put),
            (true, &mut item.post),
            (true, &mut item.delete),
            (true, &mut item.patch),
            (false, &mut item.head),
            (false, &mut item.options),
            (true, &mut item.trace),
        ];
        for (write, op) in operations {
            if let Some(op) = op {
                for p in op.parameters.iter_mut().flatten() {
                    limit(p);
                }
                complete_responses(op, write);
            }
        }
    }
}

/// Every operation needs a session or a token unless it says otherwise (`security(())`: login, setup, the feed).
fn require_authentication(doc: &mut OpenApi) {
    doc.security = Some(vec![
        SecurityRequirement::new("bearer", Vec::<String>::new()),
        SecurityRequirement::new("session", Vec::<String>::new()),
    ]);
}

/// A parameter as it travels: absent or a value (an optional one is not `null`, which would be sent as the text
/// "null"), within the bounds `service::paging` and `domain::version::parse_if_match` hold every request to.
fn limit(p: &mut Parameter) {
    let Some(RefOr::T(Schema::Object(schema))) = p.schema.as_mut() else {
        return;
    };
    if let SchemaType::Array(types) = &schema.schema_type {
        let mut present: Vec<Type> = types.iter().filter(|t| **t != Type::Null).cloned().collect();
        schema.schema_type = match present.len() {
            1 => SchemaType::Type(present.remove(0)),
            _ => SchemaType::Array(present),
        };
    }
    match (&p.parameter_in, p.name.as_str()) {
        (ParameterIn::Query, "page") => {
            schema.minimum = Some(1.into());
            schema.maximum = Some(MAX_PAGE.into());
        }
        (ParameterIn::Query, "per_page") => {
            schema.minimum = Some(1.into());
            schema.maximum = Some(seatwise_types::MAX_PER_PAGE.into());
        }
        (ParameterIn::Header, name) if name.eq_ignore_ascii_case("If-Match") => {
            schema.pattern = Some(IF_MATCH_PATTERN.to_string());
        }
        _ => {}
    }
}

/// The statuses that follow from an operation's shape.
fn statuses(op: &Operation, write: bool) -> Vec<&'static str> {
    let params = op.parameters.as_deref().unwrap_or_default();
    let takes = |place: ParameterIn| params.iter().any(|p| p.parameter_in == place);
    let if_match =
        params.iter().any(|p| p.parameter_in == ParameterIn::Header && p.name.eq_ignore_ascii_case("If-Match"));
    // An empty requirement (`security(())`) makes authentication optional: the operation is public.
    let authenticated = op.security.as_ref().is_none_or(|s| !s.contains(&SecurityRequirement::default()));
    let body = op.request_body.as_ref();
    // JSON records (a named schema, or a list of them) are read by `ApiJson`, which refuses other media types;
    // uploads (a file as a string) take the body as it comes.
    let json_record = body.is_some_and(|b| {
        b.content.iter().any(|(media, c)| {
            media == "application/json"
                && matches!(c.schema, Some(RefOr::Ref(_)) | Some(RefOr::T(utoipa::openapi::schema::Schema::Array(_))))
        })
    });
    let rules = [
        ("400", !params.is_empty() || body.is_some()),
        ("401", authenticated),
        ("403", authenticated && write),
        ("404", takes(ParameterIn::Path)),
        ("409", if_match),
        ("413", body.is_some()),
        ("415", json_record),
        ("422", body.is_some() || takes(ParameterIn::Query)),
        // Any request can run past `--request-timeout`, and one that hashes a password can find every slot taken.
        ("503", true),
    ];
    rules.into_iter().filter(|(_, applies)| *applies).map(|(status, _)| status).collect()
}

/// What an error status means when the handler says nothing more specific.
fn meaning(status: &str) -> &'static str {
    match status {
        "400" => "Malformed request: JSON that does not parse, or a path, query or header value of the wrong type",
        "401" => "Not logged in: no session or token, or it expired or was revoked",
        "403" => "Not allowed for your role or department scope (a cookie-authenticated write also needs X-CSRF-Token)",
        "404" => "No such record, or it is outside your scope",
        "409" => "The record is at another version than If-Match, or the change conflicts with its state; nothing was changed",
        "413" => "The request body is larger than the limit",
        "415" => "The request body is not application/json",
        "422" => "Invalid input: `fields` names each field (and row) and why; nothing was changed",
        "429" => "Too many attempts; wait as long as `Retry-After` says",
        "503" => "The server stopped the request at its time limit (`timeout`) or is busy (`busy`); retry later",
        _ => "The request could not be completed",
    }
}

/// Adds the status with the error shape, unless the handler documents it; an error the handler lists without a
/// description gets the common one.
fn complete_responses(op: &mut Operation, write: bool) {
    for status in statuses(op, write) {
        op.responses.responses.entry(status.to_string()).or_insert_with(|| RefOr::T(error(meaning(status))));
    }
    for (status, response) in op.responses.responses.iter_mut() {
        if let RefOr::T(r) = response {
            if r.description.is_empty() && (status.starts_with('4') || status.starts_with('5')) {
                r.description = meaning(status).to_string();
            }
        }
    }
}

fn error(description: &str) -> Response {
    ResponseBuilder::new()
        .description(description)
        .content("application/json", ContentBuilder::new().schema(Some(Ref::from_schema_name("ErrorResponse"))).build())
        .build()
}
