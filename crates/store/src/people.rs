//! People with accounts, the organisations they represent, and the bearer
//! tokens they (and operators) use on the JSON API. Tokens are stored as
//! SHA-256 hashes: the token itself is shown once, when it is made, and
//! lists name a token by a short public ID, a prefix of its hash.

use rand::RngCore;
use serde_json::json;
use sha2::{Digest, Sha256};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::audit::{Act, Change};
use crate::register::org_subject;
use crate::vocabulary::Role;
use crate::{Result, Store, StoreError, found};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    pub id: i64,
    pub name: String,
    pub display_name: String,
    pub email: String,
}

/// A person's place in an organisation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Representative {
    pub org_id: i64,
    pub org: String,
    pub person: Person,
    pub role: Role,
}

/// Who a bearer token speaks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenOwner {
    Operator { label: String },
    Person(Person),
}

/// A token as its owner and operators see it: never the token itself,
/// nor its full hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenInfo {
    /// The first [`TOKEN_ID_LEN`] hex digits of the token's hash, as the
    /// audit log names it.
    pub id: String,
    /// The person it speaks for; `None` for an operator's token.
    pub person: Option<String>,
    /// What the token is for; an operator's token names the operator.
    pub label: String,
    pub created_at: i64,
    pub revoked_at: Option<i64>,
    pub scope: TokenScope,
}

/// What a token lets its holder do, within what its owner may.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TokenScope {
    pub read_only: bool,
    /// Limited to this organisation's things.
    pub organisation: Option<String>,
}

/// An unrevoked token: whom it speaks for, and how far.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    pub owner: TokenOwner,
    pub scope: TokenScope,
}

/// A token just made: the only time the token itself is at hand.
pub struct IssuedToken {
    pub token: String,
    pub info: TokenInfo,
}

impl std::fmt::Debug for IssuedToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IssuedToken")
            .field("token", &"<redacted>")
            .field("info", &self.info)
            .finish()
    }
}

/// How many hex digits of a token's hash make its public ID: 48 bits, kept
/// unique when tokens are stored.
pub const TOKEN_ID_LEN: usize = 12;

/// What a token is stored as.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// A token's public ID.
pub fn token_id(token: &str) -> String {
    token_hash(token)[..TOKEN_ID_LEN].to_string()
}

/// A new random token: 192 bits, with a prefix that makes it easy to spot
/// (and to scan for) where it should not be.
pub fn new_token() -> String {
    let mut bytes = [0u8; 24];
    rand::rng().fill_bytes(&mut bytes);
    format!("pl_{}", hex::encode(bytes))
}

/// How the audit log names a token's owner.
fn token_subject(person: Option<&str>) -> String {
    person.map_or_else(|| "operators".to_string(), |p| format!("person:{p}"))
}

/// A token's public ID in SQL: the first [`TOKEN_ID_LEN`] digits of its hash.
macro_rules! public_id {
    () => {
        "substr(t.token_hash, 1, 12)"
    };
}
const PUBLIC_ID: &str = public_id!();

const TOKEN_SELECT: &str = concat!(
    "SELECT t.id AS row_id, ",
    public_id!(),
    " AS public_id, p.name AS person, t.label, t.created_at, t.revoked_at, t.read_only, o.name AS org \
     FROM api_tokens t LEFT JOIN people p ON p.id = t.person_id LEFT JOIN organisations o ON o.id = t.org_id"
);

fn token_from(r: &AnyRow) -> Result<TokenInfo> {
    Ok(TokenInfo {
        id: r.try_get("public_id")?,
        person: r.try_get("person")?,
        label: r.try_get("label")?,
        created_at: r.try_get("created_at")?,
        revoked_at: r.try_get("revoked_at")?,
        scope: scope_from(r)?,
    })
}

fn scope_from(r: &AnyRow) -> Result<TokenScope> {
    Ok(TokenScope {
        read_only: r.try_get::<i64, _>("read_only")? != 0,
        organisation: r.try_get("org")?,
    })
}

pub(crate) fn person_from(r: &AnyRow) -> Result<Person> {
    Ok(Person {
        id: r.try_get("id")?,
        name: r.try_get("name")?,
        display_name: r.try_get("display_name")?,
        email: r.try_get("email")?,
    })
}

