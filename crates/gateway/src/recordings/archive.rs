//! Unpacks the tar archive a server uploads: one format of one recording
//! in BBB's published layout, `<format>/<record_id>/metadata.xml` and the
//! format's files beside it. Only plain files and directories with plain
//! names are taken (no links, no devices, no `..`, no absolute paths), each
//! written once inside a fresh directory, within the size limits.

use std::collections::HashSet;
use std::fs;
use std::io::{self, Read, Write};
use std::path::{Component, Path};

use tar::EntryType;

/// What an archive may hold.
#[derive(Debug, Clone, Copy)]
pub struct ArchiveLimits {
    /// Bytes of all files together.
    pub max_bytes: u64,
    pub max_files: usize,
}

/// `metadata.xml` is read whole, so it is held to a small size.
pub const MAX_METADATA_BYTES: u64 = 1024 * 1024;

/// Directories a path inside a format may nest.
const MAX_DEPTH: usize = 12;

#[derive(Debug, thiserror::Error)]
pub enum ArchiveError {
    #[error("the upload is not a readable tar archive: {0}")]
    NotTar(String),
    #[error("the archive holds no recording")]
    Empty,
    #[error("{0:?} is not a safe path: only letters, digits, '.', '-' and '_' in each name")]
    UnsafePath(String),
    #[error("{0:?} is a link or a special file; only files and directories are taken")]
    NotAFile(String),
    #[error(
        "{0:?} is outside the layout <format>/<record_id>/...; an archive holds one format of one recording"
    )]
    Layout(String),
    #[error("{0:?} appears twice in the archive")]
    Duplicate(String),
    #[error("the archive has more than {0} files")]
    TooManyFiles(usize),
    #[error("the archive's files add up to more than {0} bytes")]
    TooLarge(u64),
    #[error("the archive has no {0}/metadata.xml")]
    NoMetadata(String),
    #[error("metadata.xml is larger than {MAX_METADATA_BYTES} bytes")]
    MetadataTooLarge,
    #[error("cannot write the unpacked files: {0}")]
    Io(#[from] io::Error),
}

/// An unpacked archive: its files are under the directory it was unpacked into.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unpacked {
    pub format: String,
    pub record_id: String,
    /// Paths relative to the format's directory, with their sizes.
    pub files: Vec<(String, u64)>,
    pub metadata: Vec<u8>,
}

impl Unpacked {
    pub fn bytes(&self) -> u64 {
        self.files.iter().map(|(_, n)| n).sum()
    }
}

/// A name BBB gives its files and directories (record IDs are
/// `<sha1>-<ms>`; slides, thumbnails and media are plain names).
pub fn safe_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 255
        && !name.starts_with('.')
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'))
}

/// The names of a path inside the archive; `./` prefixes are dropped.
fn names(path: &Path, shown: &str) -> Result<Vec<String>, ArchiveError> {
    let mut out = Vec::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::Normal(n) => match n.to_str().filter(|n| safe_name(n)) {
                Some(n) => out.push(n.to_string()),
                None => return Err(ArchiveError::UnsafePath(shown.into())),
            },
            _ => return Err(ArchiveError::UnsafePath(shown.into())),
        }
    }
    Ok(out)
}

