//! "Did you mean": the closest of some names to a misspelled one, by the
//! same measure the checker uses, so the engine's warnings about record
//! fields suggest what the checker would suggest for the same typo.

/// The closest of `candidates` to `wanted`, if one is close enough to be a
/// typo: at most one edit per three characters (and at least one), counted
/// as Damerau–Levenshtein distance (a swap of neighbours is one edit). Of
/// equally close names the first in alphabetical order wins, so the answer
/// does not depend on the order of `candidates`.
///
/// ```
/// let facts = ["pedal_pulses", "unilateral", "ankle_pressure"];
/// assert_eq!(osler_dsl::suggest::closest("pedal_pulse", facts), Some("pedal_pulses"));
/// assert_eq!(osler_dsl::suggest::closest("temperature", facts), None);
/// ```
pub fn closest<'a>(wanted: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let length = wanted.chars().count();
    let limit = (length / 3).max(1);
    // The distance is at least the difference in length, so names too long
    // or too short are skipped unmeasured: a hostile megabyte-long field
    // name costs a count, not a quadratic comparison with every fact.
    candidates
        .into_iter()
        .filter(|candidate| candidate.chars().count().abs_diff(length) <= limit)
        .map(|candidate| (strsim::damerau_levenshtein(wanted, candidate), candidate))
        .filter(|(distance, _)| *distance <= limit)
        .min()
        .map(|(_, candidate)| candidate)
}
