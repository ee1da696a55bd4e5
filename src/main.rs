//! The `castdown` binary: parse the command line, dispatch to `cmd/`, map errors to exit codes
//! (0 success, 1 the site has errors, 2 bad usage or an I/O failure).

mod cli;
mod cmd;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    let quiet = cli.quiet;
    let result = match cli.command {
        cli::Command::Init(a) => cmd::init::run(a, quiet),
        cli::Command::New(a) => cmd::new::run(a),
        cli::Command::Build(a) => cmd::build::run(a, quiet),
        cli::Command::Check(a) => cmd::check::run(a, quiet),
        cli::Command::Import(a) => cmd::import::run(a, quiet),
        cli::Command::Serve(a) => cmd::serve::run(a, quiet),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            let code = e
                .downcast_ref::<castdown::error::Error>()
                .map_or(2, castdown::error::Error::exit_code);
            eprintln!("{}", render_error(&e));
            ExitCode::from(code)
        }
    }
}

fn render_error(e: &anyhow::Error) -> String {
    match e.downcast_ref::<castdown::error::Error>() {
        Some(castdown::error::Error::Site(_)) => e.to_string(),
        _ => format!("error: {e:#}"),
    }
}
