//! The built files (`/pkg/…` and the favicon), read into memory once at start-up and answered
//! from there: no file is opened while answering, which is what kept a small stylesheet at a few
//! thousand requests a second (issue 13). A file comes with the brotli and gzip copies the
//! release build made beside it (`--precompress`), and each browser gets the copy it accepts, as
//! it is: nothing is compressed while answering. A file that is not in memory (added after
//! start-up, or too big to keep) is left to the next service, which reads it from disk.
//!
//! Revalidation is by `ETag` (from the content, so every instance behind a load balancer gives
//! the same). How long a browser keeps a file is set by the router's headers middleware.

use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::Response;
use std::collections::HashMap;
use std::hash::Hasher as _;
use std::path::Path;

/// Files bigger than this are not kept in memory (built files are far smaller).
const LARGEST_KEPT: u64 = 32 * 1024 * 1024;

/// The built files, by the path they are requested at.
#[derive(Default)]
pub struct Assets {
    files: HashMap<String, Asset>,
}

struct Asset {
    content_type: HeaderValue,
    plain: Representation,
    brotli: Option<Representation>,
    gzip: Option<Representation>,
}

/// One representation of a file: its bytes and their entity tag.
struct Representation {
    bytes: Bytes,
    etag: HeaderValue,
}

impl Representation {
    fn of(bytes: Vec<u8>, suffix: &str) -> Self {
        let mut hasher = std::hash::DefaultHasher::new();
        hasher.write(&bytes);
        let etag = HeaderValue::from_str(&format!("\"{:016x}{suffix}\"", hasher.finish()))
            .unwrap_or(HeaderValue::from_static("\"0\""));
        Self {
            bytes: bytes.into(),
            etag,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Encoding {
    Brotli,
    Gzip,
    Identity,
}

impl Assets {
    /// Reads every file under `dir` (recursively), requested at `prefix` + its relative path,
    /// with its `.br` and `.gz` copies. A directory that cannot be read gives no files.
    pub fn load(dir: &Path, prefix: &str) -> Self {
        let mut assets = Self::default();
        assets.add_dir(dir, prefix);
        assets
    }

    /// Adds one file, requested at `path`, with its copies if it has them.
    pub fn add_file(&mut self, file: &Path, path: String) {
        let read = |file: &Path| -> Option<Vec<u8>> {
            let size = std::fs::metadata(file).ok()?.len();
            (size <= LARGEST_KEPT).then(|| std::fs::read(file).ok())?
        };
        let Some(plain) = read(file) else { return };
        let copy = |extension: &str, suffix: &str| {
            let mut name = file.as_os_str().to_owned();
            name.push(extension);
            read(Path::new(&name)).map(|bytes| Representation::of(bytes, suffix))
        };
        self.files.insert(
            path,
            Asset {
                content_type: content_type(file),
                brotli: copy(".br", "-br"),
                gzip: copy(".gz", "-gz"),
                plain: Representation::of(plain, ""),
            },
        );
    }

    fn add_dir(&mut self, dir: &Path, prefix: &str) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
                continue;
            };
            let at = format!("{prefix}/{name}");
            if path.is_dir() {
                self.add_dir(&path, &at);
            } else if !name.ends_with(".br") && !name.ends_with(".gz") {
                self.add_file(&path, at);
            }
        }
    }

    /// The answer for a GET or HEAD of `path`, if the file is in memory.
    pub fn answer(&self, method: &Method, path: &str, headers: &HeaderMap) -> Option<Response> {
        if method != Method::GET && method != Method::HEAD {
            return None;
        }
        let asset = self.files.get(path)?;
        let has_copies = asset.brotli.is_some() || asset.gzip.is_some();
        let (copy, encoding) = match (accepted(headers), &asset.brotli, &asset.gzip) {
            (accepts, Some(br), _) if accepts.brotli => (br, Encoding::Brotli),
            (accepts, _, Some(gz)) if accepts.gzip => (gz, Encoding::Gzip),
            _ => (&asset.plain, Encoding::Identity),
        };
        let mut response = Response::new(Body::empty());
        let h = response.headers_mut();
        h.insert(header::ETAG, copy.etag.clone());
        if has_copies {
            h.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
        }
        if matches_etag(headers, &copy.etag) {
            *response.status_mut() = StatusCode::NOT_MODIFIED;
            return Some(response);
        }
        h.insert(header::CONTENT_TYPE, asset.content_type.clone());
        h.insert(
            header::CONTENT_LENGTH,
            HeaderValue::from(copy.bytes.len() as u64),
        );
        match encoding {
            Encoding::Brotli => {
                h.insert(header::CONTENT_ENCODING, HeaderValue::from_static("br"));
            }
            Encoding::Gzip => {
                h.insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
            }
            Encoding::Identity => {}
        }
        if method == Method::GET {
            *response.body_mut() = Body::from(copy.bytes.clone());
        }
        Some(response)
    }
}

