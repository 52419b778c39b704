//! The built app inside the binary: a release build made after Trunk's (`cargo xtask dev`)
//! carries `dist/`, so `paylinks serve` needs no files beside it. Without a built app the binary
//! carries none and serves the API only. (A debug build reads `dist/` from disk instead.)

use axum::body::Body;
use axum::http::{header, HeaderValue, Uri};
use axum::response::{IntoResponse, Response};

#[derive(rust_embed::Embed)]
#[folder = "../../dist/"]
#[allow_missing = true]
struct BuiltApp;

/// The embedded file at `path` (`checkout/index.html`), if there is one.
pub fn file(path: &str) -> Option<Vec<u8>> {
    BuiltApp::get(path).map(|f| f.data.into_owned())
}

/// Serves the embedded file the request names (a directory's `index.html`), else `fallback`.
pub async fn serve(uri: Uri, fallback: impl std::future::Future<Output = Response>) -> Response {
    let mut path = uri.path().trim_start_matches('/').to_string();
    if path.is_empty() || path.ends_with('/') {
        path.push_str("index.html");
    }
    // Only plain relative paths: nothing that could climb out of the app's folder.
    let plain = !path.split('/').any(|part| part.is_empty() || part == "." || part == "..") && !path.contains('\\');
    match BuiltApp::get(&path).filter(|_| plain) {
        Some(found) => {
            let mime = HeaderValue::from_str(found.metadata.mimetype())
                .unwrap_or(HeaderValue::from_static("application/octet-stream"));
            ([(header::CONTENT_TYPE, mime)], Body::from(found.data.into_owned())).into_response()
        }
        None => fallback.await,
    }
}
