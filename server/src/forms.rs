//! Forms posted without JavaScript (see [`app::api::form_answers`]). A browser without
//! JavaScript posts a form straight to its server function and expects a page back. Here, such a
//! post has its function answer as it answers scripts; the answer is kept for the page the form
//! names in its hidden `__page` field, and the browser is sent back there (303 See Other, so a
//! reload does not post again). When that page is rendered, its kept answers go into the request
//! for the page's forms to show.

use app::api::form_answers::{self, ANSWERS_COOKIE, FormAnswer, MOST_TYPED_FIELDS, PAGE_FIELD};
use app::api::request::{
    SESSION_COOKIE, client_ip_of, cookie_in, host_browser_session_cookie, host_cookie,
};
use app::state::AppState;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use leptos::server_fn::error::SERVER_FN_ERROR_HEADER;

/// Where server functions are served.
const FUNCTIONS: &str = "/api/";

/// The largest answer kept for a page (an authenticator's QR code, about 10 KB, is the largest
/// we send).
const LARGEST_ANSWER: usize = 64 * 1024;

pub async fn no_script_forms(
    State(state): State<AppState>,
    mut req: Request,
    next: Next,
) -> Response {
    let path = req.uri().path();
    if req.method() == Method::POST
        && path.starts_with(FUNCTIONS)
        && let Some(posted) = form_post(req.headers())
    {
        return answer_form(state, posted, req, next).await;
    }
    if req.method() == Method::GET && path.starts_with(FUNCTIONS) {
        // A link to a GET function (a download) is followed like a page, and Leptos would send
        // a request that accepts a page back to the page it came from (or home): it gets the
        // function's answer instead.
        req.headers_mut()
            .insert(header::ACCEPT, HeaderValue::from_static("*/*"));
        return next.run(req).await;
    }
    let path = req.uri().path();
    if req.method() == Method::GET
        && !path.starts_with(FUNCTIONS)
        && accepts_html(req.headers())
        && let Some(token) = cookie_in(req.headers(), ANSWERS_COOKIE)
    {
        return page_with_answers(state, token, req, next).await;
    }
    next.run(req).await
}

fn accepts_html(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/html"))
}

/// Whether the session cookie names a live session of a patient's account (the function's own
/// guard decides the rest).
async fn has_live_session(state: &AppState, headers: &HeaderMap) -> Result<bool, String> {
    use app::domain::sign_in::{SessionState, session_state};
    let Some(token) = cookie_in(headers, SESSION_COOKIE) else {
        return Ok(false);
    };
    let policy = state.current_policy().await?;
    let found = app::db::sessions::find_session(&state.db, &state.tokens, &token)
        .await
        .map_err(|e| e.to_string())?;
    Ok(match found {
        Some(app::db::sessions::FoundSession {
            session,
            patient: Some(_),
        }) => {
            session_state(
                session.last_seen_at,
                session.expires_at,
                state.clock.now(),
                &policy,
            ) == SessionState::Active
        }
        _ => false,
    })
}

/// How a form was posted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Posted {
    UrlEncoded,
    /// With a file, whose form boundary is in the content type.
    Multipart,
}

/// A browser posting a form itself: it sends the form's fields and wants a page back. (Scripts
/// calling server functions ask for JSON.)
fn form_post(headers: &HeaderMap) -> Option<Posted> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())?;
    let posted = if content_type.starts_with("application/x-www-form-urlencoded") {
        Posted::UrlEncoded
    } else if content_type.starts_with("multipart/form-data") {
        Posted::Multipart
    } else {
        return None;
    };
    accepts_html(headers).then_some(posted)
}

/// What a posted form holds for its page: the page it names, the body the function reads, and
/// what was typed (to show a refused form again).
struct PostedForm {
    page: Option<String>,
    body: Body,
    length: usize,
    typed: Vec<(String, String)>,
}

/// A URL-encoded form goes on without the page's field.
fn url_encoded(bytes: &[u8]) -> PostedForm {
    // The serializer is not `Send`, so it ends here.
    let mut page = None;
    let mut fields = form_urlencoded::Serializer::new(String::new());
    let mut typed = Vec::new();
    for (name, value) in form_urlencoded::parse(bytes) {
        if name == PAGE_FIELD {
            page = page.or(Some(value.into_owned()));
            continue;
        }
        fields.append_pair(&name, &value);
        if typed.len() < MOST_TYPED_FIELDS && form_answers::may_be_kept(&name, &value) {
            typed.push((name.into_owned(), value.into_owned()));
        }
    }
    let fields = fields.finish();
    PostedForm {
        page,
        length: fields.len(),
        body: Body::from(fields),
        typed,
    }
}

