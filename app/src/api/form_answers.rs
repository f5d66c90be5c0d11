//! Forms that work without JavaScript. With JavaScript, a form calls its server function and the
//! page shows the answer. Without it, the browser posts the form to the server function itself;
//! the server (`server::forms` in the server crate) then keeps the function's answer here and
//! sends the browser back to the page it came from (post/redirect/get), and the page, rendered on
//! the server, shows the answer as it would have with JavaScript: an error next to the field, or
//! the next step. The page shows them once: a reload, or any other page, starts afresh. Until
//! then, and for [`crate::db::form_answers::KEPT_FOR`] at most, they are the state of the form's
//! next step (a second step needs the first one's answer). The cookie lasts as long as the
//! browser session.

use serde::{Deserialize, Serialize};

/// The cookie with the browser's token for its kept answers.
pub const ANSWERS_COOKIE: &str = "__Host-portal_answers";

/// The hidden field that names the page a form was posted from, where its answer is shown.
pub const PAGE_FIELD: &str = "__page";

/// One server function's answer, as it went over the wire: its JSON value, or its error.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormAnswer {
    /// The server function's path (`ServerFn::PATH`).
    pub function: String,
    pub ok: bool,
    pub body: String,
    /// When the form was refused, what was typed in it (secrets left out, see
    /// [`may_be_kept`]), so the page shows the form as it was sent.
    #[serde(default)]
    pub typed: Vec<(String, String)>,
}

/// Whether what was typed into the field `name` may be kept to show the form again: short
/// values only, and never passwords, codes, PINs, keys, reset answers, tickets or Social
/// Security numbers (whatever the case of the field's name).
pub fn may_be_kept(name: &str, value: &str) -> bool {
    const SECRET: [&str; 10] = [
        "password", "code", "pin", "otp", "secret", "key", "token", "answer", "ticket", "ssn",
    ];
    let name = name.to_ascii_lowercase();
    name.len() <= 64
        && value.chars().count() <= 200
        && !SECRET.iter().any(|secret| name.contains(secret))
}

/// The most fields of a refused form kept to show it again.
pub const MOST_TYPED_FIELDS: usize = 16;

/// The answers to the forms posted from one page, oldest first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormAnswers {
    /// The page's path and query, as the form named it.
    pub page: String,
    pub answers: Vec<FormAnswer>,
}

impl FormAnswers {
    pub fn new(page: &str) -> Self {
        Self {
            page: page.to_owned(),
            answers: Vec::new(),
        }
    }

    /// The page's path, without its query.
    pub fn path(&self) -> &str {
        page_path(&self.page)
    }

    /// Adds the answer of a form posted again from the same page. A form answered before is
    /// answered anew, and what was answered after it (a later step) no longer holds.
    pub fn record(&mut self, answer: FormAnswer) {
        if let Some(at) = self
            .answers
            .iter()
            .position(|a| a.function == answer.function)
        {
            self.answers.truncate(at);
        }
        self.answers.push(answer);
    }

    /// Where the answer of `function` stands among the page's answers (later is newer).
    pub fn position(&self, function: &str) -> Option<usize> {
        self.answers.iter().position(|a| a.function == function)
    }

    pub fn answer(&self, function: &str) -> Option<&FormAnswer> {
        self.answers.iter().find(|a| a.function == function)
    }

    /// What was typed into `field` of the form for `function`, when it was refused.
    pub fn typed(&self, function: &str, field: &str) -> Option<&str> {
        self.answer(function)
            .filter(|answer| !answer.ok)?
            .typed
            .iter()
            .find(|(name, _)| name == field)
            .map(|(_, value)| value.as_str())
    }
}

/// The path of a page address (`/sign-in?x=1` → `/sign-in`).
pub fn page_path(page: &str) -> &str {
    page.split_once('?').map_or(page, |(path, _)| path)
}

/// The page a form says it was posted from, if it is one of this site's pages: a path of our own
/// (never `//host`, a scheme or a server function), so the answer cannot send the browser
/// elsewhere.
pub fn checked_page(page: &str) -> Option<&str> {
    let fine = page.starts_with('/')
        && !page.starts_with("//")
        && !page.starts_with("/api/")
        && page.len() <= 512
        && page
            .chars()
            .all(|c| c.is_ascii_graphic() && c != '\\' && c != '#');
    fine.then_some(page)
}

/// The answers the server kept for the page this request renders (server only; see the server's
/// form middleware, which puts them in the request).
pub fn of_this_request() -> Option<FormAnswers> {
    #[cfg(feature = "ssr")]
    {
        leptos::prelude::use_context::<http::request::Parts>()
            .and_then(|parts| parts.extensions.get::<FormAnswers>().cloned())
    }
    #[cfg(not(feature = "ssr"))]
    {
        None
    }
}

#[cfg(feature = "ssr")]
pub mod server {
    use super::*;
    use crate::db::form_answers;
    use crate::state::AppState;
    use sea_orm::DbErr;

    /// The most a page's kept answers take (an authenticator's QR code is the largest answer).
    const MOST_KEPT_BYTES: usize = 256 * 1024;

    /// The answers the browser's `token` holds, shown or not, unless they have expired.
    pub async fn kept(state: &AppState, token: &str) -> Result<Option<FormAnswers>, DbErr> {
        let now = state.clock.now();
        Ok(
            form_answers::find(&state.db, &state.tokens, &state.vault, token, now)
                .await?
                .and_then(|kept| serde_json::from_slice::<FormAnswers>(&kept.answers).ok()),
        )
    }

