//! The demo's portal logins: an operator (with a TOTP secret, as every
//! operator's login has), an organisation admin and a delegate, each with
//! a fresh password printed once at start.

use consortium::{Actor, Consortium, OperatorName};
use store::LoginOwner;
use web::portal::credentials::random_token;

use crate::commands::person::set_login;

/// One demo login, as the welcome message prints it.
pub struct DemoLogin {
    pub role: &'static str,
    pub email: String,
    pub password: String,
    pub totp_secret: Option<String>,
}

/// `org` gets an admin; `delegate` is the person name of one of the
/// seeded delegates.
pub async fn create(c: &Consortium, org: &str, delegate: &str) -> anyhow::Result<Vec<DemoLogin>> {
    let act = super::demo_act;
    let admin = format!("{org}-admin");
    let admin_email = format!("admin@{org}.example");
    c.store()
        .add_person(&admin, &format!("Admin of {org}"), &admin_email, &act())
        .await?;
    c.store()
        .set_representative(org, &admin, "admin", &act())
        .await?;
    let delegate = c.store().person(delegate).await?;
    let owners = [
        (
            "operator",
            "operator@plenary.example".to_owned(),
            LoginOwner::Operator("demo".into()),
        ),
        (
            "organisation admin",
            admin_email,
            LoginOwner::Person(c.store().person(&admin).await?),
        ),
        (
            "delegate",
            delegate.email.clone(),
            LoginOwner::Person(delegate),
        ),
    ];
    // The demo's own operator sets the logins, as `plenary person
    // set-password` would.
    let demo = Actor::operator(OperatorName::new("demo")?);
    let by = c.by(&demo, crate::commands::now_ms());
    let mut logins = Vec::new();
    for (role, email, owner) in owners {
        let password = random_token()[..16].to_owned();
        let operator = matches!(owner, LoginOwner::Operator(_));
        let totp_secret = set_login(&by, &email, &owner, &password, operator).await?;
        logins.push(DemoLogin {
            role,
            email,
            password,
            totp_secret,
        });
    }
    Ok(logins)
}
