//! `end`: forwarded to the meeting's server; the record is closed whatever the
//! server answers, so a dead server never keeps a meeting ID hostage.

use bbb::ApiError;

use super::{backend_params, unavailable};
use crate::Gateway;
use crate::request::{Verified, internal, meeting_id};
use bbb::answer::Answer;

pub(super) async fn end(gw: &Gateway, v: Verified) -> Result<Answer, ApiError> {
    let id = meeting_id(&v)?;
    let (record, route) = gw.live(&v, id).await?.ok_or_else(ApiError::not_found)?;
    let answer = if unavailable(&route) {
        Err(ApiError::server_unavailable())
    } else {
        gw.forward(
            &v.tenant.name,
            &route,
            "end",
            &backend_params(&v, &record),
            None,
        )
        .await
    };
    let wrong_password = matches!(&answer, Ok(el) if el.child_text("messageKey").as_deref() == Some("invalidPassword"));
    if !wrong_password {
        gw.store
            .end_meeting(record.id, gw.fleet.now_ms())
            .await
            .map_err(internal)?;
    }
    answer.map(Answer::from)
}
