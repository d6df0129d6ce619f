//! The units of measure and of time the language knows, each list spelled
//! once: the grammar's unit rules, the lexer, the error messages, the
//! editor's completions and the engine's record readers all derive from
//! these enums.

use std::fmt;

/// What a unit measures. Quantities convert only within one dimension,
/// never across: a mass concentration (`mg/dL`) is no substance
/// concentration (`mmol/L`), since converting them needs the analyte's
/// molar mass.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, PartialOrd, Ord)]
pub enum Dimension {
    /// Length (`m`).
    Length,
    /// Mass (`g`).
    Mass,
    /// Volume (`L`).
    Volume,
    /// Mass per volume (`g/L`).
    MassConcentration,
    /// Amount of substance per volume (`mol/L`).
    SubstanceConcentration,
    /// Catalytic activity per volume (`U/L`).
    CatalyticConcentration,
    /// Pressure as a column of mercury (`mm[Hg]`).
    Pressure,
    /// A fraction in per cent (`%`).
    Fraction,
    /// Age in years (`a`).
    Age,
    /// Events per time (`/min`).
    Rate,
    /// Volume per time (`mL/min`).
    Flow,
    /// Mass per area (`kg/m2`).
    MassPerArea,
    /// Temperature in degrees Celsius (`Cel`).
    Temperature,
}

impl Dimension {
    /// The dimension in words, for messages.
    pub fn describe(self) -> &'static str {
        match self {
            Dimension::Length => "a length",
            Dimension::Mass => "a mass",
            Dimension::Volume => "a volume",
            Dimension::MassConcentration => "a mass concentration",
            Dimension::SubstanceConcentration => "a substance (molar) concentration",
            Dimension::CatalyticConcentration => "a catalytic concentration",
            Dimension::Pressure => "a pressure",
            Dimension::Fraction => "a fraction",
            Dimension::Age => "an age",
            Dimension::Rate => "a rate per time",
            Dimension::Flow => "a flow",
            Dimension::MassPerArea => "a mass per area",
            Dimension::Temperature => "a temperature",
        }
    }
}

/// One unit: how it is written, its UCUM code, what it measures, and its
/// size as the fraction `numerator / denominator` of its dimension's
/// first unit.
struct Definition {
    spelling: &'static str,
    ucum: &'static str,
    dimension: Dimension,
    numerator: u64,
    denominator: u64,
}

const fn unit(spelling: &'static str, ucum: &'static str, dimension: Dimension, size: (u64, u64)) -> Definition {
    Definition { spelling, ucum, dimension, numerator: size.0, denominator: size.1 }
}

