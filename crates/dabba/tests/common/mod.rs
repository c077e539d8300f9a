//! The `dabba` binary as a child process, for tests that run it as an operator does.

#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

/// `dabba --database-url URL …`, with none of the operator's environment leaking in.
pub fn dabba_at(url: &str) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_dabba"));
    c.env_remove("DABBA_DATABASE_URL").env_remove("DABBA_LISTEN").env_remove("DABBA_JWT_SECRET");
    c.arg("--database-url").arg(url);
    c
}

/// Starts `serve` on a free port; returns the child, its base URL and the banner lines
/// printed before it served.
pub fn serve_at(url: &str, extra: &[&str]) -> (Child, String, Vec<String>) {
    let mut child = dabba_at(url)
        .args(["serve"])
        .args(extra)
        .env("DABBA_LISTEN", "127.0.0.1:0")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut seen = Vec::new();
    for line in lines.by_ref() {
        let line = line.unwrap();
        if let Some(rest) = line.strip_prefix("dabba is serving on ") {
            let base = rest.split_whitespace().next().unwrap().to_owned();
            // Keep draining stdout so the server never blocks on a full pipe.
            std::thread::spawn(move || lines.for_each(drop));
            return (child, base, seen);
        }
        seen.push(line);
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("server exited before serving: {seen:?}");
}
