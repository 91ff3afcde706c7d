//! One integration-test binary (faster linking), one module per concern.

mod catalogue;
mod cli_errors;
mod collections;
mod devtools_views;
mod e2e_tmux;
mod gate;
mod golden;
mod help;
mod hostile;
mod index;
mod leaks;
mod read_only;
mod report_util;
mod reports;
mod scale;
mod scripts;
mod strings;
mod trend;
mod util;
