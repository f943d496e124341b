//! The house is one-way: a module uses only modules of its own or a lower layer
//! (`docs/architecture.md` lists the layers, and this test reads them from there), and no two files
//! use each other, directly or round a ring. A module's `mod.rs` and its own files may use each
//! other: that is the facade a module shows the rest.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// A source file as the checker reads it: its path, its module path and its text.
type Source = (String, Vec<String>, String);

/// `(file, module path)` of every source file: `src/store/gaps.rs` is `store::gaps`.
fn sources(root: &Path) -> Vec<(PathBuf, Vec<String>)> {
    fn walk(dir: &Path, root: &Path, out: &mut Vec<(PathBuf, Vec<String>)>) {
        let mut entries: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .collect();
        entries.sort();
        for p in entries {
            if p.is_dir() {
                walk(&p, root, out);
            } else if p.extension().is_some_and(|x| x == "rs") {
                let rel = p.strip_prefix(root).unwrap();
                let mut parts: Vec<String> = rel
                    .iter()
                    .map(|s| s.to_string_lossy().trim_end_matches(".rs").to_owned())
                    .collect();
                if parts.last().is_some_and(|l| l == "mod") {
                    parts.pop();
                }
                out.push((p.clone(), parts));
            }
        }
    }
    let mut out = Vec::new();
    walk(root, root, &mut out);
    out
}

/// Code without comments and string literals' contents, so a doc link or a message naming a module
/// is no import.
fn code(text: &str) -> String {
    let mut out = String::new();
    for line in text.lines() {
        let line = line.split("//").next().unwrap_or("");
        let mut in_str = false;
        let mut prev = ' ';
        for c in line.chars() {
            if c == '"' && prev != '\\' {
                in_str = !in_str;
            } else if !in_str {
                out.push(c);
            }
            prev = c;
        }
        out.push('\n');
    }
    out
}

/// The module paths a file refers to: `crate::a::b`, `super::x`, and the names in `crate::{a, b}`.
fn references(text: &str, module: &[String]) -> Vec<Vec<String>> {
    let code = code(text);
    let mut out = Vec::new();
    // Lower-case segments are modules; the path ends at the first segment that is not one.
    let path_of = |s: &str| -> Vec<String> {
        let mut out = Vec::new();
        for seg in s.split("::") {
            let seg = seg.trim_start();
            let ident: String = seg
                .chars()
                .take_while(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '_')
                .collect();
            if ident.is_empty() {
                break;
            }
            let whole = ident.len() == seg.len();
            out.push(ident);
            if !whole {
                break;
            }
        }
        out
    };
    let bytes = code.as_bytes();
    let mut i = 0;
    while i < code.len() {
        let rest = &code[i..];
        let boundary = i == 0
            || !(bytes[i - 1].is_ascii_alphanumeric()
                || bytes[i - 1] == b'_'
                || bytes[i - 1] == b':');
        let (base, skip): (Vec<String>, usize) = if boundary && rest.starts_with("crate::") {
            (Vec::new(), 7)
        } else if boundary && rest.starts_with("super::") {
            // In `a/b.rs` (module a::b) and in `a/b/mod.rs` alike, `super` is `a`.
            let mut up = module.to_vec();
            let mut n = 0;
            let mut r = rest;
            while let Some(t) = r.strip_prefix("super::") {
                up.pop();
                n += 7;
                r = t;
            }
            (up, n)
        } else {
            i += rest.chars().next().map_or(1, char::len_utf8);
            continue;
        };
        let tail = &rest[skip..];
        if let Some(group) = tail.strip_prefix('{') {
            let inner = group.split('}').next().unwrap_or("");
            for item in inner.split(',') {
                let p = path_of(item);
                if !p.is_empty() {
                    out.push([base.clone(), p].concat());
                }
            }
        } else {
            let p = path_of(tail);
            out.push([base, p].concat());
        }
        i += skip;
    }
    out
}