/// Every unit, each spelled once. A spelling is its UCUM code, or an alias
/// kept from before UCUM (`mmHg`, `mmol_L`, `mcg`, `years`, `bpm`), which
/// writes the same unit. `tests::sizes_follow_ucum` derives each size and
/// dimension from the UCUM code and UCUM's definitions.
const UNITS: [Definition; 40] = {
    use Dimension::*;
    [
        unit("m", "m", Length, (1, 1)),
        unit("cm", "cm", Length, (1, 100)),
        unit("mm", "mm", Length, (1, 1_000)),
        unit("kg", "kg", Mass, (1_000, 1)),
        unit("g", "g", Mass, (1, 1)),
        unit("mg", "mg", Mass, (1, 1_000)),
        unit("ug", "ug", Mass, (1, 1_000_000)),
        unit("mcg", "ug", Mass, (1, 1_000_000)),
        unit("ng", "ng", Mass, (1, 1_000_000_000)),
        unit("L", "L", Volume, (1, 1)),
        unit("dL", "dL", Volume, (1, 10)),
        unit("mL", "mL", Volume, (1, 1_000)),
        unit("g/L", "g/L", MassConcentration, (1, 1)),
        unit("g/dL", "g/dL", MassConcentration, (10, 1)),
        unit("mg/dL", "mg/dL", MassConcentration, (1, 100)),
        unit("mg_dL", "mg/dL", MassConcentration, (1, 100)),
        unit("mg/L", "mg/L", MassConcentration, (1, 1_000)),
        unit("ug/mL", "ug/mL", MassConcentration, (1, 1_000)),
        unit("ug/L", "ug/L", MassConcentration, (1, 1_000_000)),
        unit("ng/mL", "ng/mL", MassConcentration, (1, 1_000_000)),
        unit("ng_mL", "ng/mL", MassConcentration, (1, 1_000_000)),
        unit("ng/L", "ng/L", MassConcentration, (1, 1_000_000_000)),
        unit("pg/mL", "pg/mL", MassConcentration, (1, 1_000_000_000)),
        unit("pg_mL", "pg/mL", MassConcentration, (1, 1_000_000_000)),
        unit("mol/L", "mol/L", SubstanceConcentration, (1, 1)),
        unit("mmol/L", "mmol/L", SubstanceConcentration, (1, 1_000)),
        unit("mmol_L", "mmol/L", SubstanceConcentration, (1, 1_000)),
        unit("umol/L", "umol/L", SubstanceConcentration, (1, 1_000_000)),
        unit("nmol/L", "nmol/L", SubstanceConcentration, (1, 1_000_000_000)),
        unit("U/L", "U/L", CatalyticConcentration, (1, 1)),
        unit("mm[Hg]", "mm[Hg]", Pressure, (1, 1)),
        unit("mmHg", "mm[Hg]", Pressure, (1, 1)),
        unit("%", "%", Fraction, (1, 1)),
        unit("a", "a", Age, (1, 1)),
        unit("years", "a", Age, (1, 1)),
        unit("/min", "/min", Rate, (1, 1)),
        unit("bpm", "{beats}/min", Rate, (1, 1)),
        unit("mL/min", "mL/min", Flow, (1, 1)),
        unit("kg/m2", "kg/m2", MassPerArea, (1, 1)),
        unit("Cel", "Cel", Temperature, (1, 1)),
    ]
};

/// A unit of measure for quantities: one of the spellings in the table
/// above. Serialises as written (`mmHg`, `mmol/L`).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, PartialOrd, Ord)]
pub struct Unit(u8);

impl Unit {
    /// Every unit, in the order messages and completions list them.
    pub const ALL: [Unit; UNITS.len()] = {
        let mut all = [Unit(0); UNITS.len()];
        let mut index = 0;
        while index < UNITS.len() {
            all[index] = Unit(index as u8);
            index += 1;
        }
        all
    };

