//! Every word of the page in both languages: the English texts the code marks with `tr("…")`,
//! `tr!("…", …)` or `tr_key!("…")` (in `src/view` and `src/app`, tests left out), the words
//! the core hands the page as `Detail::new("…", …)` or `Detail::plain("…")` (what checkers
//! saw, the event log's words, what is wrong with a scenario), and the
//! protocols' invariants as the page lists them, against the Chinese catalogue,
//! `static/i18n/zh.json`. A text the catalogue lacks, an entry no code uses, or a
//! translation with other blanks than its English fails here, naming the text.

use std::collections::BTreeSet;
use std::path::Path;

use distlab::view::i18n::{Catalogue, blanks};

const CATALOGUE: &str = include_str!("../static/i18n/zh.json");

/// The Rust string literal that starts at `s` (after its opening quote), unescaped, and the
/// rest after its closing quote.
fn literal(s: &str) -> Option<(String, &str)> {
    let mut out = String::new();
    let mut chars = s.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return Some((out, &s[i + 1..])),
            '\\' => match chars.next()?.1 {
                'n' => out.push('\n'),
                't' => out.push('\t'),
                '0' => out.push('\0'),
                '\\' => out.push('\\'),
                '"' => out.push('"'),
                '\'' => out.push('\''),
                // A line continuation: the newline and the next line's indentation go.
                '\n' => {
                    while chars.peek().is_some_and(|(_, c)| c.is_whitespace()) {
                        chars.next();
                    }
                }
                'u' => {
                    let rest = &s[chars.peek()?.0..];
                    let close = rest.find('}')?;
                    let code = u32::from_str_radix(&rest[1..close], 16).ok()?;
                    out.push(char::from_u32(code)?);
                    for _ in 0..=close {
                        chars.next();
                    }
                }
                other => panic!("an escape this scan does not know: \\{other}"),
            },
            c => out.push(c),
        }
    }
    None
}

/// Where a source file's test module starts (`#[cfg(test)] mod tests {`), or its end: an
/// attribute on a line of its own (`#[cfg(test)] mod harness;`, a test-only `use`) does not
/// end the code that ships.
fn test_module(source: &str) -> usize {
    let mut from = 0;
    while let Some(at) = source[from..].find("#[cfg(test)]") {
        let start = from + at;
        from = start + "#[cfg(test)]".len();
        let next = source[from..].trim_start().lines().next().unwrap_or_default();
        if next.starts_with("mod ") && next.trim_end().ends_with('{') {
            return start;
        }
    }
    source.len()
}

/// The texts a source file marks for translation, with their lines.
fn marked(source: &str) -> Vec<(String, usize)> {
    let code = &source[..test_module(source)];
    let mut found = Vec::new();
    for needle in ["tr(", "tr!(", "tr_key!(", "Detail::new(", "Detail::plain("] {
        let mut from = 0;
        while let Some(at) = code[from..].find(needle) {
            let start = from + at;
            from = start + needle.len();
            // `tr(` itself, not `attr(` or `str(`; and a literal (perhaps on the next line, as
            // rustfmt leaves a long call), not `tr(word)`.
            if code[..start].chars().next_back().is_some_and(|c| c.is_alphanumeric() || c == '_') {
                continue;
            }
            let rest = code[from..].trim_start();
            let Some(body) = rest.strip_prefix('"') else {
                continue;
            };
            let (text, _) = literal(body).unwrap_or_else(|| panic!("an unclosed literal after {needle}"));
            let line = code[..start].lines().count();
            found.push((text, line));
        }
    }
    found
}

fn sources(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            // The catalogue's own code and tests use made-up texts.
            if !path.ends_with("i18n") {
                sources(&path, out);
            }
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Texts that reach the page as data from the protocols (their invariants' names and
/// statements: the checkers' words, which the CLI prints in English), translated where shown.
fn from_protocols() -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for s in distlab::view::shipped::SHIPPED {
        let run = distlab::view::LabRun::shipped(s.name).unwrap_or_else(|e| panic!("{}: {e}", s.name));
        for i in run.invariants() {
            for text in [i.name, i.statement] {
                if !out.iter().any(|(t, _)| t == text) {
                    out.push((text.to_string(), format!("an invariant of {}", s.protocol)));
                }
            }
        }
    }
    out
}

/// Every marked text in the page's code, with where it is first used, and the protocols' words:
/// their invariants, and what their checkers say when one breaks (`Detail::new("…", …)`), and
/// the scenario parser's errors (`src/scenario`), which the page shows when a file, a link or a
/// setting is refused.
fn used() -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    sources(&root.join("src/view"), &mut files);
    sources(&root.join("src/app"), &mut files);
    sources(&root.join("src/protocols"), &mut files);
    sources(&root.join("src/sim"), &mut files);
    sources(&root.join("src/scenario"), &mut files);
    files.sort();
    let mut seen = BTreeSet::new();
    let mut out = from_protocols();
    seen.extend(out.iter().map(|(t, _)| t.clone()));
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        for (t, line) in marked(&text) {
            if seen.insert(t.clone()) {
                out.push((t, format!("{}:{line}", f.strip_prefix(root).unwrap().display())));
            }
        }
    }
    out
}

