//! `castdown new`.

use anyhow::Result;

use crate::cli::NewArgs;

/// Writes a new digest dated today and prints its path.
pub fn run(args: NewArgs) -> Result<()> {
    let today = jiff::ZonedDateTime::now().strftime("%Y-%m-%d").to_string();
    let path =
        castdown::scaffold::new_digest(&args.root, &args.title, args.show.as_deref(), &today)?;
    println!("{}", path.display());
    Ok(())
}