/// Unpacks `archive` into the directory `into` (which must exist and be
/// empty): the format's files land directly in it.
pub fn unpack(
    archive: impl Read,
    into: &Path,
    limits: ArchiveLimits,
) -> Result<Unpacked, ArchiveError> {
    let mut tar = tar::Archive::new(archive);
    let entries = tar
        .entries()
        .map_err(|e| ArchiveError::NotTar(e.to_string()))?;
    let mut root: Option<(String, String)> = None;
    let mut seen = HashSet::new();
    let mut files = Vec::new();
    let mut total = 0u64;
    for entry in entries {
        let mut entry = entry.map_err(|e| ArchiveError::NotTar(e.to_string()))?;
        let raw = entry
            .path()
            .map_err(|e| ArchiveError::NotTar(e.to_string()))?
            .into_owned();
        let shown = raw.to_string_lossy().into_owned();
        let kind = entry.header().entry_type();
        if matches!(
            kind,
            EntryType::XHeader | EntryType::XGlobalHeader | EntryType::GNULongName
        ) {
            continue;
        }
        let is_file = matches!(kind, EntryType::Regular | EntryType::Continuous);
        if !is_file && kind != EntryType::Directory {
            return Err(ArchiveError::NotAFile(shown));
        }
        let names = names(&raw, &shown)?;
        if names.len() > MAX_DEPTH + 2 {
            return Err(ArchiveError::UnsafePath(shown));
        }
        // The first two names are the format and the record, the same for all.
        for (i, name) in names.iter().take(2).enumerate() {
            let root = root.get_or_insert_with(|| (names[0].clone(), String::new()));
            let expected = if i == 0 { &mut root.0 } else { &mut root.1 };
            if expected.is_empty() {
                *expected = name.clone();
            } else if expected != name {
                return Err(ArchiveError::Layout(shown));
            }
        }
        if !is_file {
            continue;
        }
        if names.len() < 3 {
            return Err(ArchiveError::Layout(shown));
        }
        let relative = names[2..].join("/");
        if !seen.insert(relative.clone()) {
            return Err(ArchiveError::Duplicate(shown));
        }
        if files.len() >= limits.max_files {
            return Err(ArchiveError::TooManyFiles(limits.max_files));
        }
        let target = names[2..].iter().fold(into.to_path_buf(), |p, n| p.join(n));
        if let Some(dir) = target.parent() {
            fs::create_dir_all(dir)?;
        }
        // Never through an existing file: every name is new in a fresh directory.
        let mut out = fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&target)?;
        let left = limits.max_bytes.saturating_sub(total);
        let written = io::copy(&mut (&mut entry).take(left.saturating_add(1)), &mut out)?;
        out.flush()?;
        total += written;
        if total > limits.max_bytes {
            return Err(ArchiveError::TooLarge(limits.max_bytes));
        }
        files.push((relative, written));
    }
    let Some((format, record_id)) = root.filter(|(_, r)| !r.is_empty()) else {
        return Err(ArchiveError::Empty);
    };
    let shown = format!("{format}/{record_id}");
    let size = files
        .iter()
        .find(|(p, _)| p == "metadata.xml")
        .map(|(_, n)| *n)
        .ok_or(ArchiveError::NoMetadata(shown))?;
    if size > MAX_METADATA_BYTES {
        return Err(ArchiveError::MetadataTooLarge);
    }
    let metadata = fs::read(into.join("metadata.xml"))?;
    Ok(Unpacked {
        format,
        record_id,
        files,
        metadata,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMITS: ArchiveLimits = ArchiveLimits {
        max_bytes: 1024,
        max_files: 4,
    };

    fn tar_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let mut b = tar::Builder::new(Vec::new());
        for (path, data) in entries {
            let mut h = tar::Header::new_gnu();
            h.set_size(data.len() as u64);
            h.set_mode(0o644);
            h.set_entry_type(EntryType::Regular);
            // Written raw, so that paths the builder would refuse can be tried.
            let name = h.as_old_mut().name.as_mut();
            name[..path.len()].copy_from_slice(path.as_bytes());
            h.set_cksum();
            b.append(&h, *data).unwrap();
        }
        b.into_inner().unwrap()
    }

    fn unpack_in(archive: &[u8]) -> (Result<Unpacked, ArchiveError>, testkit::TempDir) {
        let dir = testkit::TempDir::new("archive");
        (unpack(archive, dir.path(), LIMITS), dir)
    }

    #[test]
    fn a_published_format_is_unpacked_with_its_metadata() {
        let archive = tar_of(&[
            ("presentation/r-1/metadata.xml", b"<recording/>"),
            ("./presentation/r-1/shapes.svg", b"<svg/>"),
            ("presentation/r-1/presentation/d1/slide-1.png", b"png"),
        ]);
        let (unpacked, dir) = unpack_in(&archive);
        let unpacked = unpacked.unwrap();
        assert_eq!(
            (unpacked.format.as_str(), unpacked.record_id.as_str()),
            ("presentation", "r-1")
        );
        assert_eq!(unpacked.metadata, b"<recording/>");
        assert_eq!(unpacked.bytes(), 12 + 6 + 3);
        assert_eq!(
            fs::read(dir.path().join("presentation/d1/slide-1.png")).unwrap(),
            b"png"
        );
    }

    #[test]
    fn unsafe_or_foreign_paths_are_refused() {
        for (path, want) in [
            ("presentation/r-1/../../etc/passwd", "UnsafePath"),
            ("/presentation/r-1/metadata.xml", "UnsafePath"),
            ("presentation/r-1/.hidden", "UnsafePath"),
            ("presentation/r-1/a b", "UnsafePath"),
            ("metadata.xml", "Layout"),
        ] {
            let archive = tar_of(&[("presentation/r-1/metadata.xml", b"x"), (path, b"x")]);
            let err = unpack_in(&archive).0.unwrap_err();
            assert!(format!("{err:?}").starts_with(want), "{path}: {err:?}");
        }
        let two = tar_of(&[
            ("presentation/r-1/metadata.xml", b"x"),
            ("presentation/r-2/metadata.xml", b"x"),
        ]);
        assert!(matches!(unpack_in(&two).0, Err(ArchiveError::Layout(_))));
        let other_format = tar_of(&[
            ("presentation/r-1/metadata.xml", b"x"),
            ("video/r-1/video.mp4", b"x"),
        ]);
        assert!(matches!(
            unpack_in(&other_format).0,
            Err(ArchiveError::Layout(_))
        ));
    }

    #[test]
    fn links_are_refused() {
        let mut b = tar::Builder::new(Vec::new());
        let mut h = tar::Header::new_gnu();
        h.set_entry_type(EntryType::Symlink);
        h.set_size(0);
        b.append_link(&mut h, "presentation/r-1/metadata.xml", "/etc/passwd")
            .unwrap();
        let archive = b.into_inner().unwrap();
        assert!(matches!(
            unpack_in(&archive).0,
            Err(ArchiveError::NotAFile(_))
        ));
    }

    #[test]
    fn limits_duplicates_and_missing_metadata_are_refused() {
        let big = vec![b'x'; 1025];
        let archive = tar_of(&[("presentation/r-1/metadata.xml", &big)]);
        assert!(matches!(
            unpack_in(&archive).0,
            Err(ArchiveError::TooLarge(1024))
        ));
        let many: Vec<(String, &[u8])> = (0..5)
            .map(|i| (format!("presentation/r-1/f{i}"), &b"x"[..]))
            .collect();
        let many: Vec<(&str, &[u8])> = many.iter().map(|(p, d)| (p.as_str(), *d)).collect();
        assert!(matches!(
            unpack_in(&tar_of(&many)).0,
            Err(ArchiveError::TooManyFiles(4))
        ));
        let twice = tar_of(&[
            ("presentation/r-1/metadata.xml", b"x"),
            ("presentation/r-1/metadata.xml", b"y"),
        ]);
        assert!(matches!(
            unpack_in(&twice).0,
            Err(ArchiveError::Duplicate(_))
        ));
        let none = tar_of(&[("presentation/r-1/shapes.svg", b"x")]);
        assert!(matches!(
            unpack_in(&none).0,
            Err(ArchiveError::NoMetadata(_))
        ));
        assert!(matches!(unpack_in(&[]).0, Err(ArchiveError::Empty)));
        assert!(matches!(
            unpack_in(&[7u8; 1024]).0,
            Err(ArchiveError::NotTar(_))
        ));
    }
}
