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
