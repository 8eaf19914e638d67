//! The admin and organisation JSON API under `/api/v1`: bearer tokens,
//! RFC 9457 problems, and an OpenAPI 3.1 document at
//! `/api/v1/openapi.json`, generated from the handlers with `utoipa`, that
//! a test keeps in step with [`routes`].
//!
//! Who may do what, in short: operators manage the register, people,
//! tokens and proposals and never vote; a person acts only within the roles
//! they hold in their own organisations, and manages their own tokens. The
//! OpenAPI document states each endpoint's rule.
//!
//! # Adding an endpoint
//!
//! A handler documents itself: its doc comment's first paragraph is the
//! operation's summary and the rest its description, which says who may
//! call it. `#[utoipa::path]` gives the method and path (the same as in
//! `endpoints`), the path parameters as a type from `params` that also
//! reads them, the request body and every answer: the success with its
//! `ToSchema` body, then each problem the handler itself may answer, by
//! the names in `openapi` (`Forbidden`, `NotFound`, `Conflict`, `Refused`,
//! `UnsupportedMediaType`, `Invalid`). The 400 for a token in the URL, the
//! 401, the 403 for a token whose scope does not reach it, the 429 and the
//! 500 that every endpoint taking a token may answer
//! are added to every operation by `openapi::Conventions`.
//!
//! ```ignore
//! /// A tenant
//! ///
//! /// Operators: any tenant. An organisation's admin: their own; another
//! /// organisation's answers 404 exactly like a missing one.
//! #[utoipa::path(
//!     get,
//!     path = "/api/v1/tenants/{name}",
//!     params(params::Tenant),
//!     responses(
//!         (status = 200, body = TenantBody),
//!         (status = 403, response = Forbidden),
//!         (status = 404, response = NotFound),
//!     ),
//! )]
//! pub async fn tenant(
//!     State(state): State<ApiState>,
//!     Acting(actor): Acting,
//!     Path(params::Tenant { name }): Path<params::Tenant>,
//! ) -> Answer<Json<TenantBody>> { … }
//! ```
//!
//! Bodies derive `ToSchema` (with `#[schema(as = Name)]` where the Rust
//! name would clash or read badly), their doc comments becoming the
//! schema's descriptions. Then list the handler in `paths(...)` of
//! `openapi::Document` and add it to `endpoints`; the tests in `openapi`
//! fail until both are done, and while a success answers an untyped body.

mod auth;
mod billing;
mod forum;
mod meetings;
mod openapi;
pub(crate) mod operations;
mod params;
mod people;
mod problem;
mod proposals;
mod records;
mod register;
mod servers;
mod tokens;
mod usage;

use axum::Router;
use axum::handler::Handler;
use axum::http::Method;
use axum::routing::{MethodFilter, MethodRouter, any, on};
use consortium::Consortium;
use store::Act;

pub use auth::{Acting, Caller};
pub use problem::{Problem, TYPE_PREFIX};

use crate::Clock;

/// What every handler shares.
#[derive(Clone)]
pub struct ApiState {
    pub consortium: Consortium,
    /// Usage, fair use, capacity and statements, asked with an actor.
    pub service: ::billing::Billing,
    pub clock: Clock,
    /// What the billing rules read: the co-op's time zone, currency, poll
    /// interval and fair-use thresholds.
    pub billing: ::billing::Settings,
    /// The forum whose signed webhooks are accepted, if one is configured.
    pub discourse: Option<::forum::DiscourseConfig>,
    /// Refuses addresses that sent too many unknown tokens.
    pub throttle: throttle::Throttle,
    /// Requests each token may make, keyed by its public ID.
    pub token_rate: throttle::rate::RateLimiter,
}

impl ApiState {
    /// The caller's act, now.
    fn act(&self, caller: &Caller) -> Act {
        Act::new(caller.actor(), (self.clock)())
    }

