//! Command-line parsing (clap derive). Only the shape of the commands lives here; each
//! command's behaviour is in `cmd/<name>.rs`.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// A static site generator for episode digests.
#[derive(Debug, Parser)]
#[command(name = "castdown", version, about, propagate_version = true)]
pub struct Cli {
    /// Print errors only.
    #[arg(long, short, global = true)]
    pub quiet: bool,
    /// The site root, for any command that takes one (`castdown --root DIR build`): the
    /// same as the command's own `--root`.
    #[arg(long, value_name = "DIR")]
    pub root: Option<PathBuf>,
    /// Read this config file instead of ROOT/castdown.yaml (build, check, serve, context; before
    /// or after the command), for a staging config beside the production one.
    #[arg(long, value_name = "FILE", global = true)]
    pub config: Option<PathBuf>,
    /// The command.
    #[command(subcommand)]
    pub command: Command,
}

impl Cli {
    /// The command, with a `--root` given before it and `--config` applied; `--config` to a
    /// command that reads no config is a usage error.
    pub fn into_command(self) -> Result<Command, String> {
        let config = self.config;
        let command = match self.root {
            None => self.command,
            Some(root) => match self.command {
                Command::New(a) => Command::New(NewArgs { root, ..a }),
                Command::Build(a) => Command::Build(BuildArgs { root, ..a }),
                Command::Check(a) => Command::Check(CheckArgs { root, ..a }),
                Command::Serve(a) => Command::Serve(ServeArgs { root, ..a }),
                Command::Context(a) => Command::Context(ContextArgs {
                    site: CheckArgs { root, ..a.site },
                    ..a
                }),
                other => other,
            },
        };
        let Some(config) = config else {
            return Ok(command);
        };
        Ok(match command {
            Command::Build(a) => Command::Build(BuildArgs {
                config: Some(config),
                ..a
            }),
            Command::Check(a) => Command::Check(CheckArgs {
                config: Some(config),
                ..a
            }),
            Command::Serve(a) => Command::Serve(ServeArgs {
                config: Some(config),
                ..a
            }),
            Command::Context(a) => Command::Context(ContextArgs {
                site: CheckArgs {
                    config: Some(config),
                    ..a.site
                },
                ..a
            }),
            _ => return Err("--config applies to build, check, serve and context".into()),
        })
    }
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create a new site: config, one sample digest, the default theme selected.
    Init(InitArgs),
    /// Create a new digest with its front matter filled in; prints its path.
    New(NewArgs),
    /// Build the site into the output folder.
    Build(BuildArgs),
    /// Everything build does, with links and anchors resolved, but write nothing.
    Check(CheckArgs),
    /// Turn plain-text digests into Markdown digests (`-` reads standard input).
    Import(ImportArgs),
    /// Build the site and serve it with live reload.
    Serve(ServeArgs),
    /// Print what one page's template receives, as JSON (`castdown context /episodes/<slug>/`).
    Context(ContextArgs),
    /// Print a shell completion script (`castdown completions bash > …`).
    Completions {
        /// bash, zsh, fish, elvish or powershell.
        shell: clap_complete::Shell,
    },
}

/// `castdown serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Site root.
    #[arg(long, default_value = ".")]
    pub root: PathBuf,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    pub bind: std::net::IpAddr,
    /// Port to listen on (0 picks a free one).
    #[arg(long, short, default_value_t = 1111)]
    pub port: u16,
    /// Open the site in a browser.
    #[arg(long)]
    pub open: bool,
    /// Include drafts.
    #[arg(long)]
    pub drafts: bool,
    /// Serve under this URL's path (`https://example.org/project/` serves at
    /// `http://127.0.0.1:1111/project/`); default the configured base_url's path.
    #[arg(long, value_name = "URL")]
    pub base_url: Option<String>,
    /// Set from the global `--config`.
    #[arg(skip)]
    pub config: Option<PathBuf>,
}

/// `castdown import`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// Plain-text digests to import; `-` reads standard input.
    #[arg(required_unless_present = "feed")]
    pub files: Vec<String>,
    /// A podcast's RSS feed, saved as a file: one digest per episode that has none yet
    /// (matched by guid; nothing is overwritten).
    #[arg(long, value_name = "FILE.xml", conflicts_with_all = ["files", "date", "force"])]
    pub feed: Option<PathBuf>,
    /// Folder to write the Markdown digests into.
    #[arg(long, default_value = "content/episodes")]
    pub out: PathBuf,
    /// The show, overriding any `By <show>` line.
    #[arg(long)]
    pub show: Option<String>,
    /// The episode date (YYYY-MM-DD or RFC 3339); without it the digest is left for you to date.
    #[arg(long)]
    pub date: Option<String>,
    /// The original episode's URL (`source:`).
    #[arg(long, conflicts_with = "feed")]
    pub source: Option<String>,
    /// People in the episode, comma-separated or repeated (`people:`).
    #[arg(long, conflicts_with = "feed")]
    pub people: Vec<String>,
    /// The episode's length: H:MM:SS, MM:SS, seconds or ISO 8601 (`duration:`).
    #[arg(long, conflicts_with = "feed")]
    pub duration: Option<String>,
    /// The file name (and so the URL) of the one digest imported, instead of the title's.
    #[arg(long, conflicts_with = "feed")]
    pub slug: Option<String>,
    /// Overwrite existing files.
    #[arg(long)]
    pub force: bool,
}

/// `castdown init`.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// Folder for the new site (default: the current folder).
    pub dir: Option<PathBuf>,
    /// Create the site even if the folder is not empty (existing files are kept).
    #[arg(long)]
    pub force: bool,
}

/// `castdown new`.
#[derive(Debug, Args)]
pub struct NewArgs {
    /// The digest's title.
    pub title: String,
    /// The show it belongs to.
    #[arg(long)]
    pub show: Option<String>,
    /// Site root.
    #[arg(long, default_value = ".")]
    pub root: PathBuf,
}

/// `castdown build`.
#[derive(Debug, Args)]
pub struct BuildArgs {
    /// Site root.
    #[arg(long, default_value = ".")]
    pub root: PathBuf,
    /// Output folder (default: ROOT/public).
    #[arg(long, short)]
    pub output: Option<PathBuf>,
    /// Override base_url from castdown.yaml.
    #[arg(long)]
    pub base_url: Option<String>,
    /// Include drafts.
    #[arg(long)]
    pub drafts: bool,
    /// Build from nothing: parse every digest, render every body and write every file
    /// anew instead of reusing the previous build's work and unchanged files.
    #[arg(long)]
    pub clean: bool,
    /// Include digests dated in the future (held back by default).
    #[arg(long)]
    pub future: bool,
    /// Set from the global `--config`.
    #[arg(skip)]
    pub config: Option<PathBuf>,
}

/// `castdown context`.
#[derive(Debug, Args)]
pub struct ContextArgs {
    /// The page: its path (`/episodes/<slug>/`, `/concepts/<slug>/page/2/`, `/`,
    /// `/404.html`), with or without the base path, or its absolute URL.
    pub page: String,
    /// The site, read as `check` reads it.
    #[command(flatten)]
    pub site: CheckArgs,
}

/// `castdown check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Site root.
    #[arg(long, default_value = ".")]
    pub root: PathBuf,
    /// Override base_url from castdown.yaml.
    #[arg(long)]
    pub base_url: Option<String>,
    /// Include drafts.
    #[arg(long)]
    pub drafts: bool,
    /// Include digests dated in the future (held back by default).
    #[arg(long)]
    pub future: bool,
    /// Set from the global `--config`.
    #[arg(skip)]
    pub config: Option<PathBuf>,
}
