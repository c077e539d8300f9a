//! A minimal keep-alive HTTP/1.1 client for the load generator: GET only, `Content-Length`
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
        let req = format!("GET {path} HTTP/1.1\r\nHost: bench\r\nAccept: application/json\r\n\r\n");
        self.stream.get_mut().write_all(req.as_bytes()).await?;
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
