//! How much of an evaluation the output carries ([`Explain`]), shared by
//! the evaluator (which skips what no output will show) and the writers.

/// How much an output line explains (`osler run --explain`).
///
/// ```
/// use osler_engine::Explain;
/// assert_eq!(Explain::default(), Explain::Brief);
/// assert_eq!("full".parse::<Explain>(), Ok(Explain::Full));
/// assert!("all".parse::<Explain>().is_err());
/// assert_eq!(Explain::None.to_string().parse::<Explain>(), Ok(Explain::None));
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Default)]
#[non_exhaustive]
pub enum Explain {
    /// The actions and the disposition only (and the record's warnings).
    None,
    /// Also the fired and overridden rules and the ranked `examine` list:
    /// what `osler run` writes by default.
    #[default]
    Brief,
    /// Also every undetermined rule with the facts that could decide it.
    Full,
}

impl std::str::FromStr for Explain {
    type Err = String;

    fn from_str(text: &str) -> Result<Explain, String> {
        match text {
            "none" => Ok(Explain::None),
            "brief" => Ok(Explain::Brief),
            "full" => Ok(Explain::Full),
            other => Err(format!("unknown explain level `{other}` (expected none, brief or full)")),
        }
    }
}

/// The level as `--explain` spells it: `Explain::Full.to_string()` is
/// `"full"`, which parses back.
impl std::fmt::Display for Explain {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Explain::None => "none",
            Explain::Brief => "brief",
            Explain::Full => "full",
        })
    }
}
