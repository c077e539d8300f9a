//! Embeds the web client (`web/` at the repository's root): every file under `web/app` gets a
//! content-hashed name and a gzip copy made here, so the binary serves them with no build step
//! of their own and no work at run time. `web/index.html` is a template filled at start-up.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};

fn main() {
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap()).join("../../web");
    let out = PathBuf::from(std::env::var("OUT_DIR").unwrap());
    println!("cargo:rerun-if-changed={}", root.display());
    let mut files = Vec::new();
    walk(&root.join("app"), &mut files);
    files.sort();
    let mut code = String::from("pub static ASSETS: &[Asset] = &[\n");
    for (n, file) in files.iter().enumerate() {
        let bytes = std::fs::read(file).unwrap();
        let rel = file.strip_prefix(&root).unwrap().to_string_lossy().replace('\\', "/");
        let gz = out.join(format!("asset{n}.gz"));
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        enc.write_all(&bytes).unwrap();
        std::fs::write(&gz, enc.finish().unwrap()).unwrap();
        let (stem, ext) = rel.rsplit_once('.').unwrap_or((&rel, ""));
        let hashed = format!("/{stem}.{:012x}.{ext}", fnv1a(&bytes) >> 16);
        writeln!(
            code,
            "    Asset {{ path: \"/{rel}\", hashed: \"{hashed}\", raw: include_bytes!({:?}), gzip: include_bytes!({:?}) }},",
            file.canonicalize().unwrap(),
            gz
        )
        .unwrap();
    }
    code.push_str("];\n");
    let index = root.join("index.html").canonicalize().unwrap();
    writeln!(code, "pub static INDEX_TEMPLATE: &str = include_str!({index:?});").unwrap();
    std::fs::write(out.join("assets.rs"), code).unwrap();
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            walk(&path, out);
        } else {
            out.push(path);
        }
    }
}

/// FNV-1a: stable across builds and toolchains (a name must not change unless its bytes do).
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3))
}
