//! The page itself: one HTML file, its script and its style, embedded in the
//! program (nothing is fetched from elsewhere; it works offline).

use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

const INDEX: &str = include_str!("page/index.html");
const SCRIPT: &str = include_str!("page/app.js");
const STYLE: &str = include_str!("page/app.css");

pub(super) fn router(state: std::sync::Arc<super::AppState>) -> Router {
    // The page carries this start's key, which its script sends with every
    // request (a page of another site cannot read it).
    let index = INDEX.replace("{{KEY}}", &state.key);
    Router::new()
        .route(
            "/",
            get(move || {
                let index = index.clone();
                async move { text(index, "text/html; charset=utf-8") }
            }),
        )
        .route(
            "/app.js",
            get(|| async { text(SCRIPT, "text/javascript; charset=utf-8") }),
        )
        .route(
            "/app.css",
            get(|| async { text(STYLE, "text/css; charset=utf-8") }),
        )
}

fn text(body: impl IntoResponse, mime: &'static str) -> Response {
    let mut res = body.into_response();
    res.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(mime));
    res
}
