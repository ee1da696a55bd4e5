//! Content hashes for incremental rebuilds: `serve` re-renders a page only when the hash of
//! everything that page shows has changed. Collisions would only cost a stale preview page,
//! never a wrong `build` (which renders everything).

use std::hash::{DefaultHasher, Hash, Hasher};

/// Hash of one value.
pub fn of<T: Hash + ?Sized>(value: &T) -> u64 {
    let mut h = DefaultHasher::new();
    value.hash(&mut h);
    h.finish()
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
