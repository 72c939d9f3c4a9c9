//! The API's OpenAPI 3.1 document, derived from the handlers and their types; shipped as
//! `assets/api-openapi.json` and printed by `pooladmin api-schema`.

use super::{hosts, metrics, pools, sessions, types};
use crate::model::api_text::{HOST_PATTERN, USER_PATTERN, VERSION_PATTERN};
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::openapi::{RefOr, Schema};
use utoipa::{Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "pooladmin API",
        description = "Hosts check in and report; portals ask for sessions. Every call but /healthz takes `Authorization: Bearer …`: a portal key (`pooladmin api-key create`) or a host's agent token (`{checkin_token}`).",
        license(name = "MIT"),
    ),
    paths(
        hosts::checkin,
        hosts::heartbeat,
        sessions::start,
        sessions::end,
        pools::list,
        pools::one,
        metrics::metrics,
        pools::healthz,
    ),
    components(schemas(
        types::CheckinRequest,
        types::HeartbeatRequest,
        types::ReportResponse,
        types::SessionStartRequest,
        types::SessionResponse,
        types::PoolList,
        types::PoolView,
        types::MemberStates,
        types::Health,
        types::ErrorBody,
        types::FieldProblem,
    )),
    modifiers(&BearerSchemes, &TextRules),
)]
struct ApiDoc;

struct BearerSchemes;

impl Modify for BearerSchemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        for name in ["portal_key", "agent_token"] {
            components.add_security_scheme(
                name,
                SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
            );
        }
    }
}

/// The text patterns the server checks with, published on the fields they apply to (one
/// constant for the check and the document: `model::api_text`).
struct TextRules;

impl Modify for TextRules {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let Some(components) = openapi.components.as_mut() else {
            return;
        };
        for (schema, field, pattern) in [
            ("CheckinRequest", "hostname", HOST_PATTERN),
            ("CheckinRequest", "address", HOST_PATTERN),
            ("CheckinRequest", "version", VERSION_PATTERN),
            ("SessionStartRequest", "user", USER_PATTERN),
        ] {
            let object = components.schemas.get_mut(schema).and_then(|s| match s {
                RefOr::T(Schema::Object(object)) => Some(object),
                _ => None,
            });
            let property = object
                .and_then(|o| o.properties.get_mut(field))
                .and_then(|p| match p {
                    RefOr::T(Schema::Object(property)) => Some(property),
                    _ => None,
                });
            if let Some(property) = property {
                property.pattern = Some(pattern.to_owned());
            }
        }
    }
}

/// The document as pretty JSON with a final newline.
pub fn openapi_json() -> String {
    let mut doc = ApiDoc::openapi();
    doc.info.version = env!("CARGO_PKG_VERSION").to_owned();
    // Serialising plain structs cannot fail; should it, the document says why.
    let mut text = doc
        .to_pretty_json()
        .unwrap_or_else(|e| format!("{{\"error\": \"the OpenAPI document: {e}\"}}"));
    text.push('\n');
    text
}
