//! The path parameters of the API, each a type that both reads the request
//! (through [`super::problem::Path`]) and documents itself, so the document
//! and the router cannot disagree on a parameter's name or type.

use serde::Deserialize;
use utoipa::IntoParams;

/// `{name}`: an organisation.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct Org {
    /// The organisation's name (its handle).
    pub name: String,
}

/// `{name}` and `{person}`: a person's place in an organisation.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct Representative {
    /// The organisation's name (its handle).
    pub name: String,
    /// The person's name (their handle).
    pub person: String,
}

/// `{id}`: a proposal.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct Proposal {
    /// The proposal's ID.
    pub id: i64,
}

/// `{id}` and `{org}`: an organisation's ballot on a proposal.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct Ballot {
    /// The proposal's ID.
    pub id: i64,
    /// The organisation whose ballot this is.
    pub org: String,
}

/// `{id}`: a token.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct Token {
    /// The token's public ID, as `GET /api/v1/tokens` lists it.
    pub id: String,
}

/// `{id}`: a BBB server.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct Server {
    /// The server's ID.
    pub id: i64,
}

/// `{name}`: a tenant.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct Tenant {
    /// The tenant's name.
    pub name: String,
}

/// `{name}`: a tier.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct Tier {
    /// The tier's name.
    pub name: String,
}

/// `{name}` and `{secret}`: one of a tenant's secrets.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct TenantSecret {
    /// The tenant's name.
    pub name: String,
    /// The secret's fingerprint.
    pub secret: String,
}

/// `{period}`: a month.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct Period {
    /// The month, `YYYY-MM` in the co-op's time zone.
    pub period: String,
}

/// `{name}` and `{period}`: an organisation's part of a month.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct OrgPeriod {
    /// The organisation's name (its handle).
    pub name: String,
    /// The month, `YYYY-MM` in the co-op's time zone.
    pub period: String,
}
