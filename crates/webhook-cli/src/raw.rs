//! Raw HTTP/1.1 requests: what `send --dump` prints and `verify` reads.

use bytes::Bytes;
use http::{HeaderName, HeaderValue, Method, Request};

use crate::CliError;

/// Largest raw request `verify` reads (head and body).
const MAX_RAW_BYTES: usize = 16 * 1024 * 1024;

/// Serialises `request` as HTTP/1.1 with a `Content-Length`.
pub(crate) fn to_raw(request: &Request<Bytes>) -> Vec<u8> {
    let target = request.uri().path_and_query().map_or("/", |pq| pq.as_str());
    let mut raw = format!("{} {target} HTTP/1.1\r\n", request.method()).into_bytes();
    for (name, value) in request.headers() {
        raw.extend_from_slice(name.as_str().as_bytes());
        raw.extend_from_slice(b": ");
        raw.extend_from_slice(value.as_bytes());
        raw.extend_from_slice(b"\r\n");
    }
    if !request.body().is_empty() || request.method() == Method::POST {
        raw.extend_from_slice(format!("content-length: {}\r\n", request.body().len()).as_bytes());
    }
    raw.extend_from_slice(b"\r\n");
    raw.extend_from_slice(request.body());
    raw
}

/// Parses a captured request: request line, headers (CRLF or LF line ends), a blank line, and
/// the body (cut to `Content-Length` when present). Chunked bodies are not decoded.
pub(crate) fn parse(raw: &[u8]) -> Result<Request<Bytes>, CliError> {
    if raw.len() > MAX_RAW_BYTES {
        return Err("the request file is larger than 16 MiB".into());
    }
    let (head, body) = split_head(raw).ok_or("no blank line after the headers")?;
    let head = std::str::from_utf8(head).map_err(|_| "the request head is not UTF-8")?;
    let mut lines = head.lines();
    let request_line = lines.next().ok_or("empty request")?;
    let mut parts = request_line.split(' ');
    let (Some(method), Some(target), Some(version), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(format!("bad request line: {request_line:?}").into());
    };
    if !version.starts_with("HTTP/1.") {
        return Err(format!("not an HTTP/1.x request: {version:?}").into());
    }
    let mut builder = Request::builder()
        .method(Method::from_bytes(method.as_bytes())?)
        .uri(target);
    let mut length = None;
    for line in lines {
        let (name, value) = line
            .split_once(':')
            .ok_or_else(|| format!("bad header line: {line:?}"))?;
        let name = HeaderName::from_bytes(name.trim().as_bytes())?;
        let value = HeaderValue::from_str(value.trim())?;
        if name == http::header::CONTENT_LENGTH {
            length = Some(value.to_str()?.parse::<usize>()?);
        }
        builder = builder.header(name, value);
    }
    let body = match length {
        Some(length) => body
            .get(..length)
            .ok_or("the body is shorter than its Content-Length")?,
        None => body,
    };
    Ok(builder.body(Bytes::copy_from_slice(body))?)
}

fn split_head(raw: &[u8]) -> Option<(&[u8], &[u8])> {
    if let Some(at) = raw.windows(4).position(|w| w == b"\r\n\r\n") {
        return Some((raw.get(..at)?, raw.get(at + 4..)?));
    }
    let at = raw.windows(2).position(|w| w == b"\n\n")?;
    Some((raw.get(..at)?, raw.get(at + 2..)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_survives_dump_and_parse() {
        let request = Request::post("/hook?x=1")
            .header("webhook-id", "msg_1")
            .body(Bytes::from_static(b"{\"a\":1}\r\n\r\nrest"))
            .unwrap();
        let parsed = parse(&to_raw(&request)).unwrap();
        assert_eq!(parsed.method(), Method::POST);
        assert_eq!(parsed.uri(), "/hook?x=1");
        assert_eq!(parsed.headers()["webhook-id"], "msg_1");
        assert_eq!(parsed.body(), request.body());
    }

    #[test]
    fn lf_only_files_and_trailing_newlines_are_read() {
        let parsed = parse(b"POST /h HTTP/1.1\nContent-Length: 2\n\n{}\n").unwrap();
        assert_eq!(&parsed.body()[..], b"{}");
    }

    #[test]
    fn malformed_files_are_errors_not_panics() {
        for bad in [
            &b""[..],
            b"POST /h\r\n\r\n",
            b"POST /h HTTP/1.1\r\nno-colon\r\n\r\n",
            b"GET / HTTP/1.1\r\ncontent-length: 9\r\n\r\n{}",
            b"\xff / HTTP/1.1\r\n\r\n",
        ] {
            assert!(parse(bad).is_err(), "{bad:?}");
        }
    }
}