    /// The consortium's steps as `actor` takes them, now.
    fn steps<'a>(&'a self, actor: &'a consortium::Actor) -> consortium::Steps<'a> {
        self.consortium.by(actor, (self.clock)())
    }
}

/// One endpoint: its method, its path and what answers it.
struct Endpoint {
    method: Method,
    path: &'static str,
    handler: MethodRouter<ApiState>,
}

fn at<H, T>(method: Method, path: &'static str, handler: H) -> Endpoint
where
    H: Handler<T, ApiState>,
    T: 'static,
{
    let filter = MethodFilter::try_from(method.clone()).expect("the table uses standard methods");
    Endpoint {
        method,
        path,
        handler: on(filter, handler),
    }
}

fn endpoints() -> Vec<Endpoint> {
    use Method as M;
    vec![
        at(M::GET, "/api/v1/openapi.json", openapi::document),
        at(M::GET, "/api/v1/me", register::me),
        at(M::GET, "/api/v1/organisations", register::list),
        at(M::POST, "/api/v1/organisations", register::admit_founder),
        at(M::GET, "/api/v1/organisations/{name}", register::show),
        at(M::PATCH, "/api/v1/organisations/{name}", register::change),
        at(M::POST, "/api/v1/customers", register::add_customer),
        at(
            M::POST,
            "/api/v1/organisations/{name}/notice",
            register::give_notice,
        ),
        at(
            M::PUT,
            "/api/v1/organisations/{name}/representatives/{person}",
            people::represent,
        ),
        at(
            M::DELETE,
            "/api/v1/organisations/{name}/representatives/{person}",
            people::unrepresent,
        ),
        at(
            M::POST,
            "/api/v1/organisations/{name}/contributions",
            register::contribute,
        ),
        at(
            M::GET,
            "/api/v1/organisations/{name}/calendar.ics",
            register::calendar,
        ),
        at(M::POST, "/api/v1/applications", register::apply),
        at(M::GET, "/api/v1/people", people::list),
        at(M::POST, "/api/v1/people", people::add),
        at(M::GET, "/api/v1/tokens", tokens::list),
        at(M::POST, "/api/v1/tokens", tokens::issue),
        at(M::DELETE, "/api/v1/tokens/{id}", tokens::revoke),
        at(M::GET, "/api/v1/proposals", proposals::list),
        at(M::POST, "/api/v1/proposals", proposals::draft),
        at(M::GET, "/api/v1/proposals/{id}", proposals::show),
        at(M::PATCH, "/api/v1/proposals/{id}", proposals::edit),
        at(M::POST, "/api/v1/proposals/{id}/open", proposals::open),
        at(
            M::PUT,
            "/api/v1/proposals/{id}/ballots/{org}",
            proposals::vote,
        ),
        at(M::POST, "/api/v1/proposals/{id}/close", proposals::close),
        at(
            M::POST,
            "/api/v1/proposals/{id}/withdraw",
            proposals::withdraw,
        ),
        at(M::GET, "/api/v1/proposals/{id}/export", proposals::export),
        at(
            M::PUT,
            "/api/v1/proposals/{id}/statement",
            proposals::state_outcome,
        ),
        at(
            M::GET,
            "/api/v1/proposals/{id}/ballots.blt",
            proposals::ballot_file,
        ),
        at(
            M::POST,
            "/api/v1/rules/changes",
            proposals::draft_rules_change,
        ),
        at(M::GET, "/api/v1/audit/head", records::audit_head),
        at(M::GET, "/api/v1/audit/verify", records::audit_verify),
        at(M::GET, "/api/v1/rules", records::rules),
        at(M::PUT, "/api/v1/rules", records::set_rules),
        at(M::POST, "/api/v1/forum/webhook", forum::webhook),
        at(M::GET, "/api/v1/servers", servers::servers),
        at(M::POST, "/api/v1/servers", servers::add_server),
        at(M::GET, "/api/v1/servers/{id}", servers::server),
        at(M::PATCH, "/api/v1/servers/{id}", servers::set_server),
        at(
            M::POST,
            "/api/v1/servers/{id}/enable",
            servers::enable_server,
        ),
        at(
            M::POST,
            "/api/v1/servers/{id}/cordon",
            servers::cordon_server,
        ),
        at(
            M::POST,
            "/api/v1/servers/{id}/disable",
            servers::disable_server,
        ),
        at(M::POST, "/api/v1/servers/{id}/panic", servers::panic_server),
        at(M::GET, "/api/v1/pools", servers::pools),
        at(M::GET, "/api/v1/meetings", meetings::meetings),
        at(M::GET, "/api/v1/tiers", operations::tiers),
        at(M::POST, "/api/v1/tiers", operations::create_tier),
        at(M::GET, "/api/v1/tiers/{name}", operations::tier),
        at(M::PATCH, "/api/v1/tiers/{name}", operations::set_tier),
        at(M::GET, "/api/v1/tenants", operations::tenants),
        at(M::POST, "/api/v1/tenants", operations::create_tenant),
        at(M::GET, "/api/v1/tenants/{name}", operations::tenant),
        at(M::PATCH, "/api/v1/tenants/{name}", operations::set_tenant),
        at(
            M::POST,
            "/api/v1/tenants/{name}/enable",
            operations::enable_tenant,
        ),
        at(
            M::POST,
            "/api/v1/tenants/{name}/disable",
            operations::disable_tenant,
        ),
        at(M::GET, "/api/v1/audit", operations::audit),
        at(
            M::POST,
            "/api/v1/tenants/{name}/secrets",
            operations::add_secret,
        ),
        at(
            M::DELETE,
            "/api/v1/tenants/{name}/secrets/{secret}",
            operations::remove_secret,
        ),
        at(M::GET, "/api/v1/usage", usage::platform),
        at(
            M::GET,
            "/api/v1/organisations/{name}/usage",
            usage::organisation,
        ),
        at(M::GET, "/api/v1/fair-use", usage::fair_use),
        at(
            M::GET,
            "/api/v1/organisations/{name}/fair-use",
            usage::organisation_fair_use,
        ),
        at(M::GET, "/api/v1/capacity", usage::capacity),
        at(M::GET, "/api/v1/periods/{period}/costs", billing::costs),
        at(M::POST, "/api/v1/periods/{period}/costs", billing::add_cost),
        at(M::GET, "/api/v1/periods/{period}/preview", billing::preview),
        at(M::POST, "/api/v1/periods/{period}/close", billing::close),
        at(M::GET, "/api/v1/statements", billing::statements),
        at(M::GET, "/api/v1/statements/{period}", billing::statement),
        at(
            M::GET,
            "/api/v1/organisations/{name}/statements",
            billing::organisation_statements,
        ),
        at(
            M::GET,
            "/api/v1/organisations/{name}/statements/{period}",
            billing::organisation_statement,
        ),
    ]
}

/// Every route the API serves, as (method, path) with `{param}` segments.
pub fn routes() -> Vec<(Method, &'static str)> {
    endpoints()
        .into_iter()
        .map(|e| (e.method, e.path))
        .collect()
}

pub fn router(state: ApiState) -> Router {
    let mut router = Router::new();
    for endpoint in endpoints() {
        router = router.route(endpoint.path, endpoint.handler);
    }
    router
        .route(
            "/api/v1/{*rest}",
            any(|| async { Problem::not_found("no such endpoint; see /api/v1/openapi.json") }),
        )
        .method_not_allowed_fallback(|| async {
            Problem::new(
                axum::http::StatusCode::METHOD_NOT_ALLOWED,
                "method-not-allowed",
                "Method not allowed",
                "this endpoint does not answer that method; see /api/v1/openapi.json",
            )
        })
        .with_state(state)
}