fn representative_from(r: &AnyRow) -> Result<Representative> {
    Ok(Representative {
        org_id: r.try_get("org_id")?,
        org: r.try_get("org")?,
        role: Role::read(
            &r.try_get::<String, _>("role")?,
            format_args!(
                "the role of {} in {}",
                r.try_get::<String, _>("name")?,
                r.try_get::<String, _>("org")?
            ),
        )?,
        person: person_from(r)?,
    })
}

const REPRESENTATIVE_SELECT: &str = "SELECT r.org_id, o.name AS org, r.role, p.id, p.name, p.display_name, p.email \
    FROM representatives r JOIN people p ON p.id = r.person_id JOIN organisations o ON o.id = r.org_id";

impl Store {
    pub async fn add_person(
        &self,
        name: &str,
        display_name: &str,
        email: &str,
        act: &Act,
    ) -> Result<Person> {
        let mut tx = self.begin_audited().await?;
        let row = sqlx::query(
            "INSERT INTO people (name, display_name, email, created_at) VALUES ($1, $2, $3, $4) \
             RETURNING id, name, display_name, email",
        )
        .bind(name)
        .bind(display_name)
        .bind(email)
        .bind(act.at_ms)
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| StoreError::from_insert(e, format!("person {name:?}")))?;
        let person = person_from(&row)?;
        let change = Change {
            kind: "person.add",
            subject: format!("person:{name}"),
            detail: json!({"display_name": display_name, "email": email}),
        };
        Self::commit_audited(tx, act, change).await?;
        Ok(person)
    }

    pub async fn person(&self, name: &str) -> Result<Person> {
        sqlx::query("SELECT id, name, display_name, email FROM people WHERE name = $1")
            .bind(name)
            .fetch_optional(&self.pool)
            .await?
            .as_ref()
            .map(person_from)
            .transpose()?
            .ok_or_else(|| StoreError::NotFound(format!("person {name:?}")))
    }

    pub async fn people(&self) -> Result<Vec<Person>> {
        sqlx::query("SELECT id, name, display_name, email FROM people ORDER BY name")
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(person_from)
            .collect()
    }

    /// Gives a person a role in an organisation. A new delegate takes the
    /// place of the previous one, who stays on as a deputy.
    pub async fn set_representative(
        &self,
        org: &str,
        person: &str,
        role: &str,
        act: &Act,
    ) -> Result<()> {
        let mut tx = self.begin_audited().await?;
        let org_id: i64 = sqlx::query_scalar("SELECT id FROM organisations WHERE name = $1")
            .bind(org)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("organisation {org:?}")))?;
        let person_id: i64 = sqlx::query_scalar("SELECT id FROM people WHERE name = $1")
            .bind(person)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("person {person:?}")))?;
        if role == "delegate" {
            sqlx::query(
                "UPDATE representatives SET role = 'deputy' WHERE org_id = $1 AND role = 'delegate' AND person_id <> $2",
            )
            .bind(org_id)
            .bind(person_id)
            .execute(&mut *tx)
            .await?;
        }
        sqlx::query(
            "INSERT INTO representatives (org_id, person_id, role) VALUES ($1, $2, $3) \
             ON CONFLICT (org_id, person_id) DO UPDATE SET role = excluded.role",
        )
        .bind(org_id)
        .bind(person_id)
        .bind(role)
        .execute(&mut *tx)
        .await?;
        let change = Change {
            kind: "representative.set",
            subject: org_subject(org),
            detail: json!({"person": person, "role": role}),
        };
        Self::commit_audited(tx, act, change).await?;
        Ok(())
    }

    pub async fn remove_representative(&self, org: &str, person: &str, act: &Act) -> Result<()> {
        let mut tx = self.begin_audited().await?;
        let done = sqlx::query(
            "DELETE FROM representatives WHERE org_id = (SELECT id FROM organisations WHERE name = $1) \
             AND person_id = (SELECT id FROM people WHERE name = $2)",
        )
        .bind(org)
        .bind(person)
        .execute(&mut *tx)
        .await?;
        found(done, || format!("{person:?} representing {org:?}"))?;
        let change = Change {
            kind: "representative.remove",
            subject: org_subject(org),
            detail: json!({"person": person}),
        };
        Self::commit_audited(tx, act, change).await?;
        Ok(())
    }

    /// An organisation's representatives, delegate first.
    pub async fn representatives(&self, org_id: i64) -> Result<Vec<Representative>> {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "{REPRESENTATIVE_SELECT} WHERE r.org_id = $1 \
             ORDER BY CASE r.role WHEN 'delegate' THEN 0 WHEN 'deputy' THEN 1 ELSE 2 END, p.name"
        )))
        .bind(org_id)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(representative_from)
        .collect()
    }

    /// Every person's every role, by organisation and then person.
    pub async fn all_representatives(&self) -> Result<Vec<Representative>> {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "{REPRESENTATIVE_SELECT} ORDER BY o.name, p.name"
        )))
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(representative_from)
        .collect()
    }

    /// The organisations a person represents, and in which role.
    pub async fn roles_of(&self, person_id: i64) -> Result<Vec<Representative>> {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "{REPRESENTATIVE_SELECT} WHERE r.person_id = $1 ORDER BY o.name"
        )))
        .bind(person_id)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(representative_from)
        .collect()
    }

    /// Stores a new token (by its hash) for a person, or for an operator
    /// when `person` is `None`.
    pub async fn add_token(
        &self,
        token: &str,
        person: Option<&str>,
        label: &str,
        act: &Act,
    ) -> Result<TokenInfo> {
        self.add_scoped_token(token, person, label, &TokenScope::default(), act)
            .await
    }

    /// Stores a new token of a narrower scope than its owner's.
    pub async fn add_scoped_token(
        &self,
        token: &str,
        person: Option<&str>,
        label: &str,
        scope: &TokenScope,
        act: &Act,
    ) -> Result<TokenInfo> {
        let mut tx = self.begin_audited().await?;
        let org_id: Option<i64> = match &scope.organisation {
            Some(o) => Some(
                sqlx::query_scalar("SELECT id FROM organisations WHERE name = $1")
                    .bind(o)
                    .fetch_optional(&mut *tx)
                    .await?
                    .ok_or_else(|| StoreError::NotFound(format!("organisation {o:?}")))?,
            ),
            None => None,
        };
        let person_id: Option<i64> = match person {
            Some(p) => Some(
                sqlx::query_scalar("SELECT id FROM people WHERE name = $1")
                    .bind(p)
                    .fetch_optional(&mut *tx)
                    .await?
                    .ok_or_else(|| StoreError::NotFound(format!("person {p:?}")))?,
            ),
            None => None,
        };
        let hash = token_hash(token);
        let id = &hash[..TOKEN_ID_LEN];
        // The public ID names one token, so revoking by it never hits another.
        let taken: Option<i64> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT t.id FROM api_tokens t WHERE {PUBLIC_ID} = $1"
        )))
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?;
        if taken.is_some() {
            return Err(StoreError::Conflict("a token with the same ID".into()));
        }
        sqlx::query(
            "INSERT INTO api_tokens (token_hash, person_id, operator, label, created_at, read_only, org_id) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&hash)
        .bind(person_id)
        .bind(i64::from(person.is_none()))
        .bind(label)
        .bind(act.at_ms)
        .bind(i64::from(scope.read_only))
        .bind(org_id)
        .execute(&mut *tx)
        .await
        .map_err(|e| StoreError::from_insert(e, "token"))?;
        let change = Change {
            kind: "token.add",
            subject: token_subject(person),
            detail: json!({"label": label, "token": id, "read_only": scope.read_only, "organisation": scope.organisation}),
        };
        Self::commit_audited(tx, act, change).await?;
        Ok(TokenInfo {
            id: id.to_string(),
            person: person.map(str::to_string),
            label: label.to_string(),
            created_at: act.at_ms,
            revoked_at: None,
            scope: scope.clone(),
        })
    }

    /// Makes and stores a new token, returned this once.
    pub async fn issue_token(
        &self,
        person: Option<&str>,
        label: &str,
        act: &Act,
    ) -> Result<IssuedToken> {
        self.issue_scoped_token(person, label, &TokenScope::default(), act)
            .await
    }

    /// Makes and stores a new token of a narrower scope, returned this once.
    pub async fn issue_scoped_token(
        &self,
        person: Option<&str>,
        label: &str,
        scope: &TokenScope,
        act: &Act,
    ) -> Result<IssuedToken> {
        let token = new_token();
        let info = self
            .add_scoped_token(&token, person, label, scope, act)
            .await?;
        Ok(IssuedToken { token, info })
    }

    /// Every token, revoked ones too, oldest first.
    pub async fn tokens(&self) -> Result<Vec<TokenInfo>> {
        sqlx::query(sqlx::AssertSqlSafe(format!("{TOKEN_SELECT} ORDER BY t.id")))
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(token_from)
            .collect()
    }

    /// A person's tokens, revoked ones too, oldest first.
    pub async fn tokens_of(&self, person_id: i64) -> Result<Vec<TokenInfo>> {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "{TOKEN_SELECT} WHERE t.person_id = $1 ORDER BY t.id"
        )))
        .bind(person_id)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(token_from)
        .collect()
    }

    /// The token with this public ID.
    pub async fn token(&self, id: &str) -> Result<TokenInfo> {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "{TOKEN_SELECT} WHERE {PUBLIC_ID} = $1"
        )))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?
        .as_ref()
        .map(token_from)
        .transpose()?
        .ok_or_else(|| StoreError::NotFound(format!("token {id:?}")))
    }

    /// Who an unrevoked token belongs to. The lookup is by hash, so the
    /// comparison never touches the token itself.
    pub async fn token_owner(&self, token: &str) -> Result<Option<TokenOwner>> {
        Ok(self.token_grant(token).await?.map(|g| g.owner))
    }

    /// What an unrevoked token grants: its owner and its scope.
    pub async fn token_grant(&self, token: &str) -> Result<Option<Grant>> {
        let row = sqlx::query(
            "SELECT t.operator, t.label, t.read_only, o.name AS org, p.id, p.name, p.display_name, p.email \
             FROM api_tokens t LEFT JOIN people p ON p.id = t.person_id \
             LEFT JOIN organisations o ON o.id = t.org_id \
             WHERE t.token_hash = $1 AND t.revoked_at IS NULL",
        )
        .bind(token_hash(token))
        .fetch_optional(&self.pool)
        .await?;
        let Some(r) = row else { return Ok(None) };
        let owner = if r.try_get::<i64, _>("operator")? != 0 {
            TokenOwner::Operator {
                label: r.try_get("label")?,
            }
        } else {
            TokenOwner::Person(person_from(&r)?)
        };
        Ok(Some(Grant {
            owner,
            scope: scope_from(&r)?,
        }))
    }

    /// Revokes a token, given the token itself.
    pub async fn revoke_token(&self, token: &str, act: &Act) -> Result<()> {
        self.revoke_where("t.token_hash", &token_hash(token), act)
            .await
    }

    /// Revokes a token, given its public ID.
    pub async fn revoke_token_by_id(&self, id: &str, act: &Act) -> Result<()> {
        self.revoke_where(PUBLIC_ID, id, act).await
    }

    /// Revokes the unrevoked token whose `key` (an SQL expression) is `value`.
    async fn revoke_where(&self, key: &'static str, value: &str, act: &Act) -> Result<()> {
        let mut tx = self.begin_audited().await?;
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{TOKEN_SELECT} WHERE {key} = $1 AND t.revoked_at IS NULL"
        )))
        .bind(value)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| StoreError::NotFound("an unrevoked token".into()))?;
        let row_id: i64 = row.try_get("row_id")?;
        let info = token_from(&row)?;
        sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE id = $2")
            .bind(act.at_ms)
            .bind(row_id)
            .execute(&mut *tx)
            .await?;
        let change = Change {
            kind: "token.revoke",
            subject: token_subject(info.person.as_deref()),
            detail: json!({"token": info.id}),
        };
        Self::commit_audited(tx, act, change).await?;
        Ok(())
    }
}
