//! The portal's logins, signed-in sessions and one-time links. Only
//! hashes are stored: a password as its argon2id PHC string (made by the
//! caller), a session cookie and a link token as their SHA-256. A link is
//! used up by the one statement that reads it, so two instances cannot
//! both honour it.

use serde_json::json;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::audit::{Act, Change};
use crate::people::{Person, token_hash};
use crate::{Result, Store, StoreError, found};

/// Who a login belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoginOwner {
    Person(Person),
    /// An operator, by the label the audit log names them with.
    Operator(String),
}

/// A login as the portal checks it.
#[derive(Clone, PartialEq, Eq)]
pub struct Login {
    pub id: i64,
    pub email: String,
    pub owner: LoginOwner,
    pub password_hash: Option<String>,
    /// Base32; operators must have one.
    pub totp_secret: Option<String>,
    /// Failed attempts in the window that began at `failures_since`.
    pub failures: i64,
    pub failures_since: i64,
}

impl std::fmt::Debug for Login {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Login")
            .field("id", &self.id)
            .field("email", &self.email)
            .field("owner", &self.owner)
            .field(
                "password_hash",
                &self.password_hash.as_ref().map(|_| "<redacted>"),
            )
            .field(
                "totp_secret",
                &self.totp_secret.as_ref().map(|_| "<redacted>"),
            )
            .finish()
    }
}

/// A signed-in browser.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub login: Login,
    /// Every form of the session carries it.
    pub csrf_token: String,
    /// Whether the second factor was given (or none was needed).
    pub second_factor: bool,
    pub expires_at: i64,
}

/// What a used one-time link gives: whose it was and where it leads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsedLink {
    pub login_id: i64,
    pub next_path: String,
}

macro_rules! login_select {
    () => {
        "SELECT l.id AS login_id, l.email AS login_email, l.operator, \
     l.password_hash, l.totp_secret, l.failures, l.failures_since, \
     p.id AS person_id, p.name, p.display_name, p.email AS person_email \
     FROM logins l LEFT JOIN people p ON p.id = l.person_id"
    };
}

fn login_from(r: &AnyRow) -> Result<Login> {
    let operator: Option<String> = r.try_get("operator")?;
    let person_id: Option<i64> = r.try_get("person_id")?;
    let owner = match (operator, person_id) {
        (Some(label), _) => LoginOwner::Operator(label),
        (None, Some(id)) => LoginOwner::Person(Person {
            id,
            name: r.try_get("name")?,
            display_name: r.try_get("display_name")?,
            email: r.try_get("person_email")?,
        }),
        (None, None) => {
            return Err(StoreError::Corrupt(
                "a login belongs to neither a person nor an operator".into(),
            ));
        }
    };
    Ok(Login {
        id: r.try_get("login_id")?,
        email: r.try_get("login_email")?,
        owner,
        password_hash: r.try_get("password_hash")?,
        totp_secret: r.try_get("totp_secret")?,
        failures: r.try_get("failures")?,
        failures_since: r.try_get("failures_since")?,
    })
}

/// How the audit log names a login.
fn login_subject(owner: &LoginOwner) -> String {
    match owner {
        LoginOwner::Person(p) => format!("person:{}", p.name),
        LoginOwner::Operator(label) => format!("operator:{label}"),
    }
}

