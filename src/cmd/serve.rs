//! `castdown serve`.

use anyhow::Result;

use castdown::serve::{self, ServeOptions};

use crate::cli::ServeArgs;

/// Serves until Ctrl-C.
pub fn run(args: ServeArgs, quiet: bool) -> Result<()> {
    serve::run(ServeOptions {
        root: args.root,
        bind: args.bind,
        port: args.port,
        open: args.open,
        drafts: args.drafts,
        config: args.config,
        base_url: args.base_url,
        quiet,
    })?;
    Ok(())
}
