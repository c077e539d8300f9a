//! Just enough of the Redis protocol (RESP2) to run the reference side of the live benchmarks:
//! pipelined commands and their replies (integers, bulk strings, arrays). Redis is optional: a
//! machine without it runs the benchmarks without the comparison.

use anyhow::{Context, Result, bail};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

/// Where the reference Redis listens (this project's machines run one there).
pub const ADDR: &str = "127.0.0.1:6379";

#[derive(Debug, Clone, PartialEq)]
pub enum Reply {
    Int(i64),
    Text(String),
    Bulk(Option<Vec<u8>>),
    Array(Vec<Reply>),
}

pub struct Redis {
    r: BufReader<tokio::io::ReadHalf<TcpStream>>,
    w: tokio::io::WriteHalf<TcpStream>,
}

/// Appends one command in RESP form.
pub fn encode(out: &mut Vec<u8>, args: &[&[u8]]) {
    out.extend_from_slice(format!("*{}\r\n", args.len()).as_bytes());
    for a in args {
        out.extend_from_slice(format!("${}\r\n", a.len()).as_bytes());
        out.extend_from_slice(a);
        out.extend_from_slice(b"\r\n");
    }
}

impl Redis {
    /// Connects, or `None` when no Redis answers (the comparison is then skipped).
    pub async fn connect() -> Option<Self> {
        let s = tokio::time::timeout(std::time::Duration::from_secs(1), TcpStream::connect(ADDR)).await.ok()?.ok()?;
        s.set_nodelay(true).ok()?;
        let (r, w) = tokio::io::split(s);
        let mut redis = Self { r: BufReader::with_capacity(64 * 1024, r), w };
        match redis.call(&[b"PING"]).await {
            Ok(Reply::Text(t)) if t == "PONG" => Some(redis),
            _ => None,
        }
    }

    /// Sends already encoded commands and reads `n` replies.
    pub async fn pipeline(&mut self, encoded: &[u8], n: usize) -> Result<Vec<Reply>> {
        self.send(encoded).await?;
        self.replies(n).await
    }

    /// Sends already encoded commands without reading (their replies come in order).
    pub async fn send(&mut self, encoded: &[u8]) -> Result<()> {
        self.w.write_all(encoded).await?;
        Ok(())
    }

    /// Reads the next `n` replies.
    pub async fn replies(&mut self, n: usize) -> Result<Vec<Reply>> {
        let mut out = Vec::with_capacity(n);
        for _ in 0..n {
            out.push(self.read().await?);
        }
        Ok(out)
    }

    pub async fn call(&mut self, args: &[&[u8]]) -> Result<Reply> {
        let mut buf = Vec::new();
        encode(&mut buf, args);
        Ok(self.pipeline(&buf, 1).await?.remove(0))
    }

    async fn line(&mut self) -> Result<String> {
        let mut line = String::new();
        if self.r.read_line(&mut line).await? == 0 {
            bail!("redis closed the connection");
        }
        Ok(line.trim_end_matches(['\r', '\n']).to_owned())
    }

    fn read(&mut self) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<Reply>> + Send + '_>> {
        Box::pin(async move {
            let line = self.line().await?;
            let (kind, rest) = line.split_at(1.min(line.len()));
            Ok(match kind {
                "+" => Reply::Text(rest.to_owned()),
                "-" => bail!("redis: {rest}"),
                ":" => Reply::Int(rest.parse().context("integer reply")?),
                "$" => {
                    let len: i64 = rest.parse().context("bulk length")?;
                    if len < 0 {
                        Reply::Bulk(None)
                    } else {
                        let mut b = vec![0; len as usize + 2];
                        self.r.read_exact(&mut b).await?;
                        b.truncate(len as usize);
                        Reply::Bulk(Some(b))
                    }
                }
                "*" => {
                    let n: i64 = rest.parse().context("array length")?;
                    let mut items = Vec::with_capacity(n.max(0) as usize);
                    for _ in 0..n.max(0) {
                        items.push(self.read().await?);
                    }
                    Reply::Array(items)
                }
                _ => bail!("unexpected redis reply {line:?}"),
            })
        })
    }
}
