//! The Osler engine: compiles a checked ruleset into a compact, owned
//! program and evaluates patient records with it.
//!
//! A [`Ruleset`] is built from `.osl` text (checked by `osler-dsl`) and is
//! `Send + Sync`: one compiled program serves any number of threads. A
//! record is a dense array of typed slots, filled by the typed builder, the
//! JSON reader or the CSV reader. Evaluation follows the language's meaning
//! (`shared/spec/language.md`):
//!
//! - **Kleene logic.** A fact that is absent or `null` is unknown;
//!   `false and unknown` is false, `true or unknown` is true, `not unknown`
//!   is unknown, a comparison or arithmetic with an unknown operand is
//!   unknown, and `known(x)` is never unknown.
//! - **`count`.** `count(e1, ..)` is the number of true arguments; with
//!   unknown arguments it is the interval from the number of true ones to
//!   that plus the number of unknown ones, and comparisons decide whenever
//!   the whole interval does: with two of three arguments true and one
//!   unknown, `count(..) >= 2` is true and `count(..) > 3` false. Arithmetic
//!   on such intervals is interval arithmetic.
//! - **Arithmetic.** On decimals of 15 significant digits
//!   (`osler_dsl::decimal`): exact, then rounded once, half to even, where
//!   a result needs more digits. Division by zero (or by an interval that
//!   contains it) and a result beyond the doubles' range are unknown.
//! - **Overrides.** A rule whose condition is true *fires*. Every rule that
//!   a firing rule lists in `overrides` and whose own condition is not
//!   false is *overridden*: its actions are dropped and the output names
//!   the rules that overrode it (`by`). A rule overridden only by rules
//!   whose condition is unknown still fires. Each rule appears in at most
//!   one of `fired`, `overridden`, `undetermined`.
//! - **Undetermined rules** (condition unknown) list the facts to examine
//!   next: the unknown facts inside the condition's unknown-valued
//!   subexpressions (through lets), in the order the condition reads them.
//!   Operands whose value is already known cannot change the result and
//!   are skipped (in `a and (b or c)` with `b` true, only `a` is missing);
//!   a fact only tested with `known(..)` never makes a condition unknown.
//! - **Actions** of firing rules merge: identical actions (same name and
//!   arguments) from several rules form one entry that lists all those
//!   rules (declaration order) and their sources (declaration order).
//!   Entries come in the order of their first firing rule.
//!
//! - **Properties.** An `assert WHEN -> THEN` is violated on a record when
//!   `WHEN` is true and `THEN` is not (false or unknown); an action pattern
//!   in either side is true when the output that stands (after overrides,
//!   identical calls merged) holds a matching call, false otherwise, never
//!   unknown. An `exclusive ACTION` is violated when the output holds two
//!   or more different calls of it. Properties are checked only on request
//!   ([`Ruleset::check_properties`], [`Evaluated::properties`]), never by
//!   [`Ruleset::evaluate`] or [`batch`].
//!
//! The crate root is a façade: the API is re-exported from the modules
//! below, which never import the root. [`analysis`] replays the static
//! analysis's findings and `osler diff`'s changes in the engine,
//! [`files`] finds and reads ruleset files, [`batch`] runs record files,
//! [`explain`] explains one result and [`testing`] runs a ruleset's own
//! `test` blocks.
//!
//! The `model` feature (off by default) adds `Ruleset::from_model` and
//! `Ruleset::model`, which expose the checker's `Model`. It is unstable and
//! exists for tests that build models directly.
//!
//! ```
//! use osler_engine::Ruleset;
//!
//! let ruleset = Ruleset::from_sources(&[(
//!     "ali.osl".to_owned(),
//!     r#"
//! source ali_2026 "Vascular Emergencies" year 2026
//! enum Pulse { present, diminished, absent }
//! fact unilateral: bool
//! fact pedal_pulses: Pulse
//! action emergency(within: duration)
//! rule ali_emergency "Absent pulse with unilateral symptoms":
//!   pedal_pulses == absent and unilateral -> emergency(6h)
//!   cite ali_2026
//! "#
//!     .to_owned(),
//! )])?;
//!
//! let record = ruleset.record_builder().id("p17").set("pedal_pulses", "absent")?.set("unilateral", true)?.build();
//! let outcome = ruleset.evaluate(&record)?;
//! assert_eq!(outcome.fired, ["ali_emergency"]);
//! assert_eq!(
//!     outcome.to_json_line(),
//!     r#"{"id":"p17","actions":[{"name":"emergency","args":["6h"],"rules":["ali_emergency"],"sources":["ali_2026"]}],"fired":["ali_emergency"],"overridden":[],"undetermined":[],"examine":[]}"#
//! );
//!
//! // The same ruleset reads JSON records straight into its slots.
//! let partial = ruleset.read_json(r#"{"id": 18, "pedal_pulses": "absent"}"#)?;
//! let outcome = ruleset.evaluate(&partial)?;
//! assert_eq!(outcome.undetermined[0].missing, ["unilateral"]);
//!
//! // A record belongs to the ruleset that made it; any other refuses it.
//! let other = Ruleset::from_sources(&[("b.osl".to_owned(), "fact unilateral: bool".to_owned())])?;
//! assert!(other.evaluate(&record).is_err());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod analysis;
pub mod batch;
mod circuit;
mod compile;
mod csv_input;
mod csv_output;
mod detail;
mod error;
mod eval;
mod evaluation;
mod examine;
pub mod explain;
pub mod files;
mod flat_json;
mod interp;
mod json;
mod logic;
mod output;
mod program;
mod property;
mod reading;
mod record;
mod ruleset;
mod scan;
mod schema;
pub mod testing;
mod warnings;

pub use detail::Explain;
pub use error::{CompileError, ForeignRecord, LoadError, RecordError, RecordErrorKind, RenderOptions};
pub use logic::Truth;
pub use output::{ActionOutcome, Examine, Outcome, Overridden, Undetermined};
pub use property::{AssertCheck, ExclusiveCheck, PropertyReport};
pub use reading::{ReadOptions, UnknownFields};
pub use record::{Input, Record, RecordId};
pub use ruleset::{Evaluated, Evaluator, RecordBuilder, Ruleset};
