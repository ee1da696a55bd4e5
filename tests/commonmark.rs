//! The CommonMark spec examples (npm `commonmark-spec`, installed by `tests/run` into
//! `tests/browser/node_modules`) through castdown's Markdown render:
//! 1. each renders as pulldown-cmark renders it, after the documented differences (heading
//!    ids, highlighted code blocks: compared as element structure and text);
//! 2. with the default policy (sanitise), no output carries an event handler or a
//!    `javascript:` URL;
//! 3. every list and inline example placed under a `## Key Concepts` heading renders
//!    well nested, with the same text as pulldown-cmark's (but the colons that part a
//!    term from its definition), and sanitised output is still safe.

use std::path::Path;

use castdown::config::{MarkdownOptions, RawHtml};
use castdown::markdown::{Highlighter, RenderContext, render};
use pulldown_cmark::{Options, Parser, html};
use scraper::{ElementRef, Html, Node};

struct Example {
    number: usize,
    section: String,
    markdown: String,
}

fn examples() -> Vec<Example> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/browser/node_modules/commonmark-spec/spec.txt");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e}; run `npm ci` in tests/browser (tests/run does)",
            path.display()
        )
    });
    let fence = "`".repeat(32);
    let mut out = Vec::new();
    let mut section = String::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        if line == format!("{fence} example") {
            let mut markdown = String::new();
            for l in lines.by_ref() {
                if l == "." {
                    break;
                }
                markdown.push_str(l);
                markdown.push('\n');
            }
            for l in lines.by_ref() {
                if l == fence {
                    break;
                }
            }
            out.push(Example {
                number: out.len() + 1,
                section: section.clone(),
                markdown: markdown.replace('→', "\t"),
            });
        } else if let Some(h) = line.strip_prefix('#') {
            section = h.trim_start_matches('#').trim().to_string();
        }
    }
    assert_eq!(out.len(), 652, "the 0.31.2 spec has 652 examples");
    out
}

fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES
}

fn pulldown(md: &str) -> String {
    let mut out = String::new();
    html::push_html(&mut out, Parser::new_ext(md, options()));
    out
}

fn castdown(md: &str, raw_html: RawHtml, h: &Highlighter) -> String {
    let lookup = |t: &str| (!t.is_empty()).then(|| "/concepts/x/".to_string());
    let cx = RenderContext {
        options: MarkdownOptions {
            raw_html,
            smart_punctuation: false,
        },
        highlighter: h,
        base_path: "/",
        concept_url: &lookup,
        // Pages and curated text: `[1:02]` stays text, as CommonMark has it.
        moment_url: None,
    };
    render(md, &cx).html
}

/// Element structure and text, without what castdown adds on purpose: heading ids, the
/// classes and spans of highlighted code.
fn structure(html: &str) -> String {
    fn walk(e: ElementRef, out: &mut String) {
        for child in e.children() {
            match child.value() {
                Node::Text(t) => out.push_str(t),
                Node::Element(el) => {
                    let Some(child_ref) = ElementRef::wrap(child) else {
                        continue;
                    };
                    let name = el.name();
                    let highlight_span =
                        name == "span" && el.attr("class").is_some_and(|c| c.starts_with("hl-"));
                    if highlight_span {
                        walk(child_ref, out);
                        continue;
                    }
                    let mut attrs: Vec<String> = el
                        .attrs()
                        .filter(|(k, _)| {
                            !(*k == "id" && name.len() == 2 && name.starts_with('h'))
                                && !((name == "pre" || name == "code")
                                    && (*k == "class" || *k == "data-lang"))
                        })
                        .map(|(k, v)| format!("{k}={v}"))
                        .collect();
                    attrs.sort();
                    out.push_str(&format!("<{name} {}>", attrs.join(" ")));
                    walk(child_ref, out);
                    out.push_str(&format!("</{name}>"));
                }
                _ => {}
            }
        }
    }
    let doc = Html::parse_fragment(html);
    let mut out = String::new();
    walk(doc.root_element(), &mut out);
    // Whitespace beside a tag is not compared: castdown's highlighted block is not preceded
    // by the line break pulldown-cmark writes before `<pre>` in a list item.
    out.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace("> ", ">")
        .replace(" <", "<")
}

