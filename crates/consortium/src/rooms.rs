//! Links to an organisation's internal meeting room for a proposal, on the
//! co-op's own BBB fleet. A link names the proposal and the organisation
//! and carries an HMAC of both, so it cannot be guessed or moved to
//! another organisation's room; the service checks it in constant time.

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

#[derive(Clone)]
pub struct RoomLinks {
    base_url: String,
    key: Vec<u8>,
}

impl std::fmt::Debug for RoomLinks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RoomLinks")
            .field("base_url", &self.base_url)
            .finish_non_exhaustive()
    }
}

impl RoomLinks {
    /// `base_url` is Plenary's public address; `key` a secret of the service.
    pub fn new(base_url: &str, key: &[u8]) -> Self {
        Self {
            base_url: base_url.trim_end_matches('/').to_string(),
            key: key.to_vec(),
        }
    }

    fn mac(&self, proposal: i64, org: &str) -> Hmac<Sha256> {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.key).expect("HMAC takes any key length");
        mac.update(format!("room:{proposal}:{org}").as_bytes());
        mac
    }

    pub fn signature(&self, proposal: i64, org: &str) -> String {
        hex::encode(self.mac(proposal, org).finalize().into_bytes())
    }

    pub fn link(&self, proposal: i64, org: &str) -> String {
        format!(
            "{}/rooms/{proposal}/{org}/{}",
            self.base_url,
            self.signature(proposal, org)
        )
    }

    /// Whether `signature` is this service's for the room.
    pub fn verify(&self, proposal: i64, org: &str, signature: &str) -> bool {
        hex::decode(signature).is_ok_and(|sig| self.mac(proposal, org).verify_slice(&sig).is_ok())
    }

    /// The meeting ID of the room on the co-op's own tenant.
    pub fn meeting_id(proposal: i64, org: &str) -> String {
        format!("proposal-{proposal}-{org}")
    }
}

#[cfg(test)]
mod tests {
    use super::RoomLinks;

    #[test]
    fn a_room_link_opens_only_its_own_room() {
        let links = RoomLinks::new("https://coop.example/", b"k");
        let sig = links.signature(7, "alpha");
        assert!(
            links
                .link(7, "alpha")
                .starts_with("https://coop.example/rooms/7/alpha/")
        );
        assert!(links.verify(7, "alpha", &sig));
        assert!(!links.verify(7, "beta", &sig));
        assert!(!links.verify(8, "alpha", &sig));
        assert!(!links.verify(7, "alpha", "zz"));
        assert!(!RoomLinks::new("x", b"other").verify(7, "alpha", &sig));
    }
}
