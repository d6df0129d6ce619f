//! The `--format` choice shared by the subcommands that print either for
//! people or for programs.

use clap::ValueEnum;

/// How a subcommand prints its result.
#[derive(Clone, Copy, PartialEq, Eq, Debug, ValueEnum)]
pub enum Format {
    /// Human-readable output.
    Text,
    /// Machine-readable JSON.
    Json,
}