/// The longest text field of a multipart form read here.
const LONGEST_KEPT_FIELD: usize = 1024;

/// A multipart form (a file with its fields) goes on as it came: the function skips the page's
/// field. Its short text fields are what was typed; files are never kept.
async fn multipart(headers: &HeaderMap, bytes: axum::body::Bytes) -> Option<PostedForm> {
    let boundary = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| multer::parse_boundary(v).ok())?;
    let stream = futures::stream::once({
        let bytes = bytes.clone();
        async move { Ok::<_, std::convert::Infallible>(bytes) }
    });
    let mut parts = multer::Multipart::new(stream, boundary);
    let mut page = None;
    let mut typed = Vec::new();
    while let Some(mut field) = parts.next_field().await.ok()? {
        if field.file_name().is_some() {
            continue;
        }
        let name = field.name().unwrap_or_default().to_owned();
        // Long text is not kept (nor is a page name that long): read no more of it.
        let mut value = Vec::new();
        while let Some(chunk) = field.chunk().await.ok()? {
            if value.len() + chunk.len() > LONGEST_KEPT_FIELD {
                value.clear();
                break;
            }
            value.extend_from_slice(&chunk);
        }
        let value = String::from_utf8(value).unwrap_or_default();
        if name == PAGE_FIELD {
            page = page.or(Some(value));
        } else if typed.len() < MOST_TYPED_FIELDS && form_answers::may_be_kept(&name, &value) {
            typed.push((name, value));
        }
    }
    Some(PostedForm {
        page,
        length: bytes.len(),
        body: Body::from(bytes),
        typed,
    })
}

fn went_wrong() -> Response {
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        "Something went wrong on our side. Please try again, or call the help line.",
    )
        .into_response()
}

