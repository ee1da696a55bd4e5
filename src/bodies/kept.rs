//! The rendered bodies the site feeds show, kept beside the output for the next build. The
//! site feeds carry the newest episodes' bodies whole, so an edit that changes them (a body
//! or title edit of one of the newest, a new digest) made a reusing build render every one
//! of those bodies again: 50 by default, a sixth of such a build at 10,000 digests. A body
//! is known by its key (`bodies::episode_key`), which pages made from it are kept by too,
//! so one kept under the same key is the body this build would render.
//!
//! The file: a header line, the binary's id and the inputs key, one line each, then the
//! bodies (key and [`Html`]) in postcard's binary form, then the hash of those bytes (`u64`,
//! little-endian). A file that fails any check is not read: the bodies are rendered, slower,
//! never wrong. See `docs/architecture.md`, "Builds that reuse the last one".

use std::path::Path;
use std::sync::Arc;

use super::Html;
use crate::hash::FastMap;

/// The first line of the file, with its format's version.
const HEADER: &str = "castdown-feed-bodies 1";

/// The bodies a previous build kept, by key.
#[derive(Default)]
pub struct KeptBodies {
    bodies: FastMap<u64, Arc<Html>>,
}

impl KeptBodies {
    /// Reads the file at `path`, written by the binary `binary` for inputs `inputs`; none
    /// when it is missing or fails a check.
    pub fn read(path: &Path, binary: &str, inputs: u64) -> KeptBodies {
        let Ok(bytes) = std::fs::read(path) else {
            return KeptBodies::default();
        };
        let Some(([header, written_by, key], rest)) = crate::output::header_lines(&bytes) else {
            return KeptBodies::default();
        };
        if header != HEADER || written_by != binary || key != format!("{inputs:016x}") {
            return KeptBodies::default();
        }
        let Some(split) = rest.len().checked_sub(8) else {
            return KeptBodies::default();
        };
        let (body, sum) = rest.split_at(split);
        if sum != crate::hash::bytes(body).to_le_bytes() {
            return KeptBodies::default();
        }
        match postcard::from_bytes::<Vec<(u64, Html)>>(body) {
            Ok(bodies) => KeptBodies {
                bodies: bodies
                    .into_iter()
                    .map(|(key, html)| (key, Arc::new(html)))
                    .collect(),
            },
            Err(_) => KeptBodies::default(),
        }
    }

    /// The body kept under `key`.
    pub fn get(&self, key: u64) -> Option<Arc<Html>> {
        self.bodies.get(&key).cloned()
    }
}

/// Writes `bodies` (each with its key) to `path` for the binary `binary` and inputs
/// `inputs`, through a temporary file.
pub fn write(
    path: &Path,
    binary: &str,
    inputs: u64,
    bodies: &[(u64, Arc<Html>)],
) -> std::io::Result<()> {
    let listed: Vec<(u64, &Html)> = bodies.iter().map(|(k, h)| (*k, h.as_ref())).collect();
    let body = postcard::to_allocvec(&listed).map_err(std::io::Error::other)?;
    let mut bytes = format!("{HEADER}\n{binary}\n{inputs:016x}\n").into_bytes();
    bytes.extend_from_slice(&body);
    bytes.extend_from_slice(&crate::hash::bytes(&body).to_le_bytes());
    let tmp = crate::output::temporary(path);
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::markdown::TocEntry;

    fn html(n: usize) -> Arc<Html> {
        Arc::new(Html {
            html: format!("<p>body {n} é</p>"),
            toc: vec![TocEntry {
                level: 2,
                id: format!("h{n}"),
                title: format!("Heading {n}"),
            }],
            word_count: n,
        })
    }

    #[test]
    fn kept_bodies_read_back_and_refuse_what_does_not_match() {
        let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let path = tmp.path().join("bodies");
        let bodies: Vec<(u64, Arc<Html>)> = (0..3).map(|n| (n as u64 + 10, html(n))).collect();
        write(&path, "bin 1", 7, &bodies).unwrap_or_else(|e| panic!("{e}"));
        let back = KeptBodies::read(&path, "bin 1", 7);
        assert_eq!(back.bodies.len(), 3);
        for (key, h) in &bodies {
            let got = back.get(*key).unwrap_or_else(|| panic!("{key} kept"));
            assert_eq!(got.html, h.html);
            assert_eq!(got.toc, h.toc);
            assert_eq!(got.word_count, h.word_count);
        }
        assert!(back.get(99).is_none());
        // Another binary, other inputs, a missing file.
        assert!(KeptBodies::read(&path, "bin 2", 7).bodies.is_empty());
        assert!(KeptBodies::read(&path, "bin 1", 8).bodies.is_empty());
        assert!(
            KeptBodies::read(&tmp.path().join("none"), "bin 1", 7)
                .bodies
                .is_empty()
        );
        // Every byte cut off the end, and every byte changed, is refused.
        let bytes = std::fs::read(&path).unwrap_or_default();
        for end in 0..bytes.len() {
            std::fs::write(&path, &bytes[..end]).unwrap_or_else(|e| panic!("{e}"));
            assert!(
                KeptBodies::read(&path, "bin 1", 7).bodies.is_empty(),
                "cut at {end}"
            );
        }
        for at in 0..bytes.len() {
            let mut changed = bytes.clone();
            changed[at] ^= 0x41;
            std::fs::write(&path, &changed).unwrap_or_else(|e| panic!("{e}"));
            assert!(
                KeptBodies::read(&path, "bin 1", 7).bodies.is_empty(),
                "byte {at}"
            );
        }
    }
}
