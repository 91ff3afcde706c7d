//! One integration-test binary (faster linking), one module per concern.

mod catalogue;
mod cli_errors;
mod e2e_tmux;
mod golden;
mod read_only;
mod util;
