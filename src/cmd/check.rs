//! `castdown check`.

use anyhow::Result;

use castdown::pipeline::{self, BuildOptions};

use crate::cli::CheckArgs;
use crate::cmd::Progress;

/// What a build in memory reads (`check`, `context`).
pub fn options(args: CheckArgs) -> BuildOptions {
    BuildOptions {
        root: args.root,
        config: args.config,
        output: None,
        base_url: args.base_url,
        drafts: args.drafts,
        future: args.future,
        clean: false,
    }
}

/// Builds in memory, resolves links and anchors, writes nothing.
pub fn run(args: CheckArgs, quiet: bool) -> Result<()> {
    let opts = options(args);
    let progress = Progress::new(quiet);
    let result = pipeline::check(&opts, &|s| progress.stage(s));
    progress.finish();
    let report = result?;
    if !quiet {
        eprint!("{}", castdown::error::render_warnings(&report.warnings));
        eprintln!(
            "No problems: {} episodes, {} concepts, {} shows, {} people, {} pages, {} files, links and anchors resolved ({} ms)",
            report.episodes,
            report.concepts,
            report.shows,
            report.people,
            report.pages,
            report.files,
            report.elapsed.as_millis()
        );
    }
    Ok(())
}
