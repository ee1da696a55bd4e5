//! `castdown context`.

use anyhow::Result;

use castdown::pipeline::{self, BuildOptions};

use crate::cli::ContextArgs;

/// Prints the page's template context as indented JSON on standard output.
pub fn run(args: ContextArgs) -> Result<()> {
    let opts = BuildOptions {
        root: args.root,
        config: args.config,
        output: None,
        base_url: args.base_url,
        drafts: args.drafts,
        future: args.future,
        clean: false,
    };
    let value = pipeline::page_context(&opts, &args.page)?;
    println!("{}", serde_json::to_string_pretty(&value)?);
    Ok(())
}