/// The file a module path lands in: the longest prefix that is a source file.
fn resolve<'a>(
    path: &[String],
    files: &'a BTreeMap<Vec<String>, PathBuf>,
) -> Option<&'a Vec<String>> {
    (1..=path.len())
        .rev()
        .find_map(|n| files.get_key_value(&path[..n]).map(|(k, _)| k))
}

/// The layers, lowest first, from the fenced block of `docs/architecture.md` (`L<n>: a b c`).
fn layers(doc: &str) -> BTreeMap<String, usize> {
    let mut out = BTreeMap::new();
    for line in doc.lines() {
        let Some((head, mods)) = line.split_once(':') else {
            continue;
        };
        let Some(n) = head
            .trim()
            .strip_prefix('L')
            .and_then(|n| n.parse::<usize>().ok())
        else {
            continue;
        };
        for m in mods.split_whitespace() {
            out.insert(m.trim_matches(',').to_owned(), n);
        }
    }
    out
}

struct Findings {
    upward: Vec<String>,
    rings: Vec<Vec<String>>,
    unplaced: Vec<String>,
}

fn check(files: &[Source], layer: &BTreeMap<String, usize>) -> Findings {
    let by_path: BTreeMap<Vec<String>, PathBuf> = files
        .iter()
        .map(|(f, m, _)| (m.clone(), PathBuf::from(f)))
        .collect();
    let mut upward = Vec::new();
    let mut unplaced = BTreeSet::new();
    let mut edges: BTreeMap<Vec<String>, BTreeSet<Vec<String>>> = BTreeMap::new();
    for (file, module, text) in files {
        let Some(top) = module.first() else { continue };
        if top == "main" || top == "lib" {
            continue;
        }
        let Some(&mine) = layer.get(top) else {
            unplaced.insert(top.clone());
            continue;
        };
        for r in references(text, module) {
            let Some(target) = resolve(&r, &by_path) else {
                continue;
            };
            if target == module {
                continue;
            }
            let other = &target[0];
            if other != top {
                match layer.get(other) {
                    Some(&theirs) if theirs > mine => upward.push(format!(
                        "{file}: `{top}` (L{mine}) uses `{}` (L{theirs})",
                        r.join("::")
                    )),
                    None if other != "main" && other != "lib" => {
                        unplaced.insert(other.clone());
                    }
                    _ => {}
                }
            }
            // A module's facade and its own files may use each other.
            let parent_child =
                |a: &[String], b: &[String]| b.len() == a.len() + 1 && b.starts_with(a);
            if !parent_child(module, target) && !parent_child(target, module) {
                edges
                    .entry(module.clone())
                    .or_default()
                    .insert(target.clone());
            }
        }
    }
    upward.sort();
    upward.dedup();
    Findings {
        upward,
        rings: rings(&edges),
        unplaced: unplaced.into_iter().collect(),
    }
}

/// The strongly connected groups of more than one file (Tarjan).
fn rings(edges: &BTreeMap<Vec<String>, BTreeSet<Vec<String>>>) -> Vec<Vec<String>> {
    struct T<'a> {
        edges: &'a BTreeMap<Vec<String>, BTreeSet<Vec<String>>>,
        index: BTreeMap<&'a Vec<String>, usize>,
        low: BTreeMap<&'a Vec<String>, usize>,
        stack: Vec<&'a Vec<String>>,
        on: BTreeSet<&'a Vec<String>>,
        next: usize,
        out: Vec<Vec<String>>,
    }
    fn visit<'a>(t: &mut T<'a>, v: &'a Vec<String>) {
        t.index.insert(v, t.next);
        t.low.insert(v, t.next);
        t.next += 1;
        t.stack.push(v);
        t.on.insert(v);
        if let Some(ws) = t.edges.get(v) {
            for w in ws {
                if !t.index.contains_key(w) {
                    visit(t, w);
                    let lw = t.low[w];
                    let lv = t.low[v];
                    t.low.insert(v, lv.min(lw));
                } else if t.on.contains(w) {
                    let iw = t.index[w];
                    let lv = t.low[v];
                    t.low.insert(v, lv.min(iw));
                }
            }
        }
        if t.low[v] == t.index[v] {
            let mut group = Vec::new();
            while let Some(w) = t.stack.pop() {
                t.on.remove(w);
                group.push(w.join("::"));
                if w == v {
                    break;
                }
            }
            if group.len() > 1 {
                group.sort();
                t.out.push(group);
            }
        }
    }
    let mut t = T {
        edges,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on: BTreeSet::new(),
        next: 0,
        out: Vec::new(),
    };
    for v in edges.keys() {
        if !t.index.contains_key(v) {
            visit(&mut t, v);
        }
    }
    t.out
}