/// Text only, without whitespace and colons.
fn text_of(html: &str) -> String {
    Html::parse_fragment(html)
        .root_element()
        .text()
        .flat_map(str::chars)
        .filter(|c| !c.is_whitespace() && *c != ':')
        .collect()
}

/// Whether `html`'s tags nest properly (void elements aside), read as written.
fn well_nested(html: &str) -> bool {
    const VOID: &[&str] = &[
        "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr",
    ];
    let mut stack: Vec<String> = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find('<') {
        rest = &rest[i + 1..];
        if let Some(after) = rest.strip_prefix("!--") {
            // `<!-->` and `<!--->` are whole comments in HTML.
            rest = if let Some(a) = after.strip_prefix('>') {
                a
            } else if let Some(a) = after.strip_prefix("->") {
                a
            } else {
                after.find("-->").map_or("", |j| &after[j + 3..])
            };
            continue;
        }
        let Some(end) = rest.find('>') else { break };
        let tag = &rest[..end];
        rest = &rest[end + 1..];
        let closing = tag.starts_with('/');
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        if name.is_empty() || VOID.contains(&name.as_str()) || tag.ends_with('/') {
            continue;
        }
        if closing {
            if stack.pop().as_deref() != Some(name.as_str()) {
                return false;
            }
        } else {
            stack.push(name);
        }
    }
    stack.is_empty()
}

/// No event handler attribute and no `javascript:` URL anywhere in the parsed output.
fn is_safe(html: &str) -> Result<(), String> {
    let doc = Html::parse_fragment(html);
    for node in doc.root_element().descendants() {
        if let Node::Element(el) = node.value() {
            for (k, v) in el.attrs() {
                let compact: String = v
                    .chars()
                    .filter(|c| !c.is_whitespace() && !c.is_control())
                    .collect::<String>()
                    .to_ascii_lowercase();
                if k.starts_with("on") || compact.starts_with("javascript:") {
                    return Err(format!("<{} {k}={v:?}>", el.name()));
                }
            }
            if el.name() == "script" {
                return Err("<script>".into());
            }
        }
    }
    Ok(())
}

