//! Staff sign-in: password, then a code from an authenticator app (required for staff). The
//! first sign-in asks for the set-up code given with the account, then shows the key to add to
//! the app.

use super::components::form::{PageForm, form_action, go_on_without_script, typed_before};
use super::components::site::PageTitle;
use crate::api::security::AuthenticatorSetup;
use crate::api::staff_sign_in::{StaffSecondStep, StaffSetUp, StaffSignIn, StaffVerifyCode};
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

#[component]
pub fn StaffSignInPage() -> AnyView {
    let sign_in = form_action::<StaffSignIn>();
    let verify = form_action::<StaffVerifyCode>();
    let set_up = form_action::<StaffSetUp>();
    let authenticator = Memo::new(move |_| set_up.value().get().and_then(Result::ok));
    let step = Memo::new(move |_| sign_in.value().get().and_then(Result::ok));
    if let Some(Ok(None)) = verify.value().get_untracked()
        && let Some(sent_on) = go_on_without_script("/staff/desk")
    {
        return sent_on;
    }
    let navigate = use_navigate();
    // Straight to the desk, unless this sign-in set up the authenticator: then the recovery
    // codes are shown first, once.
    Effect::new(move |_| {
        if let Some(Ok(None)) = verify.value().get() {
            navigate("/staff/desk", Default::default());
        }
    });
    let recovery_codes = move || verify.value().get().and_then(Result::ok).flatten();
    view! {
        <PageTitle page="Staff sign-in" />
        <h1>"Staff sign-in"</h1>
        <section class="card">
            {move || match (step.get(), recovery_codes()) {
                (_, Some(codes)) => {
                    view! {
                        <h2>"Your recovery codes"</h2>
                        <p>
                            "2-step verification is set up. If you lose your phone, each of these codes works once in place of a code from the app. Write them down or print them and keep them safe: they are not shown again."
                        </p>
                        <ul class="recovery-codes" aria-label="Recovery codes">
                            {codes.into_iter().map(|c| view! { <li>{c}</li> }).collect_view()}
                        </ul>
                        <a class="button" href="/staff/desk">
                            "Continue to the desk"
                        </a>
                    }
                        .into_any()
                }
                (None, None) => {
                    view! {
                        <PageForm action=sign_in>
                            <div class="field">
                                <label for="username">"Username"</label>
                                <input
                                    id="username"
                                    value={typed_before::<StaffSignIn>("username")}
                                    name="username"
                                    autocomplete="username"
                                    required
                                />
                            </div>
                            <div class="field">
                                <label for="password">"Password"</label>
                                <input
                                    id="password"
                                    name="password"
                                    type="password"
                                    autocomplete="current-password"
                                    required
                                />
                            </div>
                            <button type="submit" class="button">"Continue"</button>
                        </PageForm>
                        <div role="alert" class="form-problem">
                            {move || sign_in.value().get().and_then(Result::err).map(|e| e.to_string())}
                        </div>
                    }
                        .into_any()
                }
                (Some(StaffSecondStep::EnterSetUpCode), None) if authenticator.get().is_none() => {
                    view! {
                        <h2>"Set up 2-step verification"</h2>
                        <p>
                            "Staff sign in with a code from an authenticator app. First enter the set-up code you were given with your account."
                        </p>
                        <PageForm action=set_up>
                            <div class="field">
                                <label for="setup_code">"Set-up code"</label>
                                <input
                                    id="setup_code"
                                    name="setup_code"
                                    autocomplete="off"
                                    aria-describedby="setup-code-hint"
                                    required
                                />
                                <p id="setup-code-hint" class="hint">
                                    "12 letters and digits, like ABCD-EFGH-JKMN. It works for 24 hours; an administrator can give you a new one."
                                </p>
                            </div>
                            <button type="submit" class="button">"Set up"</button>
                        </PageForm>
                        <div role="alert" class="form-problem">
                            {move || set_up.value().get().and_then(Result::err).map(|e| e.to_string())}
                        </div>
                    }
                        .into_any()
                }
                (Some(_), None) => {
                    let setup = authenticator
                        .get()
                        .map(|AuthenticatorSetup { secret, uri, qr_svg }| {
                            view! {
                                <h2>"Set up 2-step verification"</h2>
                                <p>
                                    "Add the portal to your authenticator app with this key, then enter the 6-digit code it shows."
                                </p>
                                <div class="field field--wide">
                                    <label for="authenticator_key">"Authenticator key"</label>
                                    <input
                                        id="authenticator_key"
                                        class="secret-key"
                                        readonly
                                        value=secret
                                    />
                                </div>
                                <div
                                    class="qr-code"
                                    role="img"
                                    aria-label="QR code of the key, to scan with your authenticator app"
                                    inner_html=qr_svg
                                ></div>
                                <p>
                                    <a href=uri>"Open in your authenticator app"</a>
                                </p>
                            }
                        });
                    view! {
                        {setup}
                        <PageForm action=verify>
                            <div class="field">
                                <label for="code">"Authenticator code"</label>
                                <input
                                    id="code"
                                    name="code"
                                    autocomplete="one-time-code"
                                    aria-describedby="code-hint"
                                    required
                                />
                                <p id="code-hint" class="hint">
                                    "6 digits from the app. Lost your phone? Enter one of your recovery codes."
                                </p>
                            </div>
                            <button type="submit" class="button">"Verify"</button>
                        </PageForm>
                        <div role="alert" class="form-problem">
                            {move || verify.value().get().and_then(Result::err).map(|e| e.to_string())}
                        </div>
                    }
                        .into_any()
                }
            }}
        </section>
    }
    .into_any()
}