#[test]
fn the_scan_reads_the_code_before_the_test_module_only() {
    let src = "#[cfg(test)]\nmod harness;\nfn a() { tr(\"shipped\"); }\n#[cfg(test)]\nmod tests {\n    fn b() { tr(\"test only\"); }\n}\n";
    let texts: Vec<String> = marked(src).into_iter().map(|(t, _)| t).collect();
    assert_eq!(texts, ["shipped"]);
}

#[test]
fn the_scan_reads_literals_as_rust_does() {
    let src = "let a = tr(\"Play\"); let b = attr(\"no\"); tr(word); tr!(\"m{id} \\\"x\\\"\\n\", id = 3); tr!(\"one \\\n    two\"); tr!(\n    \"next line\",\n);";
    let texts: Vec<String> = marked(src).into_iter().map(|(t, _)| t).collect();
    assert_eq!(texts, vec!["Play".to_string(), "m{id} \"x\"\n".to_string(), "one two".to_string(), "next line".to_string()]);
}

#[test]
fn every_text_the_page_shows_is_in_chinese() {
    let zh = Catalogue::parse(CATALOGUE).expect("static/i18n/zh.json");
    let used = used();
    assert!(used.len() > 100, "only {} marked texts found: is the scan still finding `tr(`?", used.len());
    let missing: Vec<String> = used.iter().filter(|(t, _)| zh.get(t).is_none()).map(|(t, at)| format!("{t:?} ({at})")).collect();
    assert!(missing.is_empty(), "{} texts have no Chinese in static/i18n/zh.json:\n{}", missing.len(), missing.join("\n"));
}

#[test]
fn the_catalogue_has_no_text_the_page_no_longer_shows() {
    let zh = Catalogue::parse(CATALOGUE).unwrap();
    let used: BTreeSet<String> = used().into_iter().map(|(t, _)| t).collect();
    let stale: Vec<&str> = zh.keys().filter(|k| !used.contains(*k)).collect();
    assert!(stale.is_empty(), "static/i18n/zh.json translates texts no code marks: {stale:?}");
}

#[test]
fn translations_fill_the_same_blanks() {
    let zh = Catalogue::parse(CATALOGUE).unwrap();
    for (en, t) in zh.pairs() {
        let (mut a, mut b) = (blanks(en), blanks(t));
        a.sort_unstable();
        b.sort_unstable();
        assert_eq!(a, b, "{en:?} and its translation {t:?} have different blanks");
    }
}

#[test]
fn translations_are_chinese() {
    // A translation that is its English again is a text someone forgot; names (S1, Raft) never
    // go through `tr`. Chinese is its characters, or its punctuation (", " is "、").
    let zh = Catalogue::parse(CATALOGUE).unwrap();
    let untranslated: Vec<&str> = zh
        .pairs()
        .filter(|(en, t)| en == t || !t.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c) || ('\u{3000}'..='\u{303f}').contains(&c) || ('\u{ff00}'..='\u{ffef}').contains(&c)))
        .map(|(en, _)| en)
        .collect();
    assert!(untranslated.is_empty(), "entries with no Chinese in their translation: {untranslated:?}");
}

#[test]
fn a_scenario_is_called_in_chinese_what_its_guide_calls_itself() {
    // The picker's titles are the page's words (the catalogue); the guide's own Chinese title
    // is in its file: the two must agree.
    let zh = Catalogue::parse(CATALOGUE).unwrap();
    for s in distlab::view::shipped::SHIPPED {
        let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios").join(s.name)).unwrap();
        let sc = distlab::scenario::Scenario::parse(&text, Some(s.name)).unwrap();
        let title_zh = sc.guide.as_ref().and_then(|g| g.title_zh.as_deref());
        assert_eq!(zh.get(s.title), title_zh, "{}: the catalogue's Chinese for {:?} and the guide's title_zh", s.name, s.title);
    }
}
