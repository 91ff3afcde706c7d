//! heaplens entry point: parse the command line, run it, print the report.
//! Every failure is one line on stderr and exit status 2; `diff --fail-if`
//! rules that hold exit with 1, after the report. The TUI exits with 128 +
//! the signal that ended it (Ctrl-c: 130), or 2 when a load failed (its
//! line repeated on stderr once the terminal is restored).

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;

use heaplens::cli::Cli;
use heaplens::commands::{self, tell, Finished, Outcome};

fn main() -> ExitCode {
    let cli = Cli::parse();
    match commands::run(cli) {
        Ok(Finished::Report(outcome)) => finish(&outcome),
        Ok(Finished::Session(end)) => {
            for line in &end.failed {
                tell(line);
            }
            // A failed write is told on stderr; the session's status stands.
            write_stdout(&end.yanked_report());
            ExitCode::from(end.exit_status())
        }
        Err(e) => {
            tell(format_args!("{e:#}"));
            ExitCode::from(2)
        }
    }
}

fn finish(outcome: &Outcome) -> ExitCode {
    if !write_stdout(&outcome.report) {
        return ExitCode::from(2);
    }
    for line in &outcome.violations {
        tell(line);
    }
    if outcome.violations.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// Writes the report; a closed pipe (`| head`) is not an error.
fn write_stdout(output: &str) -> bool {
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(output.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            tell(format_args!("writing output: {e}"));
            false
        }
        _ => true,
    }
}