    /// Keeps `answer` after the `earlier` answers the browser's `token` held (those of another
    /// page are dropped), to be shown by the page's next render. Without a token, a new one.
    /// Returns the token to give the browser.
    pub async fn record(
        state: &AppState,
        token: Option<&str>,
        earlier: Option<FormAnswers>,
        page: &str,
        answer: FormAnswer,
    ) -> Result<String, DbErr> {
        let mut answers = earlier
            .filter(|earlier| earlier.path() == page_path(page))
            .unwrap_or_default();
        answers.page = page.to_owned();
        answers.record(answer);
        let mut json = serde_json::to_vec(&answers).unwrap_or_default();
        // A page's answers stay small: the oldest go first.
        while json.len() > MOST_KEPT_BYTES && answers.answers.len() > 1 {
            answers.answers.remove(0);
            json = serde_json::to_vec(&answers).unwrap_or_default();
        }
        let token = match token {
            Some(token) => token.to_owned(),
            None => crate::db::tokens::TokenHasher::new_token(),
        };
        let now = state.clock.now();
        form_answers::keep(
            &state.db,
            &state.tokens,
            &state.vault,
            &token,
            page,
            &json,
            now,
        )
        .await?;
        Ok(token)
    }

    /// The answers the browser's `token` holds for the page at `path`, if no render has shown
    /// them yet; this render shows them. Answers already shown (a reload) or for another page
    /// (the browser moved on) are forgotten: the page starts afresh.
    pub async fn for_page(
        state: &AppState,
        token: &str,
        path: &str,
    ) -> Result<Option<FormAnswers>, DbErr> {
        let now = state.clock.now();
        let kept = form_answers::find(&state.db, &state.tokens, &state.vault, token, now).await?;
        if let Some(kept) = kept
            && !kept.shown
            && page_path(&kept.page) == path
            && let Ok(answers) = serde_json::from_slice::<FormAnswers>(&kept.answers)
        {
            let first = form_answers::mark_shown(&state.db, &state.tokens, token).await?;
            return Ok(first.then_some(answers));
        }
        form_answers::forget(&state.db, &state.tokens, token).await?;
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(function: &str, body: &str) -> FormAnswer {
        FormAnswer {
            function: function.into(),
            ok: true,
            body: body.into(),
            typed: Vec::new(),
        }
    }

    #[test]
    fn a_refused_form_is_shown_as_typed_but_for_its_secrets() {
        for secret in [
            "password",
            "new_password",
            "code",
            "setup_code",
            "access_code",
            "reset_answer",
            "answer",
            "ticket",
            "ssn",
            "patient[ssn]",
        ] {
            assert!(!may_be_kept(secret, "x"), "{secret}");
        }
        for kept in [
            "portal_id",
            "date_of_birth",
            "reset_question",
            "patient[given_name]",
            "email",
            "username",
        ] {
            assert!(may_be_kept(kept, "x"), "{kept}");
        }
        for secret in ["SSN", "Pin", "otp", "api_key"] {
            assert!(!may_be_kept(secret, "x"), "{secret}");
        }
        let mut page = FormAnswers::new("/sign-in");
        page.record(FormAnswer {
            ok: false,
            typed: vec![("portal_id".into(), "alex.rivera".into())],
            ..answer("/api/sign-in", "{}")
        });
        assert_eq!(page.typed("/api/sign-in", "portal_id"), Some("alex.rivera"));
        assert!(
            !may_be_kept("email", &"x".repeat(201)),
            "long values are not kept"
        );
        assert_eq!(page.typed("/api/sign-in", "password"), None);
        page.record(answer("/api/sign-in", "\"Done\""));
        assert_eq!(
            page.typed("/api/sign-in", "portal_id"),
            None,
            "only refused forms"
        );
    }

    #[test]
    fn answering_a_step_again_drops_the_later_steps() {
        let mut page = FormAnswers::new("/forgot-password");
        page.record(answer("/api/start", "1"));
        page.record(answer("/api/finish", "2"));
        assert_eq!(page.position("/api/finish"), Some(1));
        page.record(answer("/api/start", "3"));
        assert_eq!(page.answers, vec![answer("/api/start", "3")]);
        page.record(answer("/api/finish", "4"));
        page.record(answer("/api/finish", "5"));
        assert_eq!(
            page.answers,
            vec![answer("/api/start", "3"), answer("/api/finish", "5")]
        );
        assert_eq!(
            page.answer("/api/finish").map(|a| a.body.as_str()),
            Some("5")
        );
    }

    #[test]
    fn only_our_own_pages_are_returned_to() {
        assert_eq!(checked_page("/sign-in"), Some("/sign-in"));
        assert_eq!(checked_page("/staff/desk?x=1"), Some("/staff/desk?x=1"));
        for bad in [
            "",
            "sign-in",
            "//evil.example/",
            "/\\evil.example",
            "https://evil.example/",
            "/api/sign-in",
            "/a b",
            "/a#b",
            "/\u{e9}",
        ] {
            assert_eq!(checked_page(bad), None, "{bad:?}");
        }
        assert_eq!(page_path("/sign-in?x=1"), "/sign-in");
    }
}
