//! One integration-test binary (faster linking), one module per concern.

mod cli_errors;
mod golden;
mod util;
