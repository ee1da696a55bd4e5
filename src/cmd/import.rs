//! `castdown import`.

use std::io::Read;

use anyhow::Result;

use castdown::error::Error;
use castdown::import::{self, Failure};
use castdown::load::date::EpisodeDate;

use crate::cli::ImportArgs;

/// Imports every file, reporting each; fails at the end if any failed (1 for unreadable
/// input, 2 for a refused overwrite or an I/O failure).
pub fn run(args: ImportArgs, quiet: bool) -> Result<()> {
    if let Some(d) = &args.date {
        EpisodeDate::parse(d).map_err(|m| Error::Usage(format!("--date: {m}")))?;
    }
    let mut input_failures = 0;
    let mut write_failures = 0;
    let mut stdin_used = false;
    for name in &args.files {
        let bytes = if name == "-" {
            if stdin_used {
                return Err(
                    Error::Usage("`-` (standard input) can be given only once".into()).into(),
                );
            }
            stdin_used = true;
            let mut buf = Vec::new();
            std::io::stdin()
                .read_to_end(&mut buf)
                .map_err(|e| Error::io("reading", "standard input", e))?;
            buf
        } else {
            match std::fs::read(name) {
                Ok(b) => b,
                Err(e) => {
                    eprintln!("error: reading {name}: {e}");
                    write_failures += 1;
                    continue;
                }
            }
        };
        let shown = if name == "-" {
            "standard input"
        } else {
            name.as_str()
        };
        match import::import_one(
            shown,
            &bytes,
            &args.out,
            args.show.as_deref(),
            args.date.as_deref(),
            args.force,
        ) {
            Ok(o) => {
                if !quiet {
                    println!("{} → {}: {}", shown, o.path.display(), o.summary);
                }
            }
            Err(Failure::Input(m)) => {
                eprintln!("error: {m}");
                input_failures += 1;
            }
            Err(Failure::Write(m)) => {
                eprintln!("error: {m}");
                write_failures += 1;
            }
        }
    }
    let failed = input_failures + write_failures;
    if failed > 0 {
        let msg = format!("{failed} of {} file(s) not imported", args.files.len());
        return Err(if write_failures > 0 {
            Error::Usage(msg)
        } else {
            Error::Site(vec![castdown::error::Diagnostic::new("import", msg)])
        }
        .into());
    }
    Ok(())
}