    fn definition(self) -> &'static Definition {
        &UNITS[usize::from(self.0)]
    }

    /// The unit as written in source and in output.
    pub fn as_str(self) -> &'static str {
        self.definition().spelling
    }

    /// The unit's UCUM code (`mm[Hg]` for `mmHg`).
    pub fn ucum(self) -> &'static str {
        self.definition().ucum
    }

    /// What the unit measures.
    pub fn dimension(self) -> Dimension {
        self.definition().dimension
    }

    /// The unit written `text` exactly, if there is one.
    pub fn parse(text: &str) -> Option<Unit> {
        Unit::ALL.into_iter().find(|unit| unit.as_str() == text)
    }

    /// The longest unit `text` starts with, and its length, where a unit
    /// ending in a letter or digit is not followed by another (`mm` is no
    /// unit in `mmol`): how the grammar reads the unit after a number
    /// (`mm[Hg]` before `mm`, `mg/dL` before `mg`).
    pub fn prefix_of(text: &str) -> Option<(Unit, usize)> {
        Unit::ALL
            .into_iter()
            .filter(|unit| {
                let spelling = unit.as_str();
                let word = |c: char| c.is_ascii_alphanumeric() || c == '_';
                text.starts_with(spelling) && !(spelling.ends_with(word) && text[spelling.len()..].starts_with(word))
            })
            .max_by_key(|unit| unit.as_str().len())
            .map(|unit| (unit, unit.as_str().len()))
    }

    /// Whether a quantity in this unit converts to `other` (the same
    /// dimension).
    pub fn converts_to(self, other: Unit) -> bool {
        self.dimension() == other.dimension()
    }

    /// The exact ratio `(p, q)` such that a quantity `x` in this unit is
    /// `x × p / q` in `other`, reduced; `None` across dimensions.
    pub fn ratio_to(self, other: Unit) -> Option<(u64, u64)> {
        if !self.converts_to(other) {
            return None;
        }
        let (from, to) = (self.definition(), other.definition());
        let p = u128::from(from.numerator) * u128::from(to.denominator);
        let q = u128::from(from.denominator) * u128::from(to.numerator);
        let common = gcd(p, q);
        Some(((p / common) as u64, (q / common) as u64))
    }

    /// `x` in this unit, in `other`: exact for a ratio of powers of ten,
    /// else rounded to 15 significant digits as a division is.
    pub fn convert(self, x: f64, other: Unit) -> Option<f64> {
        let (p, q) = self.ratio_to(other)?;
        let scaled = if p == 1 { x } else { crate::decimal::mul(x, p as f64) };
        if q == 1 { Some(scaled) } else { crate::decimal::div(scaled, q as f64) }
    }

    /// Every unit's spelling, comma-separated, for messages.
    pub fn list() -> String {
        Unit::ALL.map(Unit::as_str).join(", ")
    }
}

