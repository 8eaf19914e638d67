//! Who did something, as a page names them. The audit log and the
//! proposals record actors by ID (`person:ada`, `operator:ops`); people
//! reading a page know each other by name.

use std::collections::HashMap;

use store::{Store, StoreError};

/// The register's people by handle, to name actors with.
pub struct Names(HashMap<String, String>);

impl Names {
    pub async fn of_people(store: &Store) -> Result<Self, StoreError> {
        Ok(Self(
            store
                .people()
                .await?
                .into_iter()
                .map(|p| (p.name, p.display_name))
                .collect(),
        ))
    }

    /// A person's name, an operator's label marked as such, or the ID as
    /// it is for anything else (a service of Plenary's own).
    pub fn name(&self, actor: &str) -> String {
        match actor.split_once(':') {
            Some(("person", handle)) => self.0.get(handle).map_or(handle, String::as_str).into(),
            Some(("operator", label)) => format!("{label} (operator)"),
            _ => actor.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names() -> Names {
        Names(HashMap::from([("ada".into(), "Ada Lovelace".into())]))
    }

    #[test]
    fn a_person_is_named_by_their_name_and_an_operator_by_their_label() {
        assert_eq!(names().name("person:ada"), "Ada Lovelace");
        assert_eq!(names().name("operator:ops"), "ops (operator)");
    }

    #[test]
    fn a_person_no_longer_in_the_register_keeps_their_handle() {
        assert_eq!(names().name("person:gone"), "gone");
        assert_eq!(names().name("poller"), "poller");
    }
}