fn real() -> (Vec<Source>, BTreeMap<String, usize>) {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let files = sources(&root.join("src"))
        .into_iter()
        .map(|(p, m)| {
            let text = std::fs::read_to_string(&p).unwrap();
            (
                p.strip_prefix(&root).unwrap().display().to_string(),
                m,
                text,
            )
        })
        .collect();
    let doc = std::fs::read_to_string(root.join("docs/architecture.md")).unwrap();
    (files, layers(&doc))
}

#[test]
fn no_lower_layer_uses_a_higher_one_and_no_files_form_a_ring() {
    let (files, layer) = real();
    let f = check(&files, &layer);
    assert!(
        f.unplaced.is_empty() && f.upward.is_empty() && f.rings.is_empty(),
        "modules missing from docs/architecture.md: {:?}\nimports against the layers:\n{}\nfiles that use each other:\n{:#?}",
        f.unplaced,
        f.upward.join("\n"),
        f.rings
    );
}

fn file(path: &str, module: &str, text: &str) -> Source {
    (
        path.into(),
        module.split("::").map(str::to_owned).collect(),
        text.into(),
    )
}

#[test]
fn the_checker_catches_a_planted_upward_import_and_a_ring() {
    let layer = layers("L0: domain\nL1: store\nL2: http\n");
    let clean = vec![
        file("src/domain/mod.rs", "domain", "pub struct Id;"),
        file(
            "src/store/mod.rs",
            "store",
            "use crate::domain::Id;\nmod gaps;\n",
        ),
        file(
            "src/store/gaps.rs",
            "store::gaps",
            "use super::Store; // crate::http in a comment is no import\n",
        ),
        file(
            "src/http/mod.rs",
            "http",
            "use crate::store::Store;\nfn f() { let _ = \"crate::http\"; }",
        ),
    ];
    let f = check(&clean, &layer);
    assert!(
        f.upward.is_empty() && f.rings.is_empty() && f.unplaced.is_empty(),
        "{:?} {:?}",
        f.upward,
        f.rings
    );

    // A lower layer reaching up.
    let mut bad = clean.clone();
    bad[2] = file(
        "src/store/gaps.rs",
        "store::gaps",
        "use crate::http::router;\n",
    );
    let f = check(&bad, &layer);
    assert_eq!(f.upward.len(), 1, "{:?}", f.upward);
    assert!(
        f.upward[0].contains("`store` (L1) uses `http::router` (L2)"),
        "{}",
        f.upward[0]
    );

    // Two sibling files that use each other.
    let mut ring = clean.clone();
    ring.push(file(
        "src/store/demand.rs",
        "store::demand",
        "use super::gaps::today;\n",
    ));
    ring[2] = file(
        "src/store/gaps.rs",
        "store::gaps",
        "use crate::store::demand::write_cells;\n",
    );
    let f = check(&ring, &layer);
    assert_eq!(
        f.rings,
        vec![vec!["store::demand".to_owned(), "store::gaps".to_owned()]]
    );

    // A module the document does not place.
    let mut new = clean;
    new.push(file("src/extra.rs", "extra", "use crate::domain::Id;"));
    assert_eq!(check(&new, &layer).unplaced, vec!["extra".to_owned()]);
}
