//! `osler test`: run the ruleset's `test` blocks, report each failure with
//! what was expected and what came out, and the rules no test fires. A
//! ruleset without tests is an error (exit 1), and so is a
//! `--coverage-min` outside 0..=100 (a usage error, exit 2).

use std::path::PathBuf;

use clap::Args;
use osler_engine::testing::run_tests;

use crate::exit;

#[derive(Args, Debug)]
pub struct TestArgs {
    /// The ruleset: a folder of `.osl` files or one file.
    pub ruleset: PathBuf,
    /// Fail (exit 1) when tests fire fewer than this percentage of the
    /// rules (0 to 100).
    #[arg(long, value_name = "PERCENT", value_parser = percentage)]
    pub coverage_min: Option<f64>,
}

/// A percentage from 0 to 100 (anything else is a usage error, exit 2).
fn percentage(text: &str) -> Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(value) if (0.0..=100.0).contains(&value) => Ok(value),
        Ok(_) => Err(format!("`{text}` is not a percentage from 0 to 100")),
        Err(_) => Err(format!("`{text}` is not a number; give a percentage from 0 to 100")),
    }
}

pub fn run(args: TestArgs) -> u8 {
    let ruleset = match crate::load::load(&args.ruleset) {
        Ok(ruleset) => ruleset,
        Err(code) => return code,
    };
    let report = run_tests(&ruleset);
    if report.tests.is_empty() {
        // Nothing ran, so nothing passed: a ruleset without tests must not
        // look tested, nor meet a coverage minimum.
        let path = args.ruleset.display();
        match args.coverage_min {
            Some(minimum) => {
                errln!("error: `{path}` has no tests, so it cannot meet `--coverage-min {minimum}`")
            }
            None => errln!("error: `{path}` has no tests"),
        }
        errln!("help: write `test \"...\" {{ given fact = value  expect action }}` blocks beside the rules");
        return exit::ERRORS;
    }
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
