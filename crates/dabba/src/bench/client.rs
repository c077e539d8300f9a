//! A minimal keep-alive HTTP/1.1 client for the load generator: GET, POST (JSON or form), PATCH and DELETE, `Content-Length`
//! bodies only (what axum sends for JSON). Small enough that the client's own cost stays well
//! below the server's, which a general-purpose client would not guarantee.

use std::io;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

pub struct Conn {
    stream: BufReader<TcpStream>,
    body: Vec<u8>,
}

impl Conn {
    pub async fn open(addr: std::net::SocketAddr) -> io::Result<Self> {
        let s = TcpStream::connect(addr).await?;
        s.set_nodelay(true)?;
        Ok(Self { stream: BufReader::with_capacity(64 * 1024, s), body: Vec::new() })
    }

    /// Sends a GET and reads the whole response; returns the status. The body stays in
    /// [`Conn::body`] until the next request.
    pub async fn get(&mut self, path: &str) -> io::Result<u16> {
        self.send("GET", path, &[], None).await
    }

    /// Sends a GET with extra headers (`Authorization`).
    pub async fn get_with(&mut self, path: &str, headers: &[(&str, &str)]) -> io::Result<u16> {
        self.send("GET", path, headers, None).await
    }

    /// Sends a form POST, as a browser submits a page.
    pub async fn post_form(&mut self, path: &str, body: &[u8]) -> io::Result<u16> {
        self.send("POST", path, &[], Some(("application/x-www-form-urlencoded", body))).await
    }

    /// Sends a JSON POST with extra headers (`Authorization`, `Idempotency-Key`…).
    pub async fn post(&mut self, path: &str, headers: &[(&str, &str)], body: &[u8]) -> io::Result<u16> {
        self.send("POST", path, headers, Some(("application/json", body))).await
    }

    /// Sends a JSON PATCH with extra headers.
    pub async fn patch(&mut self, path: &str, headers: &[(&str, &str)], body: &[u8]) -> io::Result<u16> {
        self.send("PATCH", path, headers, Some(("application/json", body))).await
    }

    /// Sends a DELETE without a body, with extra headers.
    pub async fn delete(&mut self, path: &str, headers: &[(&str, &str)]) -> io::Result<u16> {
        self.send("DELETE", path, headers, None).await
    }

    /// The `error_code` of a refusal in the last body, with the `reason_code` of its details
    /// when it has one (`OFFER_NOT_APPLICABLE/OFFER_EXHAUSTED`); `"?"` if the body says none.
    pub fn error_code(&self) -> String {
        let v: serde_json::Value = serde_json::from_slice(&self.body).unwrap_or_default();
        let code = v["error_code"].as_str().unwrap_or("?");
        match v["details"]["reason_code"].as_str() {
            Some(reason) => format!("{code}/{reason}"),
            None => code.to_owned(),
        }
    }

    async fn send(
        &mut self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<(&str, &[u8])>,
    ) -> io::Result<u16> {
        let mut req = format!("{method} {path} HTTP/1.1\r\nHost: bench\r\nAccept: application/json\r\n");
        for (k, v) in headers {
            req.push_str(&format!("{k}: {v}\r\n"));
        }
        if let Some((kind, b)) = body {
            req.push_str(&format!("Content-Type: {kind}\r\nContent-Length: {}\r\n", b.len()));
        }
        req.push_str("\r\n");
        let mut bytes = req.into_bytes();
        bytes.extend_from_slice(body.map_or(&[][..], |(_, b)| b));
        self.stream.get_mut().write_all(&bytes).await?;
        let mut line = String::new();
        self.stream.read_line(&mut line).await?;
        let status: u16 = line
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidData, format!("bad status line {line:?}")))?;
        let mut length = 0usize;
        loop {
            line.clear();
            if self.stream.read_line(&mut line).await? == 0 {
                return Err(io::ErrorKind::UnexpectedEof.into());
            }
            let l = line.trim_end();
            if l.is_empty() {
                break;
            }
            if let Some((k, v)) = l.split_once(':')
                && k.eq_ignore_ascii_case("content-length")
            {
                length =
                    v.trim().parse().map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "bad content-length"))?;
            }
        }
        self.body.resize(length, 0);
        self.stream.read_exact(&mut self.body).await?;
        Ok(status)
    }

    pub fn body(&self) -> &[u8] {
        &self.body
    }
}
