//! The client's static files, embedded in the binary (no CDN, works offline), served under a
//! content-hashed name with a long cache lifetime; and the CJK font the binary carries for
//! printing (a Noto Sans SC subset, OFL), for screens that have no Chinese font of their own —
//! the stylesheet names it after the system fonts, so a browser loads it only where none of
//! them exists.

use std::sync::OnceLock;

use axum::extract::Path;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

const CSS: &str = include_str!("../../assets/app.css");
const JS: &str = include_str!("../../assets/app.js");

fn short_hash(text: &str) -> String {
    hex::encode(&Sha256::digest(text.as_bytes())[..6])
}

fn names() -> &'static (String, String) {
    static NAMES: OnceLock<(String, String)> = OnceLock::new();
    NAMES.get_or_init(|| (format!("app.{}.css", short_hash(CSS)), format!("app.{}.js", short_hash(JS))))
}

pub fn css_href() -> String {
    format!("/assets/{}", names().0)
}

pub fn js_href() -> String {
    format!("/assets/{}", names().1)
}

/// The font's address, as the stylesheet names it.
const FONT_NAME: &str = "noto-sans-sc-subset.otf";

pub async fn serve(Path(name): Path<String>) -> Response {
    if name == FONT_NAME {
        let mut response = print::EMBEDDED_FONT.into_response();
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("font/otf"));
        // Not content-hashed (the stylesheet is static text): a day, then revalidated.
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=86400"));
        return response;
    }
    let (css, js) = names();
    let (body, content_type) = if name == *css {
        (CSS, "text/css; charset=utf-8")
    } else if name == *js {
        (JS, "text/javascript; charset=utf-8")
    } else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=31536000, immutable"));
    response
}