#[test]
fn spec_examples_render_as_pulldown_cmark_renders_them() {
    let h = Highlighter::new();
    let mut failures = Vec::new();
    for ex in examples() {
        let want = structure(&pulldown(&ex.markdown));
        let got = structure(&castdown(&ex.markdown, RawHtml::Allow, &h));
        if want != got {
            failures.push(format!(
                "example {} ({}):\n  markdown {:?}\n  pulldown {want}\n  castdown {got}",
                ex.number, ex.section, ex.markdown
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn sanitised_spec_examples_carry_no_handler_or_javascript_url() {
    let h = Highlighter::new();
    for ex in examples() {
        for raw_html in [RawHtml::Sanitize, RawHtml::Escape] {
            let out = castdown(&ex.markdown, raw_html, &h);
            if let Err(e) = is_safe(&out) {
                panic!("example {} ({raw_html:?}): {e}\n{out}", ex.number);
            }
        }
    }
}

fn under_key_concepts(ex: &Example) -> Option<String> {
    const LISTS: &[&str] = &["List items", "Lists"];
    const INLINES: &[&str] = &[
        "Backslash escapes",
        "Entity and numeric character references",
        "Code spans",
        "Emphasis and strong emphasis",
        "Links",
        "Images",
        "Autolinks",
        "Raw HTML",
        "Hard line breaks",
        "Soft line breaks",
        "Textual content",
        "Inlines",
    ];
    if LISTS.contains(&ex.section.as_str()) {
        Some(format!("## Key Concepts\n\n{}", ex.markdown))
    } else if INLINES.contains(&ex.section.as_str()) {
        // As the first item of a list, continuation lines indented under it.
        let mut item = String::from("- ");
        for (i, line) in ex.markdown.lines().enumerate() {
            if i > 0 {
                item.push_str("  ");
            }
            item.push_str(line);
            item.push('\n');
        }
        Some(format!("## Key Concepts\n\n{item}"))
    } else {
        None
    }
}

#[test]
fn list_and_inline_examples_under_key_concepts_stay_well_nested_and_safe() {
    let h = Highlighter::new();
    let mut failures = Vec::new();
    let mut tried = 0;
    for ex in examples() {
        let Some(md) = under_key_concepts(&ex) else {
            continue;
        };
        tried += 1;
        let reference = pulldown(&md);
        let got = castdown(&md, RawHtml::Allow, &h);
        // Raw HTML examples may be ill-nested on purpose; hold castdown to what it was given.
        if well_nested(&reference) && !well_nested(&got) {
            failures.push(format!("example {}: ill nested\n{md}\n{got}", ex.number));
        }
        if text_of(&reference) != text_of(&got) {
            failures.push(format!(
                "example {}: text differs\n{md}\npulldown {reference}\ncastdown {got}",
                ex.number
            ));
        }
        for raw_html in [RawHtml::Sanitize, RawHtml::Escape] {
            let out = castdown(&md, raw_html, &h);
            if let Err(e) = is_safe(&out) {
                failures.push(format!("example {} ({raw_html:?}): {e}\n{out}", ex.number));
            }
        }
    }
    assert!(
        tried > 300,
        "only {tried} examples were placed under the heading"
    );
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn the_checks_catch_what_they_look_for() {
    assert!(!well_nested("<dt><strong>a</dt></strong>"));
    assert!(well_nested(
        "<dl><dt><a href=\"x\">a</a></dt><dd>b<br></dd></dl>"
    ));
    assert!(is_safe("<img src=x onerror=alert(1)>").is_err());
    assert!(is_safe("<a href=\" JavaScript:x\">a</a>").is_err());
    assert!(is_safe("<a href=\"/x\">a</a>").is_ok());
}

#[test]
fn regression_key_concepts_items_bypassed_the_sanitiser() {
    let h = Highlighter::new();
    for md in [
        "## Key Concepts\n\n- <img src=x onerror=alert(1)>: def\n",
        "## Key Concepts\n\n- [x](javascript:alert(1)): def\n",
        "## Key Concepts\n\n- **[x](javascript:alert(1))**: def\n",
    ] {
        for raw_html in [RawHtml::Sanitize, RawHtml::Escape] {
            let out = castdown(md, raw_html, &h);
            assert!(is_safe(&out).is_ok(), "{raw_html:?}: {out}");
        }
    }
    let escaped = castdown(
        "## Key Concepts\n\n- <img src=x onerror=alert(1)>: def\n",
        RawHtml::Escape,
        &h,
    );
    assert!(escaped.contains("&lt;img"), "{escaped}");
    // A link in a linked bold term does not nest an anchor in an anchor.
    let out = castdown(
        "## Key Concepts\n\n- **[Alpha](/a/)**: def\n",
        RawHtml::Allow,
        &h,
    );
    assert_eq!(out.matches("<a ").count(), 1, "{out}");
    assert!(well_nested(&castdown(
        "## Key Concepts\n\n- ****Alpha****: def\n",
        RawHtml::Allow,
        &h
    )));
    // A later paragraph that opens with a colon keeps it.
    let out = castdown(
        "## Key Concepts\n\n- **Alpha**\n\n## Next\n\n:smile: here\n",
        RawHtml::Allow,
        &h,
    );
    assert!(out.contains("<p>:smile: here</p>"), "{out}");
}
