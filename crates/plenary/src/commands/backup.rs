//! `plenary backup`, `restore` and `migrate --from … --to …`.

use std::path::Path;

use anyhow::Context;
use store::{Check, Store};

use crate::app::redact;

pub async fn backup(store: &Store, file: &Path) -> anyhow::Result<()> {
    let check = store.backup(file).await?;
    report(&check, &format!("Backup written to {}", file.display()))
}

/// Into SQLite the file replaces the database; into PostgreSQL its rows
/// are copied into a new, empty database.
pub async fn restore(database_url: &str, file: &Path) -> anyhow::Result<()> {
    let check = match database_url.strip_prefix("sqlite://") {
        Some(path) => {
            let path = Path::new(path.split('?').next().unwrap_or(path));
            store::restore_file(file, path).await?
        }
        None => {
            let backup = Store::connect(&format!("sqlite://{}?mode=ro", file.display()))
                .await
                .with_context(|| format!("cannot open the backup {}", file.display()))?;
            let check = backup.check().await?;
            if !check.problems.is_empty() {
                anyhow::bail!(store::CopyError::Unusable(
                    file.to_path_buf(),
                    check.problems
                ));
            }
            copy(&backup, database_url).await?;
            check
        }
    };
    report(
        &check,
        &format!("Restored {} into {}", file.display(), redact(database_url)),
    )
}

/// Copies `from` into the new database at `to`, then checks the copy.
pub async fn migrate(from_url: &str, to_url: &str) -> anyhow::Result<()> {
    let from = Store::open_existing(from_url)
        .await
        .with_context(|| format!("cannot open {}", redact(from_url)))?;
    let before = from.check().await?;
    if !before.problems.is_empty() {
        anyhow::bail!(
            "{} is not fit to move: {}",
            redact(from_url),
            before.problems.join("; ")
        );
    }
    let check = copy(&from, to_url).await?;
    if check.audit.head != before.audit.head {
        anyhow::bail!("the copy's audit head differs from the original's");
    }
    report(
        &check,
        &format!("Moved {} to {}", redact(from_url), redact(to_url)),
    )
}

async fn copy(from: &Store, to_url: &str) -> anyhow::Result<Check> {
    let to = Store::open(to_url)
        .await
        .with_context(|| format!("cannot open {}", redact(to_url)))?;
    let copied = to.copy_from(from).await?;
    let rows: u64 = copied.iter().map(|(_, n)| n).sum();
    println!("Copied {rows} rows in {} tables.", copied.len());
    Ok(to.check().await?)
}

fn report(check: &Check, done: &str) -> anyhow::Result<()> {
    if !check.problems.is_empty() {
        anyhow::bail!(
            "{done}, but it fails its check: {}",
            check.problems.join("; ")
        );
    }
    println!(
        "{done}: integrity ok, migrations applied, audit chain intact ({} entries, head {}).",
        check.audit.entries, check.audit.head
    );
    Ok(())
}
