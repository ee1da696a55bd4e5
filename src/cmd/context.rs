//! `castdown context`.

use anyhow::Result;

use castdown::pipeline;

use crate::cli::ContextArgs;

/// Prints the page's template context as indented JSON on standard output.
pub fn run(args: ContextArgs) -> Result<()> {
    let opts = super::check::options(args.site);
    let value = pipeline::page_context(&opts, &args.page)?;
    println!("{}", serde_json::to_string_pretty(&value)?);
    Ok(())
}
