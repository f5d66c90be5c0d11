//! Issue 12, point 9: the account forms work without JavaScript. A browser without it posts the
//! form to the server function itself and expects a page back: the server keeps the answer,
//! sends the browser back to the page (303), and renders the page with the answer in it (the
//! error, or the next step). `Browser` below does what such a browser does: it keeps cookies,
//! asks for HTML, posts the fields of the form with the page's hidden `__page` field, and follows
//! redirects.

use crate::helpers::{BACKENDS, TestApp, body_text, form_body, spawn_app};
use app::db::demo::{DEMO_STAFF_PASSWORD, DEMO_STAFF_SET_UP_CODE};
use axum::body::Body;
use http::{HeaderMap, Request, StatusCode, header};
use sea_orm::{EntityTrait, PaginatorTrait};
use std::collections::BTreeMap;

struct Browser<'a> {
    app: &'a TestApp,
    cookies: BTreeMap<String, String>,
    /// The address of the page shown, and the page.
    page: String,
    html: String,
}

impl<'a> Browser<'a> {
    fn new(app: &'a TestApp) -> Self {
        Self {
            app,
            cookies: BTreeMap::new(),
            page: String::new(),
            html: String::new(),
        }
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(name, value)| format!("{name}={value}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    fn keep_cookies(&mut self, headers: &HeaderMap) {
        for set in headers.get_all(header::SET_COOKIE) {
            let set = set.to_str().unwrap();
            let (pair, attributes) = set.split_once(';').unwrap_or((set, ""));
            let (name, value) = pair.split_once('=').unwrap();
            if attributes.contains("Max-Age=0") {
                self.cookies.remove(name);
            } else {
                self.cookies.insert(name.to_owned(), value.to_owned());
            }
        }
    }

    async fn send(
        &mut self,
        request: http::request::Builder,
        body: Body,
    ) -> (StatusCode, HeaderMap, String) {
        let request = request
            .header(header::ACCEPT, "text/html,application/xhtml+xml,*/*;q=0.8")
            .header(header::COOKIE, self.cookie_header());
        let response = self.app.send(request.body(body).unwrap()).await;
        let (parts, body) = response.into_parts();
        self.keep_cookies(&parts.headers);
        (
            parts.status,
            parts.headers,
            body_text(body).await.replace("<!>", ""),
        )
    }

    /// Opens a page, following redirects as a browser does.
    async fn open(&mut self, address: &str) -> StatusCode {
        let mut address = address.to_owned();
        for _ in 0..5 {
            let (status, headers, html) = self.send(Request::get(&address), Body::empty()).await;
            if status.is_redirection() {
                address = headers[header::LOCATION].to_str().unwrap().to_owned();
                continue;
            }
            self.page = address;
            self.html = html;
            return status;
        }
        panic!("too many redirects from {address}");
    }

    /// Submits a form of the page shown to `function`, as a browser without JavaScript does.
    async fn submit(&mut self, function: &str, fields: &[(&str, &str)]) {
        assert!(
            self.html.contains(&format!("action=\"{function}\"")),
            "the page {} has no form for {function}: {}",
            self.page,
            self.html
        );
        let page = self.hidden("__page");
        assert_eq!(page, self.page, "the form names its page");
        let mut fields = fields.to_vec();
        fields.push(("__page", &page));
        let (status, headers, body) = self
            .send(
                Request::post(function)
                    .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                    .header("sec-fetch-site", "same-origin"),
                Body::from(form_body(&fields)),
            )
            .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
        let back = headers[header::LOCATION].to_str().unwrap().to_owned();
        let status = self.open(&back).await;
        assert_eq!(status, StatusCode::OK, "{}", self.html);
    }

    /// The value of the page's (first) hidden field `name`.
    fn hidden(&self, name: &str) -> String {
        let at = self
            .html
            .find(&format!("name=\"{name}\""))
            .unwrap_or_else(|| panic!("no field {name} on {}: {}", self.page, self.html));
        let rest = &self.html[at..];
        let value = &rest[rest.find("value=\"").unwrap() + 7..];
        value[..value.find('"').unwrap()].replace("&amp;", "&")
    }

    fn shows(&self, text: &str) -> bool {
        self.html.contains(text)
    }
}

/// One form post as a browser without JavaScript sends it, with a raw body and maybe cookies.
async fn post_without_script(
    app: &TestApp,
    function: &str,
    body: impl Into<Body>,
    cookies: Option<&str>,
) -> http::Response<Body> {
    let mut request = Request::post(function)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT, "text/html")
        .header("sec-fetch-site", "same-origin");
    if let Some(cookies) = cookies {
        request = request.header(header::COOKIE, cookies);
    }
    app.send(request.body(body.into()).unwrap()).await
}

