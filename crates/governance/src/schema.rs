//! The OpenAPI schemas of the types serde writes as one number or string
//! (through `try_from`/`into`), so an API document states their bounds
//! rather than their Rust fields.

use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, Schema, SchemaFormat, Type};
use utoipa::{PartialSchema, ToSchema};

use crate::fraction::Fraction;
use crate::membership::{FederationWeight, Weight};
use crate::share::BasisPoints;
use crate::time::DurationMs;

fn integer(description: &str, minimum: i64, maximum: Option<i64>) -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(Type::Integer)
        .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int64)))
        .description(Some(description))
        .minimum(Some(minimum))
        .maximum(maximum)
        .into()
}

impl PartialSchema for Weight {
    fn schema() -> RefOr<Schema> {
        integer("A vote weight, at least 1.", 1, None)
    }
}
impl ToSchema for Weight {}

impl PartialSchema for BasisPoints {
    fn schema() -> RefOr<Schema> {
        integer(
            "A share in basis points, hundredths of a percent (5000 = 50 %).",
            0,
            Some(10_000),
        )
    }
}
impl ToSchema for BasisPoints {}

impl PartialSchema for DurationMs {
    fn schema() -> RefOr<Schema> {
        integer("A length of time in milliseconds.", 0, None)
    }
}
impl ToSchema for DurationMs {}

impl PartialSchema for FederationWeight {
    fn schema() -> RefOr<Schema> {
        integer("A federation's vote weight: 1 or 2.", 1, Some(2))
    }
}
impl ToSchema for FederationWeight {}

impl PartialSchema for Fraction {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .description(Some(
                "An exact fraction, `\"n\"` or `\"n/d\"` in lowest terms, as text so no precision is lost.",
            ))
            .pattern(Some("^[0-9]+(/[0-9]+)?$"))
            .into()
    }
}
impl ToSchema for Fraction {}
