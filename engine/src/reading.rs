//! What reading a record takes besides its text, and what it reports
//! besides the record: [`ReadOptions`] and [`UnknownFields`]. Shared by the
//! JSON and CSV readers and the batch driver, so it imports none of them.

use std::collections::BTreeMap;

/// How records are read.
///
/// ```
/// let strict = osler_engine::ReadOptions::default().strict(true);
/// assert!(strict.strict);
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
#[non_exhaustive]
pub struct ReadOptions {
    /// Reject records with field names that are not facts of the ruleset
    /// (by default they are counted and ignored).
    pub strict: bool,
}

impl ReadOptions {
    /// These options with strict reading on or off.
    #[must_use]
    pub fn strict(mut self, strict: bool) -> ReadOptions {
        self.strict = strict;
        self
    }
}

/// Field names a run met that are not facts of the ruleset, with counts.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct UnknownFields {
    /// Each name, with how often it occurred.
    pub counts: BTreeMap<String, u64>,
}

impl UnknownFields {
    pub(crate) fn note(&mut self, name: &str) {
        match self.counts.get_mut(name) {
            Some(count) => *count += 1,
            None => {
                self.counts.insert(name.to_owned(), 1);
            }
        }
    }

    pub(crate) fn merge(&mut self, other: &mut UnknownFields) {
        for (name, count) in std::mem::take(&mut other.counts) {
            *self.counts.entry(name).or_insert(0) += count;
        }
    }

    /// Occurrences over all names.
    pub fn total(&self) -> u64 {
        self.counts.values().sum()
    }
}