fn gcd(mut a: u128, mut b: u128) -> u128 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
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
    fn the_longest_unit_is_read() {
        let unit = |text| Unit::prefix_of(text).map(|(unit, len)| (unit.as_str(), len));
        assert_eq!(unit("mm[Hg] and"), Some(("mm[Hg]", 6)));
        assert_eq!(unit("mmHg"), Some(("mmHg", 4)));
        assert_eq!(unit("mm)"), Some(("mm", 2)));
        assert_eq!(unit("mg/dL"), Some(("mg/dL", 5)));
        assert_eq!(unit("mg / dL"), Some(("mg", 2)));
        assert_eq!(unit("/min"), Some(("/min", 4)));
        assert_eq!(unit("/minute"), None);
        assert_eq!(unit("min"), None);
        assert_eq!(unit("and"), None);
        assert_eq!(unit("a and"), Some(("a", 1)));
    }

    #[test]
    fn conversions_stay_within_a_dimension() {
        let [mm, cm, mmol, umol, mg_dl] = ["mm", "cm", "mmol/L", "umol/L", "mg/dL"].map(|u| Unit::parse(u).unwrap());
        assert_eq!(mm.convert(30.0, cm), Some(3.0));
        assert_eq!(cm.convert(3.3, mm), Some(33.0));
        assert_eq!(umol.convert(7500.0, mmol), Some(7.5));
        assert_eq!(mmol.convert(7.0, mg_dl), None);
        let aliases = [("mmHg", "mm[Hg]"), ("mmol_L", "mmol/L"), ("mcg", "ug"), ("years", "a"), ("mg_dL", "mg/dL")];
        for (alias, code) in aliases {
            let (alias, code) = (Unit::parse(alias).unwrap(), Unit::parse(code).unwrap());
            assert_eq!(alias.ratio_to(code), Some((1, 1)));
            assert_eq!(alias.ucum(), code.ucum());
        }
    }

    /// A unit's size as a fraction, and its dimension as exponents of
    /// UCUM's base units (m, g, s, and the atoms kept apart here: mol,
    /// the mercury column, per cent, degree Celsius).
    type Derived = ((i128, i128), [i32; 7]);

    /// What UCUM's definitions make of a code: the prefixes and the atoms
    /// this table uses, from the UCUM specification's tables (`l` is
    /// `dm3`, `min` is 60 `s`, `a` is the Julian year of 365.25 days,
    /// `U` is `umol/min`; `m[Hg]`, `mol`, `%` and `Cel` are kept as their
    /// own atoms, since the table never converts across them).
    fn derive(code: &str) -> Derived {
        fn atom(text: &str) -> Option<Derived> {
            let base = |index: usize| {
                let mut exponents = [0; 7];
                exponents[index] = 1;
                exponents
            };
            Some(match text {
                "m" => ((1, 1), base(0)),
                "g" => ((1, 1), base(1)),
                "s" => ((1, 1), base(2)),
                "mol" => ((1, 1), base(3)),
                "m[Hg]" => ((1, 1), base(4)),
                "%" => ((1, 1), base(5)),
                "Cel" => ((1, 1), base(6)),
                "L" | "l" => ((1, 1_000), [3, 0, 0, 0, 0, 0, 0]),
                "min" => ((60, 1), base(2)),
                "a" => ((36_525 * 86_400, 100), base(2)),
                "U" => ((1, 60_000_000), [0, 0, -1, 1, 0, 0, 0]),
                _ => return None,
            })
        }
        fn component(text: &str) -> Derived {
            let (body, power) = match text.char_indices().find(|(_, c)| c.is_ascii_digit()) {
                Some((at, _)) if !text.contains('[') => (&text[..at], text[at..].parse::<i32>().unwrap()),
                _ => (text, 1),
            };
            let prefixes = [
                ("k", (1_000, 1)),
                ("d", (1, 10)),
                ("c", (1, 100)),
                ("m", (1, 1_000)),
                ("u", (1, 1_000_000)),
                ("n", (1, 1_000_000_000)),
                ("p", (1, 1_000_000_000_000)),
            ];
            let ((p, q), exponents) = atom(body)
                .or_else(|| {
                    prefixes.iter().find_map(|(prefix, (a, b))| {
                        let ((p, q), exponents) = atom(body.strip_prefix(prefix)?)?;
                        Some(((p * a, q * b), exponents))
                    })
                })
                .unwrap_or_else(|| panic!("`{body}` is no UCUM atom this test knows"));
            ((p.pow(power as u32), q.pow(power as u32)), exponents.map(|e| e * power))
        }
        let mut size = (1i128, 1i128);
        let mut exponents = [0; 7];
        let mut divide = false;
        let mut rest = code;
        while !rest.is_empty() {
            if let Some(after) = rest.strip_prefix('/') {
                divide = true;
                rest = after;
                continue;
            }
            if let Some(after) = rest.strip_prefix('.') {
                divide = false;
                rest = after;
                continue;
            }
            let end = rest.find(['/', '.']).unwrap_or(rest.len());
            let (text, after) = rest.split_at(end);
            rest = after;
            if text.starts_with('{') {
                continue;
            }
            let ((p, q), e) = component(text);
            if divide {
                size = (size.0 * q, size.1 * p);
                exponents = std::array::from_fn(|i| exponents[i] - e[i]);
            } else {
                size = (size.0 * p, size.1 * q);
                exponents = std::array::from_fn(|i| exponents[i] + e[i]);
            }
        }
        (size, exponents)
    }

    #[test]
    fn sizes_follow_ucum() {
        for a in Unit::ALL {
            for b in Unit::ALL {
                let ((ap, aq), a_dimension) = derive(a.ucum());
                let ((bp, bq), b_dimension) = derive(b.ucum());
                assert_eq!(
                    a.converts_to(b),
                    a_dimension == b_dimension,
                    "`{a}` and `{b}`: the table's dimensions disagree with UCUM's"
                );
                if let Some((p, q)) = a.ratio_to(b) {
                    // a / b as UCUM sizes them, against the table's p / q.
                    assert_eq!(ap * bq * i128::from(q), bp * aq * i128::from(p), "`{a}` in `{b}`");
                }
            }
        }
    }
}