impl Store {
    /// Creates the login of a person or an operator, or updates its e-mail
    /// and password when it exists. The audit entry says a password was
    /// set, never what it hashes to.
    pub async fn set_login(
        &self,
        email: &str,
        owner: &LoginOwner,
        password_hash: &str,
        act: &Act,
    ) -> Result<Login> {
        let (person_id, operator) = match owner {
            LoginOwner::Person(p) => (Some(p.id), None),
            LoginOwner::Operator(label) => (None, Some(label.as_str())),
        };
        let mut tx = self.begin_audited().await?;
        let updated = sqlx::query(
            "UPDATE logins SET email = $1, password_hash = $2, failures = 0 \
             WHERE person_id = $3 OR operator = $4",
        )
        .bind(email)
        .bind(password_hash)
        .bind(person_id)
        .bind(operator)
        .execute(&mut *tx)
        .await
        .map_err(|e| StoreError::from_insert(e, format!("a login with e-mail {email:?}")))?;
        if updated.rows_affected() == 0 {
            sqlx::query(
                "INSERT INTO logins (email, person_id, operator, password_hash, created_at) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(email)
            .bind(person_id)
            .bind(operator)
            .bind(password_hash)
            .bind(act.at_ms)
            .execute(&mut *tx)
            .await
            .map_err(|e| StoreError::from_insert(e, format!("a login with e-mail {email:?}")))?;
        }
        let change = Change {
            kind: "login.password",
            subject: login_subject(owner),
            detail: json!({"email": email}),
        };
        Self::commit_audited(tx, act, change).await?;
        self.login_by_email(email)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("login {email:?}")))
    }

    pub async fn login_by_email(&self, email: &str) -> Result<Option<Login>> {
        sqlx::query(concat!(
            login_select!(),
            " WHERE lower(l.email) = lower($1)"
        ))
        .bind(email)
        .fetch_optional(&self.pool)
        .await?
        .as_ref()
        .map(login_from)
        .transpose()
    }

    pub async fn login(&self, id: i64) -> Result<Login> {
        sqlx::query(concat!(login_select!(), " WHERE l.id = $1"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .as_ref()
            .map(login_from)
            .transpose()?
            .ok_or_else(|| StoreError::NotFound(format!("login {id}")))
    }

    /// The login of a person, if they have one.
    pub async fn login_of_person(&self, person_id: i64) -> Result<Option<Login>> {
        sqlx::query(concat!(login_select!(), " WHERE l.person_id = $1"))
            .bind(person_id)
            .fetch_optional(&self.pool)
            .await?
            .as_ref()
            .map(login_from)
            .transpose()
    }

    /// Sets (or with `None` removes) the login's TOTP secret.
    pub async fn set_totp_secret(
        &self,
        login: &Login,
        secret: Option<&str>,
        act: &Act,
    ) -> Result<()> {
        let mut tx = self.begin_audited().await?;
        let done = sqlx::query("UPDATE logins SET totp_secret = $1 WHERE id = $2")
            .bind(secret)
            .bind(login.id)
            .execute(&mut *tx)
            .await?;
        found(done, || format!("login {}", login.id))?;
        let change = Change {
            kind: "login.second_factor",
            subject: login_subject(&login.owner),
            detail: json!({"enabled": secret.is_some()}),
        };
        Self::commit_audited(tx, act, change).await?;
        Ok(())
    }

    /// Counts a failed attempt in the login's window (a new window starts
    /// when the last one ended); returns the failures in the window.
    pub async fn record_login_failure(
        &self,
        login_id: i64,
        now_ms: i64,
        window_ms: i64,
    ) -> Result<i64> {
        let row = sqlx::query(
            "UPDATE logins SET \
               failures = CASE WHEN failures_since + $3 <= $2 THEN 1 ELSE failures + 1 END, \
               failures_since = CASE WHEN failures_since + $3 <= $2 THEN $2 ELSE failures_since END \
             WHERE id = $1 RETURNING failures",
        )
        .bind(login_id)
        .bind(now_ms)
        .bind(window_ms)
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("login {login_id}")))?;
        Ok(row.try_get("failures")?)
    }

    pub async fn clear_login_failures(&self, login_id: i64) -> Result<()> {
        sqlx::query("UPDATE logins SET failures = 0 WHERE id = $1")
            .bind(login_id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Stores a new session under the hash of its cookie.
    pub async fn create_session(
        &self,
        cookie: &str,
        login_id: i64,
        csrf_token: &str,
        second_factor: bool,
        (now_ms, expires_at): (i64, i64),
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO sessions (token_hash, login_id, csrf_token, second_factor, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(token_hash(cookie))
        .bind(login_id)
        .bind(csrf_token)
        .bind(i64::from(second_factor))
        .bind(now_ms)
        .bind(expires_at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The session of a cookie, unless it expired.
    pub async fn session(&self, cookie: &str, now_ms: i64) -> Result<Option<Session>> {
        let row = sqlx::query(
            "SELECT login_id, csrf_token, second_factor, expires_at FROM sessions \
             WHERE token_hash = $1 AND expires_at > $2",
        )
        .bind(token_hash(cookie))
        .bind(now_ms)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        Ok(Some(Session {
            login: self.login(row.try_get("login_id")?).await?,
            csrf_token: row.try_get("csrf_token")?,
            second_factor: row.try_get::<i64, _>("second_factor")? != 0,
            expires_at: row.try_get("expires_at")?,
        }))
    }

    /// Marks the session's second factor as given.
    pub async fn confirm_second_factor(&self, cookie: &str) -> Result<()> {
        let done = sqlx::query("UPDATE sessions SET second_factor = 1 WHERE token_hash = $1")
            .bind(token_hash(cookie))
            .execute(&self.pool)
            .await?;
        found(done, || "session".into())
    }

    pub async fn end_session(&self, cookie: &str) -> Result<()> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash(cookie))
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Ends every session of a login (after its password changed).
    pub async fn end_sessions_of(&self, login_id: i64) -> Result<()> {
        sqlx::query("DELETE FROM sessions WHERE login_id = $1")
            .bind(login_id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Stores a one-time link's token hash, for `purpose`, leading to `next_path`.
    pub async fn create_login_link(
        &self,
        token: &str,
        login_id: i64,
        purpose: &str,
        next_path: &str,
        (now_ms, expires_at): (i64, i64),
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO login_links (token_hash, login_id, purpose, next_path, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(token_hash(token))
        .bind(login_id)
        .bind(purpose)
        .bind(next_path)
        .bind(now_ms)
        .bind(expires_at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Uses up a link for `purpose` that is unused and unexpired; `None`
    /// for any other.
    pub async fn use_login_link(
        &self,
        token: &str,
        purpose: &str,
        now_ms: i64,
    ) -> Result<Option<UsedLink>> {
        let row = sqlx::query(
            "UPDATE login_links SET used_at = $3 \
             WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > $3 \
             RETURNING login_id, next_path",
        )
        .bind(token_hash(token))
        .bind(purpose)
        .bind(now_ms)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| {
            Ok(UsedLink {
                login_id: r.try_get("login_id")?,
                next_path: r.try_get("next_path")?,
            })
        })
        .transpose()
    }
}
