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
    if let Some(feed) = &args.feed {
        return run_feed(feed, &args, quiet);
    }
    if let Some(d) = &args.date {
        EpisodeDate::parse(d).map_err(|m| Error::Usage(format!("--date: {m}")))?;
    }
    if let Some(s) = &args.source
        && !(s.starts_with("https://") || s.starts_with("http://"))
    {
        return Err(Error::Usage(format!("--source: `{s}` is not an http(s) URL")).into());
    }
    let duration = match &args.duration {
        Some(d) => Some(castdown::load::duration::display(
            castdown::load::duration::parse(d)
                .map_err(|m| Error::Usage(format!("--duration: {m}")))?,
        )),
        None => None,
    };
    if let Some(slug) = &args.slug {
        if args.files.len() > 1 {
            return Err(Error::Usage("--slug names one digest: give one file".into()).into());
        }
        import::check_slug(slug).map_err(|m| Error::Usage(format!("--slug: {m}")))?;
    }
    let given = import::Given {
        show: args.show.as_deref(),
        date: args.date.as_deref(),
        source: args.source.as_deref(),
        duration,
        people: args
            .people
            .iter()
            .flat_map(|p| p.split(','))
            .map(|p| p.trim().to_string())
            .filter(|p| !p.is_empty())
            .collect(),
    };
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
            &given,
            args.slug.as_deref(),
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

/// `--feed`: one digest per new episode of a saved RSS feed; every item left out or taken
/// only in part is reported.
fn run_feed(feed: &std::path::Path, args: &ImportArgs, quiet: bool) -> Result<()> {
    let shown = feed.display().to_string();
    let bytes = std::fs::read(feed).map_err(|e| Error::io("reading", &shown, e))?;
    let report = match import::feed::import_feed(&shown, &bytes, &args.out, args.show.as_deref()) {
        Ok(r) => r,
        Err(Failure::Input(m)) => {
            return Err(Error::Site(vec![castdown::error::Diagnostic::new(&shown, m)]).into());
        }
        Err(Failure::Write(m)) => return Err(Error::Usage(m).into()),
    };
    if !quiet {
        for (path, title) in &report.written {
            println!("{} → {}", title, path.display());
        }
    }
    for m in report.notes.iter().chain(&report.skipped) {
        eprintln!("warning: {m}");
    }
    if !quiet {
        println!(
            "{} new digest{}, {} already imported, {} skipped; fill in each new digest's Key Concepts",
            report.written.len(),
            if report.written.len() == 1 { "" } else { "s" },
            report.existing,
            report.skipped.len()
        );
    }
    Ok(())
}