#[derive(Debug, Default, Clone, Copy)]
struct Accepts {
    brotli: bool,
    gzip: bool,
}

/// Which copies the browser accepts (`Accept-Encoding`): `q=0` refuses one, `*` stands for
/// every coding not named.
fn accepted(headers: &HeaderMap) -> Accepts {
    let (mut brotli, mut gzip, mut any) = (None, None, None);
    for value in headers.get_all(header::ACCEPT_ENCODING) {
        let Ok(value) = value.to_str() else { continue };
        for item in value.split(',') {
            let mut parts = item.split(';');
            let coding = parts.next().unwrap_or("").trim().to_ascii_lowercase();
            let refused = parts.any(|p| {
                p.trim()
                    .strip_prefix("q=")
                    .and_then(|q| q.trim().parse::<f32>().ok())
                    .is_some_and(|q| q <= 0.0)
            });
            match coding.as_str() {
                "br" => brotli = Some(!refused),
                "gzip" | "x-gzip" => gzip = Some(!refused),
                "*" => any = Some(!refused),
                _ => {}
            }
        }
    }
    let any = any.unwrap_or(false);
    Accepts {
        brotli: brotli.unwrap_or(any),
        gzip: gzip.unwrap_or(any),
    }
}

/// Whether `If-None-Match` names this copy (or any, `*`).
fn matches_etag(headers: &HeaderMap, etag: &HeaderValue) -> bool {
    let Ok(etag) = etag.to_str() else {
        return false;
    };
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|tag| tag.trim().trim_start_matches("W/"))
        .any(|tag| tag == "*" || tag == etag)
}

fn content_type(file: &Path) -> HeaderValue {
    let extension = file
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    HeaderValue::from_static(match extension.as_str() {
        "wasm" => "application/wasm",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "json" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "html" => "text/html; charset=utf-8",
        "txt" => "text/plain; charset=utf-8",
        "woff2" => "font/woff2",
        _ => "application/octet-stream",
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, HeaderValue::from_static(value));
        }
        map
    }

    #[test]
    fn the_copy_sent_is_one_the_browser_accepts() {
        let both = accepted(&headers(&[("accept-encoding", "gzip, deflate, br, zstd")]));
        assert!(both.brotli && both.gzip);
        let no_br = accepted(&headers(&[("accept-encoding", "br;q=0, gzip;q=0.5")]));
        assert!(!no_br.brotli && no_br.gzip);
        let any = accepted(&headers(&[("accept-encoding", "*")]));
        assert!(any.brotli && any.gzip);
        let none = accepted(&headers(&[]));
        assert!(!none.brotli && !none.gzip);
        let named_wins = accepted(&headers(&[("accept-encoding", "gzip;q=0, *")]));
        assert!(named_wins.brotli && !named_wins.gzip);
        let identity = accepted(&headers(&[("accept-encoding", "identity")]));
        assert!(!identity.brotli && !identity.gzip);
    }

    #[test]
    fn an_etag_matches_itself_weakly_or_in_a_list_or_as_a_star() {
        let tag = HeaderValue::from_static("\"abc\"");
        assert!(matches_etag(
            &headers(&[("if-none-match", "\"abc\"")]),
            &tag
        ));
        assert!(matches_etag(
            &headers(&[("if-none-match", "\"x\", W/\"abc\"")]),
            &tag
        ));
        assert!(matches_etag(&headers(&[("if-none-match", "*")]), &tag));
        assert!(!matches_etag(
            &headers(&[("if-none-match", "\"abd\"")]),
            &tag
        ));
        assert!(!matches_etag(&headers(&[]), &tag));
    }
}
