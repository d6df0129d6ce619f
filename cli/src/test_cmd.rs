//! `osler test`: run the ruleset's `test` blocks, report each failure with
//! the expected and actual actions, and the rules no test fires.

use std::path::PathBuf;

use clap::Args;
use osler_engine::testing::run_tests;

use crate::exit;

#[derive(Args, Debug)]
pub struct TestArgs {
    /// The ruleset: a folder of `.osl` files or one file.
    pub ruleset: PathBuf,
    /// Fail (exit 1) when tests fire fewer than this percentage of the rules.
    #[arg(long, value_name = "PERCENT")]
    pub coverage_min: Option<f64>,
}

pub fn run(args: TestArgs) -> u8 {
    let ruleset = match crate::load::load(&args.ruleset) {
        Ok(ruleset) => ruleset,
        Err(code) => return code,
    };
    let report = run_tests(&ruleset);
    for test in &report.tests {
        if test.passed() {
            outln!("ok      {} ({})", test.title, test.location);
        } else {
            outln!("FAILED  {} ({})", test.title, test.location);
            for failure in &test.failures {
                outln!("        {failure}");
            }
        }
    }
    outln!("{} passed, {} failed", report.passed(), report.failed());
    let fired = report.coverage.iter().filter(|rule| rule.fired).count();
    let percent = report.coverage_percent();
    outln!("rule coverage: {fired} of {} rules fired by some test ({percent:.1}%)", report.coverage.len());
    let unfired: Vec<_> = report.coverage.iter().filter(|rule| !rule.fired).collect();
    if !unfired.is_empty() {
        outln!("rules no test fires:");
        for rule in unfired {
            outln!("  {} ({})", rule.rule, rule.location);
        }
    }
    let mut code = if report.failed() > 0 { exit::ERRORS } else { exit::OK };
    if let Some(minimum) = args.coverage_min
        && percent < minimum
    {
        outln!("coverage {percent:.1}% is below the minimum of {minimum}%");
        code = exit::ERRORS;
    }
    code
}
