//! Exit statuses shared by the subcommands (see `shared/spec/cli.md`).

/// Success.
pub const OK: u8 = 0;
/// The ruleset has errors, tests failed, or files are not formatted.
pub const ERRORS: u8 = 1;
/// Bad arguments, or files that cannot be read or written.
pub const USAGE: u8 = 2;
/// Some records were rejected.
pub const REJECTED: u8 = 3;
