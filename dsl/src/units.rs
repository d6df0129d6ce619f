//! The units of measure and of time the language knows, each list spelled
//! once: the grammar's unit rules, the lexer, the error messages, the
//! editor's completions and the engine's record readers all derive from
//! these enums.

use std::fmt;

/// A unit of measure for quantities. Serialises as written (`mmHg`).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, PartialOrd, Ord)]
pub enum Unit {
    /// Millimetres of mercury, `mmHg`.
    MmHg,
    /// Per cent, `%`.
    Percent,
    /// Kilograms, `kg`.
    Kg,
    /// Grams, `g`.
    G,
    /// Milligrams, `mg`.
    Mg,
    /// Micrograms, `mcg`.
    Mcg,
    /// Centimetres, `cm`.
    Cm,
    /// Millimetres, `mm`.
    Mm,
    /// Years of age, `years`.
    Years,
    /// Beats per minute, `bpm`.
    Bpm,
    /// Millilitres, `mL`.
    Ml,
    /// Litres, `L`.
    L,
    /// Millimoles per litre, `mmol_L`.
    MmolPerL,
    /// Milligrams per decilitre, `mg_dL`.
    MgPerDl,
    /// Picograms per millilitre, `pg_mL`.
    PgPerMl,
    /// Nanograms per millilitre, `ng_mL`.
    NgPerMl,
}

impl Unit {
    /// Every unit, in the order messages and completions list them.
    pub const ALL: [Unit; 16] = [
        Unit::MmHg,
        Unit::Percent,
        Unit::Kg,
        Unit::G,
        Unit::Mg,
        Unit::Mcg,
        Unit::Cm,
        Unit::Mm,
        Unit::Years,
        Unit::Bpm,
        Unit::Ml,
        Unit::L,
        Unit::MmolPerL,
        Unit::MgPerDl,
        Unit::PgPerMl,
        Unit::NgPerMl,
    ];

    /// The unit as written in source and in output.
    pub fn as_str(self) -> &'static str {
        match self {
            Unit::MmHg => "mmHg",
            Unit::Percent => "%",
            Unit::Kg => "kg",
            Unit::G => "g",
            Unit::Mg => "mg",
            Unit::Mcg => "mcg",
            Unit::Cm => "cm",
            Unit::Mm => "mm",
            Unit::Years => "years",
            Unit::Bpm => "bpm",
            Unit::Ml => "mL",
            Unit::L => "L",
            Unit::MmolPerL => "mmol_L",
            Unit::MgPerDl => "mg_dL",
            Unit::PgPerMl => "pg_mL",
            Unit::NgPerMl => "ng_mL",
        }
    }

    /// The unit written `text` exactly, if there is one.
    pub fn parse(text: &str) -> Option<Unit> {
        Unit::ALL.into_iter().find(|unit| unit.as_str() == text)
    }

    /// Every unit as written, comma-separated, for messages.
    pub fn list() -> String {
        Unit::ALL.map(Unit::as_str).join(", ")
    }
}

impl fmt::Display for Unit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl serde::Serialize for Unit {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// A unit of time in a duration literal.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum TimeUnit {
    /// Seconds, `s`.
    Seconds,
    /// Minutes, `min`.
    Minutes,
    /// Hours, `h`.
    Hours,
    /// Days, `d`.
    Days,
    /// Weeks, `w`.
    Weeks,
    /// A calendar month, counted as 30 days, `mo`.
    Months,
}

impl TimeUnit {
    /// Every time unit, shortest first.
    pub const ALL: [TimeUnit; 6] =
        [TimeUnit::Seconds, TimeUnit::Minutes, TimeUnit::Hours, TimeUnit::Days, TimeUnit::Weeks, TimeUnit::Months];

    /// How many seconds one of this unit is.
    pub fn seconds(self) -> u64 {
        match self {
            TimeUnit::Seconds => 1,
            TimeUnit::Minutes => 60,
            TimeUnit::Hours => 3_600,
            TimeUnit::Days => 86_400,
            TimeUnit::Weeks => 604_800,
            TimeUnit::Months => 2_592_000,
        }
    }

    /// The unit as written after a number (`6h`).
    pub fn as_str(self) -> &'static str {
        match self {
            TimeUnit::Seconds => "s",
            TimeUnit::Minutes => "min",
            TimeUnit::Hours => "h",
            TimeUnit::Days => "d",
            TimeUnit::Weeks => "w",
            TimeUnit::Months => "mo",
        }
    }

    /// The time unit written `text` exactly, if there is one.
    pub fn parse(text: &str) -> Option<TimeUnit> {
        TimeUnit::ALL.into_iter().find(|unit| unit.as_str() == text)
    }
}

impl fmt::Display for TimeUnit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for unit in Unit::ALL {
            assert_eq!(Unit::parse(unit.as_str()), Some(unit));
        }
        for unit in TimeUnit::ALL {
            assert_eq!(TimeUnit::parse(unit.as_str()), Some(unit));
        }
        assert_eq!(Unit::parse("mmol"), None);
        assert_eq!(TimeUnit::parse("hours"), None);
    }

    #[test]
    fn the_message_list_is_the_one_authors_saw_before() {
        assert_eq!(Unit::list(), "mmHg, %, kg, g, mg, mcg, cm, mm, years, bpm, mL, L, mmol_L, mg_dL, pg_mL, ng_mL");
    }
}
