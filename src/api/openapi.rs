//! The API's OpenAPI 3.1 document, derived from the handlers and their types; shipped as
//! `assets/api-openapi.json` and printed by `pooladmin api-schema`.

use super::{hosts, metrics, pools, sessions, types};
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
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
    modifiers(&BearerSchemes),
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
