//! `castdown completions <shell>`: the shell completion script, made by clap_complete from
//! the same command definitions the parser uses, so it cannot fall out of date.

use std::io::Write;

use anyhow::Result;
use clap::CommandFactory;

use crate::cli::Cli;

/// Writes the completion script for `shell` to standard output. The script is made in
/// memory first: clap_complete panics when its writer fails, and standard output may be a
/// closed pipe (`castdown completions bash | head`).
pub fn run(shell: clap_complete::Shell) -> Result<()> {
    let mut cmd = <Cli as CommandFactory>::command();
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut cmd, "castdown", &mut script);
    match std::io::stdout().write_all(&script) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(castdown::error::Error::io("writing", "standard output", e).into())
        }
        _ => Ok(()),
    }
}
