//! Content hashes for incremental rebuilds: `serve` re-renders a page only when the hash of
//! everything that page shows has changed, and a build keeps the previous build's page, or
//! its counted search words, on the same grounds (`docs/architecture.md`).

use std::hash::{DefaultHasher, Hash, Hasher};

/// Hash of one value.
pub fn of<T: Hash + ?Sized>(value: &T) -> u64 {
    let mut h = DefaultHasher::new();
    value.hash(&mut h);
    h.finish()
}

/// A hash of a whole text (aHash with fixed keys): fast enough to run over every digest's
/// body at load, where SipHash costs a percent of a build. Its values meet only values made
/// by the same binary (a build's record names the binary that wrote it). Beware the keys:
/// aHash mixes them with constants of its own (the digits of pi), and keys equal to those
/// made every hash 0 (see the test below).
pub fn bytes(b: &[u8]) -> u64 {
    use std::hash::Hasher as _;
    let mut h = fixed();
    h.write(b);
    h.write_usize(b.len());
    h.finish()
}

/// A hash of one value with the hasher of [`bytes`]: several times cheaper than [`of`] on
/// values that are mostly text, for fingerprints of what a file is made from (the same
/// rule holds: its values meet only values made by the same binary).
pub fn fast<T: Hash + ?Sized>(value: &T) -> u64 {
    let mut h = fixed();
    value.hash(&mut h);
    h.finish()
}

/// The hasher of [`bytes`], to hash several texts in turn without first copying them
/// into one buffer (the same rule holds: its values meet only values made by the same
/// binary).
pub fn stream() -> impl Hasher {
    fixed()
}

/// aHash with the fixed keys of [`bytes`].
fn fixed() -> ahash::AHasher {
    use std::hash::BuildHasher;
    ahash::RandomState::with_seeds(
        0x9c1f_5d3a_7e26_b481,
        0x62d8_0b94_f3a7_1e5c,
        0x1b7e_c4f0_8d59_a263,
        0xd04a_93e6_27cb_f815,
    )
    .build_hasher()
}

/// Where [`fold`] starts.
pub const FOLD_START: u64 = 0x6a09_e667_f3bc_c908;

/// Adds one part's hash to a checksum of parts in order (`hashes.fold(FOLD_START, fold)`):
/// the files a build keeps for the next are checked part by part, so they can be hashed in
/// parallel and written as the parts are made.
pub fn fold(acc: u64, hash: u64) -> u64 {
    acc.rotate_left(7) ^ hash
}

/// Combines hashes in order.
#[derive(Default)]
pub struct Combine(DefaultHasher);

impl Combine {
    /// A fresh combination, seeded with a label so different kinds of page never match.
    pub fn new(label: &str) -> Self {
        let mut c = Combine(DefaultHasher::new());
        c.add(label);
        c
    }

    /// Adds a value.
    pub fn add<T: Hash + ?Sized>(&mut self, value: &T) -> &mut Self {
        value.hash(&mut self.0);
        self
    }

    /// The combined hash.
    pub fn finish(&self) -> u64 {
        self.0.finish()
    }
}

/// FNV-1a (64-bit) for hash maps keyed by short strings on hot paths (search terms): several
/// times cheaper than the default SipHash there. Its keys come from the site's own files, so
/// hash flooding is not a concern.
#[derive(Clone, Copy)]
pub struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl Hasher for Fnv {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// A `HashMap` hashing with aHash, for maps keyed by paths on every build's path (the
/// previous build's files, the kept digests, folders): SipHash over tens of thousands of
/// paths was a few percent of a build that changed nothing. Keys come from the site's own
/// files; no output depends on a map's order.
pub type FastMap<K, V> = std::collections::HashMap<K, V, ahash::RandomState>;

/// A `HashMap` hashing with [`Fnv`].
pub type FnvMap<K, V> = std::collections::HashMap<K, V, std::hash::BuildHasherDefault<Fnv>>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv_matches_the_reference_values() {
        // Reference values of 64-bit FNV-1a.
        let h = |s: &str| {
            let mut f = Fnv::default();
            f.write(s.as_bytes());
            f.finish()
        };
        assert_eq!(h(""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(h("a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(h("foobar"), 0x8594_4171_f739_67e8);
    }
}
#[cfg(test)]
mod bytes_tests {
    /// The keys first chosen for [`super::bytes`] were aHash's own constants, which cancel
    /// out: every text hashed to 0, so a build took an edited body for the one it had and
    /// kept its old page.
    #[test]
    fn regression_the_text_hash_was_zero_for_every_text() {
        let hashes = [
            super::bytes(b""),
            super::bytes(b"abc"),
            super::bytes(b"abd"),
            super::bytes(&[7; 10_000]),
            super::bytes(&[7; 10_001]),
        ];
        for (i, a) in hashes.iter().enumerate() {
            assert_ne!(*a, 0, "text {i}");
            for b in &hashes[i + 1..] {
                assert_ne!(a, b);
            }
        }
    }
}
