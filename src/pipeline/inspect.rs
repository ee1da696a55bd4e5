//! `castdown context`: what one page's template receives, as JSON, for theme authors (as
//! Hugo's `debug` output). The site is built in memory the way `serve` builds it, then the
//! page asked for is declared again and its values printed instead of rendered.

use super::{BuildOptions, Caches, Search, build_incremental};
use crate::error::{Error, Result};
use crate::render::{Inputs, pages};
use crate::site::paths;

/// The template and the values of the page at `address` (`/episodes/<slug>/`, with or
/// without the base path, or its absolute URL): `{template, site, t, <page values>}`.
pub fn page_context(opts: &BuildOptions, address: &str) -> Result<serde_json::Value> {
    let built = build_incremental(opts, &mut Caches::default(), Search::ReuseLast)?;
    let site = &built.built.site;
    let memo = &built.memo;
    let wanted = site_path(&site.base.url, &site.base.path, address);
    let jobs = pages::all(site, true);
    let Some(job) = jobs.iter().find(|j| j.path(site) == wanted) else {
        return Err(Error::Usage(format!(
            "no page at /{wanted} (the site's pages are at /, /episodes/<slug>/, /concepts/<slug>/, /shows/<slug>/, /people/<slug>/, /<page>/, /search/, /404.html…)"
        )));
    };
    let body = match *job {
        pages::Job::Episode(i) => memo.bodies.episode(i),
        _ => None,
    };
    let inputs = Inputs {
        shared: &memo.shared,
        others: &memo.bodies.others,
    };
    let page = job
        .declare(site, inputs, body)
        .map_err(|d| Error::Site(vec![d]))?;
    Ok(page.to_json(site))
}

/// The site path (`episodes/x/`, `404.html`, `` for the home page) that `address` names.
fn site_path(base_url: &str, base_path: &str, address: &str) -> String {
    let mut rest = address.trim();
    if let Some(r) = rest.strip_prefix(base_url.trim_end_matches('/')) {
        rest = r;
    } else if let Some(r) = rest.strip_prefix(base_path.trim_end_matches('/'))
        && (r.is_empty() || r.starts_with('/'))
        && base_path != "/"
    {
        rest = r;
    }
    let rest = rest.split(['?', '#']).next().unwrap_or("");
    let rest = rest.trim_start_matches('/');
    let rest = rest.strip_suffix("index.html").unwrap_or(rest);
    if rest.is_empty() || rest.ends_with('/') || rest.ends_with(".html") {
        rest.to_string()
    } else if rest == paths::NOT_FOUND.trim_end_matches(".html") {
        paths::NOT_FOUND.to_string()
    } else {
        format!("{rest}/")
    }
}

#[cfg(test)]
mod tests {
    use super::site_path;

    #[test]
    fn addresses_are_read_as_users_write_them() {
        let p = |a: &str| site_path("https://e.org/d/", "/d/", a);
        assert_eq!(p("/episodes/x/"), "episodes/x/");
        assert_eq!(p("episodes/x"), "episodes/x/");
        assert_eq!(p("/d/episodes/x/"), "episodes/x/");
        assert_eq!(p("https://e.org/d/episodes/x/#top"), "episodes/x/");
        assert_eq!(p("/d/episodes/x/index.html"), "episodes/x/");
        assert_eq!(p("/"), "");
        assert_eq!(p("/d/"), "");
        assert_eq!(p("/404.html"), "404.html");
        assert_eq!(site_path("https://e.org/", "/", "/dx/"), "dx/");
    }
}
