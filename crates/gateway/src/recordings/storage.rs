//! Where recordings' files are kept, behind a small interface so that an
//! S3-compatible object store can stand beside the directory on disk.
//! Keys are `<record_id>/<format>/<path>`, made of checked names only.

use std::fmt;
use std::future::Future;
use std::io;
use std::path::{Path, PathBuf};
use std::pin::Pin;

use axum::body::Body;
use futures::StreamExt;
use tokio::io::AsyncReadExt;

pub type StorageFuture<'a, T> = Pin<Box<dyn Future<Output = io::Result<T>> + Send + 'a>>;

/// A stored file, ready to be sent.
pub struct Object {
    pub len: u64,
    pub body: Body,
}

pub trait Storage: Send + Sync + fmt::Debug {
    /// Keeps the local file `from` under `key`; the file may be moved.
    fn put_file<'a>(&'a self, key: &'a str, from: &'a Path) -> StorageFuture<'a, ()>;
    /// The file under `key`, if there is one.
    fn open<'a>(&'a self, key: &'a str) -> StorageFuture<'a, Option<Object>>;
    /// Removes every file whose key starts with `prefix/`.
    fn remove_prefix<'a>(&'a self, prefix: &'a str) -> StorageFuture<'a, ()>;
}

/// The default: a directory on disk.
#[derive(Debug, Clone)]
pub struct DiskStorage {
    root: PathBuf,
}

impl DiskStorage {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    /// The path of `key`; keys come from checked names, but a key that
    /// could leave the root is refused here too.
    fn path(&self, key: &str) -> io::Result<PathBuf> {
        let safe = !key.is_empty()
            && key
                .split('/')
                .all(|c| !c.is_empty() && c != "." && c != ".." && !c.contains('\\'));
        if !safe {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("{key:?} is not a storage key"),
            ));
        }
        Ok(self.root.join(key))
    }
}

/// Bytes read at a time when a file is sent.
const CHUNK: usize = 64 * 1024;

impl Storage for DiskStorage {
    fn put_file<'a>(&'a self, key: &'a str, from: &'a Path) -> StorageFuture<'a, ()> {
        Box::pin(async move {
            let to = self.path(key)?;
            if let Some(dir) = to.parent() {
                tokio::fs::create_dir_all(dir).await?;
            }
            // A rename on one file system; a copy where the staging
            // directory is elsewhere.
            if tokio::fs::rename(from, &to).await.is_err() {
                tokio::fs::copy(from, &to).await?;
                tokio::fs::remove_file(from).await?;
            }
            Ok(())
        })
    }

    fn open<'a>(&'a self, key: &'a str) -> StorageFuture<'a, Option<Object>> {
        Box::pin(async move {
            let file = match tokio::fs::File::open(self.path(key)?).await {
                Ok(f) => f,
                Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
                Err(e) => return Err(e),
            };
            let len = file.metadata().await?.len();
            let chunks = futures::stream::try_unfold(file, |mut file| async move {
                let mut buf = vec![0; CHUNK];
                let n = file.read(&mut buf).await?;
                buf.truncate(n);
                Ok::<_, io::Error>((n > 0).then(|| (axum::body::Bytes::from(buf), file)))
            });
            Ok(Some(Object {
                len,
                body: Body::from_stream(chunks.boxed()),
            }))
        })
    }

    fn remove_prefix<'a>(&'a self, prefix: &'a str) -> StorageFuture<'a, ()> {
        Box::pin(async move {
            match tokio::fs::remove_dir_all(self.path(prefix)?).await {
                Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
                _ => Ok(()),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_that_could_leave_the_root_is_refused() {
        let disk = DiskStorage::new("/srv/recordings");
        for bad in ["", "../x", "a/../../x", "a//b", "a/./b", "a\\..\\b"] {
            assert!(disk.path(bad).is_err(), "{bad:?}");
        }
        assert_eq!(
            disk.path("r-1/presentation/metadata.xml").unwrap(),
            Path::new("/srv/recordings/r-1/presentation/metadata.xml")
        );
    }
}
