//! BBB's error answers: HTTP 200 with `FAILED`, a stable `messageKey` and a
//! human `message`; join errors travel as a redirect instead.

use std::borrow::Cow;

use crate::xml::Element;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{key}: {message}")]
pub struct ApiError {
    pub key: Cow<'static, str>,
    pub message: Cow<'static, str>,
}

macro_rules! keys {
    ($($fn:ident => $key:literal, $msg:literal;)*) => {
        impl ApiError {
            $(
                #[doc = concat!("`", $key, "`: ", $msg)]
                pub fn $fn() -> Self {
                    Self::new($key, $msg)
                }
            )*
        }
    };
}

keys! {
    checksum_error => "checksumError", "Checksums do not match";
    unsigned_body => "checksumError", "Checksums do not match: parameters in a POST body must be signed with all the others, sorted by key, or sent in the URL";
    missing_meeting_id => "missingParamMeetingID", "You must provide a meeting ID";
    missing_full_name => "missingParamFullName", "You must provide your name";
    missing_record_id => "missingParamRecordID", "You must specify a recordID.";
    missing_publish => "missingParamPublish", "You must specify a publish value true or false.";
    not_found => "notFound", "A meeting with that ID does not exist";
    recordings_not_found => "notFound", "We could not find recordings";
    invalid_meeting_identifier => "invalidMeetingIdentifier", "A meeting with that ID does not exist";
    meeting_forcibly_ended => "meetingForciblyEnded", "You can not join a meeting that has already been forcibly ended";
    id_not_unique => "idNotUnique", "A meeting already exists with that meeting ID.  Please use a different meeting ID.";
    max_participants_reached => "maxParticipantsReached", "The number of participants allowed for this meeting has been reached.";
    mismatch_create_time => "mismatchCreateTimeParam", "The createTime parameter submitted mismatches with the current meeting.";
    invalid_password => "invalidPassword", "The supplied moderator password is incorrect";
    parent_meeting_id_missing => "parentMeetingIdMissing", "No parent meeting ID was provided for the breakout room";
    unsupported_content_type => "unsupportedContentType", "POST request Content-Type is missing or unsupported";
    unsupported_request => "unsupportedRequest", "This request is not supported.";
    server_unavailable => "serverUnavailable", "The server for this meeting is unavailable. Please try again later.";
    no_server_available => "internalError", "No server is available to host this meeting.";
    backend_unreachable => "internalError", "Unable to access meeting on server.";
}

impl ApiError {
    pub fn new(key: impl Into<Cow<'static, str>>, message: impl Into<Cow<'static, str>>) -> Self {
        Self {
            key: key.into(),
            message: message.into(),
        }
    }

    pub fn validation(message: impl Into<Cow<'static, str>>) -> Self {
        Self::new("validationError", message)
    }

    /// `<response><returncode>FAILED</returncode><messageKey/><message/></response>`.
    pub fn to_element(&self) -> Element {
        Element::new("response")
            .with("returncode", "FAILED")
            .with("messageKey", &self.key)
            .with("message", &self.message)
    }

    /// Where BBB sends a browser whose join failed: the logout URL with
    /// `errors=[{"key":…,"message":…}]` appended.
    pub fn join_redirect(&self, logout_url: &str) -> String {
        let errors = serde_json::json!([{ "key": self.key, "message": self.message }]);
        let sep = if logout_url.contains('?') { '&' } else { '?' };
        let encoded: String =
            form_urlencoded::byte_serialize(errors.to_string().as_bytes()).collect();
        format!("{logout_url}{sep}errors={encoded}")
    }
}

/// `<response><returncode>SUCCESS</returncode>…` to be completed by the caller.
pub fn success() -> Element {
    Element::new("response").with("returncode", "SUCCESS")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_render_in_bbbs_envelope() {
        assert_eq!(
            ApiError::checksum_error().to_element().to_document(),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<response><returncode>FAILED</returncode><messageKey>checksumError</messageKey><message>Checksums do not match</message></response>"
        );
    }

    #[test]
    fn join_errors_become_a_redirect_with_a_json_errors_list() {
        let url = ApiError::not_found().join_redirect("https://gl.example.org/rooms?x=1");
        assert!(url.starts_with("https://gl.example.org/rooms?x=1&errors="));
        let (_, q) = url.split_once("errors=").unwrap();
        let decoded: String = form_urlencoded::parse(format!("e={q}").as_bytes())
            .next()
            .unwrap()
            .1
            .into_owned();
        let v: serde_json::Value = serde_json::from_str(&decoded).unwrap();
        assert_eq!(v[0]["key"], "notFound");
    }
}