async fn kept_answers(app: &TestApp) -> u64 {
    app::db::entities::form_answer::Entity::find()
        .count(&app.state.db)
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_without_javascript_shows_the_refusal_then_signs_in() {
    for backend in BACKENDS {
        let app = spawn_app(backend).await.with_demo().await;
        app.activate_alex().await;
        let mut browser = Browser::new(&app);
        browser.open("/sign-in").await;
        browser
            .submit(
                "/api/account/sign-in",
                &[
                    ("portal_id", "alex.rivera"),
                    ("password", "wrong-password-1"),
                ],
            )
            .await;
        assert_eq!(browser.page, "/sign-in", "{backend:?}");
        assert!(
            browser.shows("That portal ID and password did not match."),
            "{backend:?}: {}",
            browser.html
        );
        assert!(browser.shows("name=\"portal_id\""), "the form again");
        assert!(
            browser.shows("value=\"alex.rivera\""),
            "{backend:?}: as it was typed: {}",
            browser.html
        );
        assert!(!browser.shows("riverbend7") && !browser.shows("wrong-password-1"));

        // Another browser sees nothing of it; the answer is shown once, and a reload starts
        // afresh.
        let mut other = Browser::new(&app);
        other.open("/sign-in").await;
        assert!(!other.shows("did not match"), "{backend:?}");
        browser.open("/sign-in").await;
        assert!(!browser.shows("did not match"), "{backend:?}: shown once");
        assert_eq!(kept_answers(&app).await, 0, "{backend:?}");
        browser
            .submit(
                "/api/account/sign-in",
                &[
                    ("portal_id", "alex.rivera"),
                    ("password", "wrong-password-2"),
                ],
            )
            .await;
        assert!(browser.shows("did not match"), "{backend:?}");

        browser
            .submit(
                "/api/account/sign-in",
                &[("portal_id", "alex.rivera"), ("password", "riverbend7")],
            )
            .await;
        assert_eq!(
            browser.page, "/",
            "{backend:?}: signed in, on to the home page"
        );
        assert!(
            browser.shows("Signed in as Alex"),
            "{backend:?}: {}",
            browser.html
        );
        assert_eq!(
            kept_answers(&app).await,
            0,
            "{backend:?}: forgotten once left"
        );
        browser.open("/sign-in").await;
        assert!(
            !browser.shows("did not match"),
            "{backend:?}: a fresh start"
        );

        // Signing out from the header's button, without JavaScript either.
        browser.open("/help").await;
        browser.submit("/api/account/sign-out", &[]).await;
        assert_eq!(browser.page, "/help");
        assert!(
            !browser.shows("Signed in as Alex"),
            "{backend:?}: signed out"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a2_activation_without_javascript() {
    for backend in BACKENDS {
        let app = spawn_app(backend).await.with_demo().await;
        let code = app.activation_code_for("Alex").await;
        let mut browser = Browser::new(&app);
        browser.open("/activate").await;
        let fields = |dob| {
            [
                ("code", code.clone()),
                ("date_of_birth", dob),
                ("portal_id", "alex.rivera".to_owned()),
                ("password", "riverbend7".to_owned()),
                ("reset_question", "Name of my first pet?".to_owned()),
                ("reset_answer", "Biscuit".to_owned()),
            ]
        };
        let wrong = fields("1988-07-15".to_owned());
        let wrong: Vec<(&str, &str)> = wrong.iter().map(|(k, v)| (*k, v.as_str())).collect();
        browser.submit("/api/account/activate", &wrong).await;
        assert_eq!(browser.page, "/activate");
        assert!(
            browser.shows("do not match our records"),
            "{backend:?}: the refusal: {}",
            browser.html
        );
        assert!(!browser.shows("Your account is ready"), "{backend:?}");
        assert!(
            browser.shows("value=\"1988-07-15\""),
            "{backend:?}: the date as typed"
        );
        assert!(
            browser.shows("value=\"Name of my first pet?\""),
            "{backend:?}"
        );
        assert!(
            !browser.shows(&code) && !browser.shows("Biscuit") && !browser.shows("riverbend7"),
            "{backend:?}: never the code, the answer or the password"
        );

        let right = fields("1988-07-14".to_owned());
        let right: Vec<(&str, &str)> = right.iter().map(|(k, v)| (*k, v.as_str())).collect();
        browser.submit("/api/account/activate", &right).await;
        assert!(
            browser.shows("Your account is ready."),
            "{backend:?}: {}",
            browser.html
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a6_a7_both_recovery_flows_without_javascript() {
    for backend in BACKENDS {
        let app = spawn_app(backend).await.with_demo().await;
        app.activate_alex().await;
        let mut browser = Browser::new(&app);

        // A6: forgotten password, two steps; a wrong answer keeps the second step.
        browser.open("/forgot-password").await;
        browser
            .submit(
                "/api/account/forgot-password/start",
                &[
                    ("portal_id", "alex.rivera"),
                    ("ssn", "123-45-6781"),
                    ("date_of_birth", "1988-07-14"),
                ],
            )
            .await;
        assert!(
            browser.shows("Name of my first pet?"),
            "{backend:?}: {}",
            browser.html
        );
        let ticket = browser.hidden("ticket");
        browser
            .submit(
                "/api/account/forgot-password/finish",
                &[
                    ("ticket", &ticket),
                    ("answer", "Rex"),
                    ("new_password", "new-river-42"),
                ],
            )
            .await;
        assert!(
            browser.shows("Name of my first pet?"),
            "{backend:?}: still the question"
        );
        assert!(
            browser.shows("That is not the answer to your reset question."),
            "{backend:?}: the refusal: {}",
            browser.html
        );
        let ticket = browser.hidden("ticket");
        browser
            .submit(
                "/api/account/forgot-password/finish",
                &[
                    ("ticket", &ticket),
                    ("answer", "biscuit"),
                    ("new_password", "new-river-42"),
                ],
            )
            .await;
        assert!(
            browser.shows("Your password has been changed"),
            "{backend:?}: {}",
            browser.html
        );

        // A7: forgotten portal ID with an access code from the help line.
        let code = crate::hardening::access_code_for(&app, "Alex").await;
        browser.open("/forgot-portal-id").await;
        browser
            .submit(
                "/api/account/forgot-portal-id/recover",
                &[
                    ("access_code", &code),
                    ("ssn", "123-45-6781"),
                    ("date_of_birth", "1988-07-14"),
                ],
            )
            .await;
        assert!(
            browser.shows("Your portal ID is"),
            "{backend:?}: {}",
            browser.html
        );
        assert!(browser.shows("alex.rivera"));
        let ticket = browser.hidden("ticket");
        browser
            .submit(
                "/api/account/forgot-portal-id/new-password",
                &[("ticket", &ticket), ("new_password", "third-river-43")],
            )
            .await;
        assert!(
            browser.shows("Your password has been changed."),
            "{backend:?}: {}",
            browser.html
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a2_the_online_code_request_without_javascript() {
    for backend in BACKENDS {
        let app = spawn_app(backend).await.with_demo().await;
        let mut browser = Browser::new(&app);
        browser.open("/request-activation-code").await;
        let fields = [
            ("given_name", "Alex"),
            ("family_name", "Rivera"),
            ("date_of_birth", "1988-07-14"),
            ("email", "alex.rivera@example.org"),
        ];
        browser.submit("/api/enrolment/request-code", &fields).await;
        assert!(
            browser.shows("If those details match our records"),
            "{backend:?}: {}",
            browser.html
        );
        let mut minor = fields;
        minor[2].1 = "2015-01-01";
        browser.submit("/api/enrolment/request-code", &minor).await;
        assert!(
            browser.shows("aged 18 or over"),
            "{backend:?}: {}",
            browser.html
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_sign_in_and_the_desk_without_javascript() {
    for backend in BACKENDS {
        let app = spawn_app(backend).await.with_demo().await;
        let mut browser = Browser::new(&app);
        browser.open("/staff/sign-in").await;
        browser
            .submit(
                "/api/staff/sign-in",
                &[("username", "desk"), ("password", DEMO_STAFF_PASSWORD)],
            )
            .await;
        assert!(
            browser.shows("Set-up code"),
            "{backend:?}: {}",
            browser.html
        );
        browser
            .submit("/api/staff/set-up", &[("setup_code", "WRNG-CODE-0000")])
            .await;
        assert!(
            browser.shows("That set-up code is not right")
                || browser.shows("Enter the set-up code exactly as you were given it"),
            "{backend:?}: the refusal: {}",
            browser.html
        );
        assert!(
            browser.shows("Set-up code"),
            "{backend:?}: the same step again"
        );
        browser
            .submit(
                "/api/staff/set-up",
                &[("setup_code", DEMO_STAFF_SET_UP_CODE)],
            )
            .await;
        assert!(
            browser.shows("<svg"),
            "{backend:?}: the QR code: {}",
            browser.html
        );
        let code = crate::staff::current_code(&app, "desk").await;
        browser
            .submit("/api/staff/verify-code", &[("code", &code)])
            .await;
        assert!(
            browser.shows("Your recovery codes"),
            "{backend:?}: {}",
            browser.html
        );

        browser.open("/staff/desk").await;
        browser
            .submit(
                "/api/desk/find-patient",
                &[("medical_record_number", "RB100001")],
            )
            .await;
        assert!(
            browser.shows("Alex Rivera"),
            "{backend:?}: {}",
            browser.html
        );
        browser
            .submit(
                "/api/desk/issue-activation-code",
                &[("medical_record_number", "RB100001"), ("route", "visit")],
            )
            .await;
        assert!(
            browser.shows("Activation code for Alex Rivera"),
            "{backend:?}: {}",
            browser.html
        );
        assert!(browser.shows("Alex Rivera"), "the patient still shown");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_answer_goes_back_only_to_a_page_of_our_own() {
    let app = spawn_app(BACKENDS[0]).await.with_demo().await;
    for (page, back) in [
        ("https://evil.example/", "/"),
        ("//evil.example/", "/"),
        ("/api/account/sign-in", "/"),
        ("/sign-in?from=menu", "/sign-in?from=menu"),
    ] {
        let fields = form_body(&[
            ("portal_id", "nobody.here"),
            ("password", "not-a-password-1"),
            ("__page", page),
        ]);
        let response = post_without_script(&app, "/api/account/sign-in", fields, None).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{page}");
        assert_eq!(response.headers()[header::LOCATION], back, "{page}");
    }
    // A script asking for JSON gets the function's answer, as before.
    let (status, _, body) = app
        .post_form(
            "/api/account/sign-in",
            &[
                ("portal_id", "nobody.here"),
                ("password", "not-a-password-1"),
            ],
            None,
        )
        .await;
    assert_eq!(status, 422, "{body}");
    assert!(body.contains("did not match"), "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_form_posts_get_a_page_back_never_a_server_error() {
    let app = spawn_app(BACKENDS[0]).await.with_demo().await;
    app.set_policy(r#"{"attempts_per_address": 1000}"#).await;
    let bodies: [&[u8]; 8] = [
        b"",
        b"__page=/sign-in",
        b"portal_id=%FF%FE&password=%00&__page=/sign-in",
        b"__page=%2F%2Fevil.example&__page=/sign-in&portal_id=a&password=b",
        b"portal_id[]=a&password[x]=b&__page=/sign-in",
        b"%%%%&&&===&__page=",
        b"code=ABCD-EFGH-JKMN&date_of_birth=not-a-date&portal_id=a&password=b&reset_question=q&reset_answer=a",
        b"medical_record_number=RB100001&route=visit",
    ];
    for function in [
        "/api/account/sign-in",
        "/api/account/activate",
        "/api/account/forgot-password/start",
        "/api/desk/issue-activation-code",
        "/api/account/sign-out",
    ] {
        for body in bodies {
            let response = post_without_script(&app, function, body.to_vec(), None).await;
            let status = response.status();
            let location = response
                .headers()
                .get(header::LOCATION)
                .map(|l| l.to_str().unwrap().to_owned());
            assert_eq!(status, StatusCode::SEE_OTHER, "{function} {body:?}");
            let location = location.unwrap();
            assert!(
                location.starts_with('/') && !location.starts_with("//"),
                "{function} {body:?}: {location}"
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn posts_that_would_keep_new_answers_count_against_the_address() {
    let app = spawn_app(BACKENDS[0]).await.with_demo().await;
    app.set_policy(r#"{"attempts_per_address": 3}"#).await;
    let post =
        async || post_without_script(&app, "/api/account/sign-out", "__page=/help", None).await;
    for _ in 0..3 {
        assert_eq!(post().await.status(), StatusCode::SEE_OTHER);
    }
    let refused = post().await;
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(
        body_text(refused.into_body())
            .await
            .contains("Too many attempts from your network"),
    );
    assert_eq!(kept_answers(&app).await, 3, "no row for the refused post");
    // A token the server never gave (or one expired) is no way around it.
    let made_up = post_without_script(
        &app,
        "/api/account/sign-out",
        "__page=/help",
        Some("__Host-portal_answers=made-up-token"),
    )
    .await;
    assert_eq!(made_up.status(), StatusCode::TOO_MANY_REQUESTS);
    // The kept answers' own throttle is apart from the sign-in attempts'.
    let (status, _, body) = app
        .post_form(
            "/api/account/sign-in",
            &[
                ("portal_id", "nobody.here"),
                ("password", "not-a-password-1"),
            ],
            None,
        )
        .await;
    assert_eq!(status, 422, "{body}");
    assert!(body.contains("did not match"), "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn turning_on_two_step_verification_without_javascript() {
    for backend in BACKENDS {
        let app = spawn_app(backend).await.with_demo().await;
        app.activate_alex().await;
        let mut browser = Browser::new(&app);
        browser.open("/sign-in").await;
        browser
            .submit(
                "/api/account/sign-in",
                &[("portal_id", "alex.rivera"), ("password", "riverbend7")],
            )
            .await;
        browser.open("/account/security").await;
        browser.submit("/api/account/two-step/begin", &[]).await;
        assert!(
            browser.shows("add an account with this key") && browser.shows("<svg"),
            "{backend:?}: the key and its QR code: {}",
            browser.html
        );
        // A wrong code keeps the key on the page, with the refusal.
        browser
            .submit(
                "/api/account/two-step/confirm",
                &[("code", "000000"), ("password", "riverbend7")],
            )
            .await;
        assert!(browser.shows("add an account with this key"), "{backend:?}");
        assert!(
            browser.shows("That code is not right."),
            "{backend:?}: {}",
            browser.html
        );
        let code = crate::account_security::app_code(&app).await;
        browser
            .submit(
                "/api/account/two-step/confirm",
                &[("code", &code), ("password", "riverbend7")],
            )
            .await;
        assert!(
            browser.shows("Your recovery codes"),
            "{backend:?}: {}",
            browser.html
        );
    }
}

/// Issue 14 without JavaScript: Maria sees each child's record with the engine's reasons, opens
/// Sam's personal information and changes it with a form post, is told Lily's is not there; Walter
/// withdraws Erin's access with a form post, and Erin's next page is refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn records_and_revocation_work_without_javascript() {
    use crate::access::signed_in;
    for backend in BACKENDS {
        let app = spawn_app(backend).await.with_demo().await;
        let maria = app.demo_person("Maria").await;
        let (sam, lily) = (app.demo_person("Sam").await, app.demo_person("Lily").await);
        let mut browser = Browser::new(&app);
        browser
            .cookies
            .insert("__Host-portal_session".into(), signed_in(&app, maria).await);
        assert_eq!(browser.open("/records").await, StatusCode::OK);
        for text in [
            "Records you can open",
            "Sam Chen",
            "so you have full access to their record",
            "Lily Chen",
            "limited from a child's 13th birthday",
            "You can still schedule their appointments",
            "Jordan Chen",
            "ended on",
        ] {
            assert!(browser.shows(text), "{backend:?}: {text}: {}", browser.html);
        }
        let lily_page = format!("/record/personal-information?for={lily}");
        assert_eq!(browser.open(&lily_page).await, StatusCode::NOT_FOUND);
        assert!(browser.shows("We could not find this record"));

        let sam_page = format!("/record/personal-information?for={sam}");
        assert_eq!(browser.open(&sam_page).await, StatusCode::OK);
        assert!(
            browser.shows("You are viewing Sam Chen's record."),
            "{}",
            browser.html
        );
        assert!(browser.shows("Sam Chen's personal information"));
        assert!(browser.shows("RB100003"));
        let subject = sam.to_string();
        browser
            .submit(
                "/api/record/personal-information/contact",
                &[
                    ("subject", &subject),
                    ("contact[address_line]", "9 Orchard Lane"),
                    ("contact[city]", "Riverbend"),
                    ("contact[region]", "WI"),
                    ("contact[postal_code]", "53700"),
                    ("contact[phone]", "555-0177"),
                ],
            )
            .await;
        assert!(browser.shows("Saved."), "{}", browser.html);
        assert!(browser.shows("9 Orchard Lane"));

        // Walter withdraws Erin's access; Erin's next page is refused.
        let (walter, erin) = (
            app.demo_person("Walter").await,
            app.demo_person("Erin").await,
        );
        let erin_token = signed_in(&app, erin).await;
        let mut walters = Browser::new(&app);
        walters.cookies.insert(
            "__Host-portal_session".into(),
            signed_in(&app, walter).await,
        );
        assert_eq!(walters.open("/record/who-can-view").await, StatusCode::OK);
        assert!(walters.shows("Erin Brooks"), "{}", walters.html);
        let grant = walters.hidden("grant");
        walters
            .submit("/api/record/who-can-view/revoke", &[("grant", &grant)])
            .await;
        assert!(walters.shows("Access withdrawn"), "{}", walters.html);
        let mut erins = Browser::new(&app);
        erins
            .cookies
            .insert("__Host-portal_session".into(), erin_token);
        let walter_page = format!("/record/personal-information?for={walter}");
        assert_eq!(erins.open(&walter_page).await, StatusCode::NOT_FOUND);
    }
}

/// The proxy desk without JavaScript: the demo's pending guardian request is in the queue, and
/// a decision posted as a plain form comes back with its answer.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_proxy_desk_works_without_javascript() {
    for backend in BACKENDS {
        let app = spawn_app(backend).await.with_demo().await;
        let mut desk = Browser::new(&app);
        desk.cookies.insert(
            "__Host-portal_session".into(),
            crate::staff::staff_session(&app, "desk").await,
        );
        assert_eq!(desk.open("/staff/proxy-desk").await, StatusCode::OK);
        assert!(
            desk.shows("Omar Haddad asks to be Pat Morgan's legal guardian"),
            "{backend:?}: {}",
            desk.html
        );
        let request = desk.hidden("request");
        // Without the identity checked: refused, and the request still waits.
        desk.submit(
            "/api/proxy-desk/decide",
            &[("request", &request), ("decision", "approve"), ("note", "")],
        )
        .await;
        assert!(desk.shows("tick the box before approving"), "{}", desk.html);
        // The order's end date, as the desk reads it on the order (shown with its link).
        assert!(
            desk.shows("Open the court order (PDF, 1 KB)"),
            "{}",
            desk.html
        );
        let ends = desk.hidden("order_ends_on");
        assert!(!ends.is_empty(), "filled in as Omar gave it");
        desk.submit(
            "/api/proxy-desk/decide",
            &[
                ("request", &request),
                ("decision", "approve"),
                ("identity_verified", "on"),
                ("note", ""),
                ("order_ends_on", &ends),
            ],
        )
        .await;
        assert!(desk.shows("Approved."), "{}", desk.html);
        assert!(desk.shows("No request is waiting."));
    }
}
