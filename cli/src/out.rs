//! Standard output and standard error without panics. `print!` panics when
//! the reader of a pipe has gone away (`osler run .. | head -1`); here a
//! closed pipe only drops what is written after it, so a command finishes
//! quietly with its own exit status, as `cat` does (`run` stops reading
//! early and exits 0). Any other failure to write standard output (a full
//! disk) is reported once at the end and makes the exit status 2.

use std::fmt;
use std::io::{self, Write as _};
use std::sync::Mutex;

/// The first write error on standard output that was not a closed pipe.
static FAILED: Mutex<Option<String>> = Mutex::new(None);

/// Whether `error` says the reader of the output went away.
pub fn is_closed_pipe(error: &io::Error) -> bool {
    error.kind() == io::ErrorKind::BrokenPipe
}

/// Notes a failed write to standard output (a closed pipe is not a failure).
pub fn failed(error: &io::Error) {
    if !is_closed_pipe(error)
        && let Ok(mut failed) = FAILED.lock()
    {
        failed.get_or_insert_with(|| error.to_string());
    }
}

/// Writes to standard output; see the module docs for errors.
pub fn stdout(args: fmt::Arguments<'_>) {
    if let Err(error) = io::stdout().lock().write_fmt(args) {
        failed(&error);
    }
}

/// Writes to standard error; errors are dropped (there is nowhere left to
/// report them).
pub fn stderr(args: fmt::Arguments<'_>) {
    let _ = io::stderr().lock().write_fmt(args);
}

/// Flushes standard output and returns the write failure to report, if
/// any.
pub fn finish() -> Option<String> {
    if let Err(error) = io::stdout().lock().flush() {
        failed(&error);
    }
    FAILED.lock().ok().and_then(|mut failed| failed.take())
}

/// `print!` that never panics.
macro_rules! out {
    ($($arg:tt)*) => { $crate::out::stdout(format_args!($($arg)*)) };
}

/// `println!` that never panics.
macro_rules! outln {
    () => { $crate::out::stdout(format_args!("\n")) };
    ($($arg:tt)*) => { $crate::out::stdout(format_args!("{}\n", format_args!($($arg)*))) };
}

/// `eprint!` that never panics.
macro_rules! err {
    ($($arg:tt)*) => { $crate::out::stderr(format_args!($($arg)*)) };
}

/// `eprintln!` that never panics.
macro_rules! errln {
    ($($arg:tt)*) => { $crate::out::stderr(format_args!("{}\n", format_args!($($arg)*))) };
}
