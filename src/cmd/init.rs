//! `castdown init`.

use anyhow::Result;

use crate::cli::InitArgs;

/// Creates a site and says what was written.
pub fn run(args: InitArgs, quiet: bool) -> Result<()> {
    let dir = args.dir.unwrap_or_else(|| ".".into());
    let written = castdown::scaffold::init(&dir, args.force)?;
    if !quiet {
        for p in &written {
            println!("created {}", p.display());
        }
        println!(
            "Next: set base_url in castdown.yaml, then `castdown build --root {}`",
            dir.display()
        );
    }
    Ok(())
}