async fn answer_form(state: AppState, posted: Posted, req: Request, next: Next) -> Response {
    let (mut parts, body) = req.into_parts();
    if posted == Posted::Multipart {
        // A file may be large (a court order, 10 MB): it is read only for a browser with a
        // live session that is not sending too much already. Signing in again starts afresh.
        match has_live_session(&state, &parts.headers).await {
            Ok(true) => {}
            Ok(false) => {
                return Response::builder()
                    .status(StatusCode::SEE_OTHER)
                    .header(header::LOCATION, "/sign-in")
                    .body(Body::empty())
                    .unwrap_or_else(|_| went_wrong());
            }
            Err(e) => {
                tracing::error!(error = %e, "a session could not be read");
                return went_wrong();
            }
        }
        if let Some(refusal) = refuse_if_throttled(&state, &parts).await {
            return refusal;
        }
    }
    // The router's body limit applies to this read.
    let Ok(bytes) = axum::body::to_bytes(body, usize::MAX).await else {
        return (
            StatusCode::PAYLOAD_TOO_LARGE,
            "The form was too large to send.",
        )
            .into_response();
    };
    let form = match posted {
        Posted::UrlEncoded => url_encoded(&bytes),
        Posted::Multipart => match multipart(&parts.headers, bytes).await {
            Some(form) => form,
            None => {
                return (StatusCode::BAD_REQUEST, "The form could not be read.").into_response();
            }
        },
    };
    let PostedForm {
        page,
        body,
        length,
        typed,
    } = form;
    let page = page
        .as_deref()
        .and_then(form_answers::checked_page)
        .unwrap_or("/")
        .to_owned();
    // The answers this browser's token holds: a form's earlier steps. A token that holds none
    // (made up, or expired) is no token: a new one means a new row, which counts against the
    // address, so nobody can fill the table.
    let (token, earlier) = match cookie_in(&parts.headers, ANSWERS_COOKIE) {
        Some(token) => match form_answers::server::kept(&state, &token).await {
            Ok(Some(earlier)) => (Some(token), Some(earlier)),
            Ok(None) => (None, None),
            Err(e) => {
                tracing::error!(error = %e, "a form's kept answers could not be read");
                return went_wrong();
            }
        },
        None => (None, None),
    };
    if token.is_none()
        && posted == Posted::UrlEncoded
        && let Some(refusal) = refuse_if_throttled(&state, &parts).await
    {
        return refusal;
    }
    let function = parts.uri.path().to_owned();
    parts
        .headers
        .insert(header::ACCEPT, HeaderValue::from_static("application/json"));
    parts.headers.remove(header::TRANSFER_ENCODING);
    parts
        .headers
        .insert(header::CONTENT_LENGTH, HeaderValue::from(length));

    let answered = next.run(Request::from_parts(parts, body)).await;
    let failed = answered.headers().contains_key(SERVER_FN_ERROR_HEADER);
    if !failed && !answered.status().is_success() {
        // Not a server function's answer (no such function, say): as it is.
        return answered;
    }
    let (answered, body) = answered.into_parts();
    let Ok(body) = axum::body::to_bytes(body, LARGEST_ANSWER).await else {
        tracing::error!(
            function,
            "a server function's answer was too large to keep for its page"
        );
        return with_cookies_of(&answered.headers, went_wrong());
    };
    let ended_a_session = answered
        .headers
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|c| c.to_str().ok())
        .any(|c| c.starts_with(&format!("{SESSION_COOKIE}=")) && c.contains("Max-Age=0"));
    let answer = FormAnswer {
        function,
        ok: !failed,
        body: String::from_utf8_lossy(&body).into_owned(),
        // Shown again only when the form was refused.
        typed: if failed { typed } else { Vec::new() },
    };
    // Nothing answered inside a session outlives it.
    let earlier = earlier.filter(|_| !ended_a_session);
    let token = match form_answers::server::record(&state, token.as_deref(), earlier, &page, answer)
        .await
    {
        Ok(token) => token,
        Err(e) => {
            tracing::error!(error = %e, "a form's answer could not be kept");
            return with_cookies_of(&answered.headers, went_wrong());
        }
    };
    let mut response = Response::builder()
        .status(StatusCode::SEE_OTHER)
        .header(header::LOCATION, page)
        .body(Body::empty())
        .unwrap_or_else(|_| went_wrong());
    if let Ok(cookie) = HeaderValue::from_str(&host_browser_session_cookie(ANSWERS_COOKIE, &token))
    {
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
    with_cookies_of(&answered.headers, response)
}

/// The function has run whatever comes next: its own cookies (a session begun, a browser
/// remembered) go with the answer.
fn with_cookies_of(answered: &HeaderMap, mut response: Response) -> Response {
    for cookie in answered.get_all(header::SET_COOKIE) {
        response
            .headers_mut()
            .append(header::SET_COOKIE, cookie.clone());
    }
    response
}

async fn refuse_if_throttled(state: &AppState, parts: &http::request::Parts) -> Option<Response> {
    let policy = match state.current_policy().await {
        Ok(policy) => policy,
        Err(e) => {
            tracing::error!(error = %e, "the policy could not be read");
            return Some(went_wrong());
        }
    };
    let address = client_ip_of(&parts.headers, &parts.extensions, state);
    if state
        .form_throttle
        .allow(address, state.clock.now(), &policy)
    {
        return None;
    }
    tracing::warn!("form posts throttled for one address");
    Some(
        (
            StatusCode::TOO_MANY_REQUESTS,
            format!(
                "Too many attempts from your network. Please wait {} minutes and try again.",
                policy.attempt_window_minutes
            ),
        )
            .into_response(),
    )
}

async fn page_with_answers(
    state: AppState,
    token: String,
    mut req: Request,
    next: Next,
) -> Response {
    match form_answers::server::for_page(&state, &token, req.uri().path()).await {
        Ok(Some(answers)) => {
            req.extensions_mut().insert(answers);
            next.run(req).await
        }
        Ok(None) => {
            let mut response = next.run(req).await;
            if let Ok(cookie) = HeaderValue::from_str(&host_cookie(ANSWERS_COOKIE, "", 0)) {
                response.headers_mut().append(header::SET_COOKIE, cookie);
            }
            response
        }
        Err(e) => {
            tracing::warn!(error = %e, "a form's kept answers could not be read");
            next.run(req).await
        }
    }
}
