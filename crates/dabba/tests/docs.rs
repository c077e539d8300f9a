//! The documents point only at files that exist: every repository path named in the README and
//! in docs/ (in backticks or as a link) is there.

use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Paths with a folder and a file extension, as written in backticks or link targets.
fn named_paths(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for piece in text.split(['`', '(', ')', ' ', '\n']) {
        // A sentence's full stop is not part of a path; a leading dot is (`.ci/run`).
        let p = piece.trim_matches(|c: char| c == ',' || c == ':' || c == ';').trim_end_matches('.');
        let has_ext = [".rs", ".md", ".sql", ".toml", ".py", ".sh"].iter().any(|e| p.ends_with(e));
        if has_ext
            && p.contains('/')
            && !p.starts_with('/')
            && !p.contains("://")
            && !p.contains('{')
            && !p.contains('*')
        {
            out.push(p.to_owned());
        }
    }
    out
}

#[test]
fn documents_name_only_files_that_exist() {
    let root = root();
    let mut docs = vec![root.join("README.md")];
    for entry in std::fs::read_dir(root.join("docs")).unwrap() {
        docs.push(entry.unwrap().path());
    }
    let mut missing = Vec::new();
    let mut checked = 0;
    for doc in docs.iter().filter(|d| d.extension().is_some_and(|e| e == "md")) {
        let text = std::fs::read_to_string(doc).unwrap();
        for p in named_paths(&text) {
            checked += 1;
            let beside = doc.parent().unwrap().join(&p);
            if !root.join(&p).exists() && !beside.exists() {
                missing.push(format!("{}: {p}", doc.display()));
            }
        }
    }
    assert!(checked > 5, "the scan found paths at all ({checked})");
    assert!(missing.is_empty(), "named but not in the repository: {missing:#?}");
}

#[test]
fn the_readme_does_not_promise_what_is_built() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    assert!(!readme.contains("come next"), "the README says built parts come next");
}
