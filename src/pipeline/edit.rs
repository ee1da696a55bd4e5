//! Which kind of edit a digest had, from what it changed: what decides whether serve redoes
//! only the files showing one episode (`episode.rs`), and what an edit reaches in a build
//! that reuses the last one (`reach.rs`). Apart from both so that neither depends on the
//! other's build order.

use std::sync::Arc;

use crate::load::Digest;
use crate::load::digest::ConceptRef;

/// What an edit to a digest changed, from least to most.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Edit {
    /// Nothing any file shows (a position in the file moved).
    Nothing,
    /// The body only (and not the summary drawn from it).
    Body,
    /// What the episode's card or term entries show: title, summary, duration, source,
    /// media, extra, definitions.
    Card,
    /// What the rest of the model is computed from: this takes a build.
    Model,
}

/// What changed between two versions of a digest. `Digest` is taken apart whole, with no
/// `..`: a field added to it does not compile here until someone says which kind of edit
/// changing it is.
pub(super) fn classify(old: &Digest, new: &Digest) -> Edit {
    let Digest {
        path,
        title,
        show,
        date,
        source,
        duration,
        people,
        concepts,
        summary,
        transcript,
        transcript_data,
        media,
        image,
        assets,
        episode,
        season,
        chapters,
        slug,
        draft,
        aliases,
        extra,
        body,
        // Where the body lies in its file: the body is compared below.
        body_at: _,
        // The body's hash follows the body: a build keeps no bodies, only their hashes.
        body_hash,
        body_line: _,
        key_concepts_in_body,
        concepts_in_front_matter,
        source_hash: _,
        key_pos: _,
    } = new;
    fn names(concepts: &[ConceptRef]) -> impl Iterator<Item = &str> {
        concepts.iter().map(|c| c.name.as_str())
    }
    let transcript_hash =
        |t: &Option<Arc<crate::transcript::Transcript>>| t.as_ref().map(|t| t.hash);
    let model = *path != old.path
        || *show != old.show
        || *date != old.date
        || *people != old.people
        || !names(concepts).eq(names(&old.concepts))
        || *transcript != old.transcript
        || transcript_hash(transcript_data) != transcript_hash(&old.transcript_data)
        || *slug != old.slug
        || *draft != old.draft
        || *aliases != old.aliases
        || *key_concepts_in_body != old.key_concepts_in_body
        || *concepts_in_front_matter != old.concepts_in_front_matter
        // Chapter files appear or go; so do co-located files.
        || chapters.is_empty() != old.chapters.is_empty()
        || *assets != old.assets;
    let card = *title != old.title
        || *source != old.source
        || *duration != old.duration
        || *concepts != old.concepts
        || *summary != old.summary
        || *media != old.media
        || *chapters != old.chapters
        || *image != old.image
        || *episode != old.episode
        || *season != old.season
        || *extra != old.extra;
    if model {
        Edit::Model
    } else if card {
        Edit::Card
    } else if *body != old.body || *body_hash != old.body_hash {
        Edit::Body
    } else {
        Edit::Nothing
    }
}
