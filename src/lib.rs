//! castdown: a static site generator for episode digests.
//!
//! The modules follow the data: `load` reads `content/` into typed digests, `site` builds
//! the model of episodes, concepts, shows and people, `bodies` renders their Markdown
//! (`markdown`), `render` runs the Tera theme, `feeds`, `data` and `search` make the other
//! files, and `output` writes the result atomically. `pipeline` strings them together in
//! the build orders of `build`, `check` and `serve`; `docs/architecture.md` draws it.
//!
//! Modules are public only where the binary (`cmd/`) or the integration tests reach them;
//! the rest are `pub(crate)`, so the compiler reports what nothing uses.

pub(crate) mod bodies;
pub mod config;
pub(crate) mod data;
pub mod error;
pub(crate) mod feeds;
pub(crate) mod hash;
pub mod i18n;
pub mod import;
pub(crate) mod linkcheck;
pub mod load;
pub mod markdown;
pub(crate) mod mime;
pub(crate) mod names;
pub mod output;
pub mod pipeline;
pub(crate) mod render;
pub mod scaffold;
pub mod search;
pub mod serve;
pub mod site;
pub(crate) mod text;
pub(crate) mod theme;
pub(crate) mod transcript;
