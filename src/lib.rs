//! castdown: a static site generator for episode digests.
//!
//! The modules follow the data: [`load`] reads `content/` into typed digests, [`markdown`]
//! turns bodies into HTML, [`site`] builds the model of episodes, concepts, shows and people,
//! [`render`] runs the Tera theme, and [`output`] writes the result atomically. [`pipeline`]
//! strings them together for the commands in `cmd/`.

pub mod bodies;
pub mod config;
pub mod data;
pub mod error;
pub mod feeds;
pub mod hash;
pub mod import;
pub mod linkcheck;
pub mod load;
pub mod markdown;
pub mod mime;
pub mod names;
pub mod output;
pub mod pipeline;
pub mod render;
pub mod scaffold;
pub mod search;
pub mod serve;
pub mod site;
pub mod text;
pub mod theme;
pub mod transcript;
