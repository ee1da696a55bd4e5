//! One module per command, each exposing `run(args)`. They translate flags into library
//! calls and library results into messages; the work happens in the library.

pub mod build;
pub mod check;
pub mod completions;
pub mod context;
pub mod import;
pub mod init;
pub mod new;
pub mod serve;

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressStyle};

/// Progress on a terminal (a spinner naming the stage); nothing when quiet or piped.
pub struct Progress {
    bar: Option<ProgressBar>,
}

impl Progress {
    /// A spinner when stderr is a terminal and not `quiet`.
    pub fn new(quiet: bool) -> Progress {
        let bar = (!quiet && std::io::stderr().is_terminal()).then(|| {
            let b = ProgressBar::new_spinner();
            if let Ok(style) = ProgressStyle::with_template("{spinner} {msg}") {
                b.set_style(style);
            }
            b.enable_steady_tick(std::time::Duration::from_millis(100));
            b
        });
        Progress { bar }
    }

    /// Shows the current stage.
    pub fn stage(&self, msg: &str) {
        if let Some(b) = &self.bar {
            b.set_message(msg.to_string());
        }
    }

    /// Removes the spinner.
    pub fn finish(&self) {
        if let Some(b) = &self.bar {
            b.finish_and_clear();
        }
    }
}
