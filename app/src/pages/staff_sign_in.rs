//! Staff sign-in: password, then a code from an authenticator app (required for staff). The
//! first sign-in shows the key to add to the app.

use super::components::site::PageTitle;
use crate::api::staff::{StaffSecondStep, StaffSignIn, StaffVerifyCode};
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

#[component]
pub fn StaffSignInPage() -> impl IntoView {
    let sign_in = ServerAction::<StaffSignIn>::new();
    let verify = ServerAction::<StaffVerifyCode>::new();
    let step = Memo::new(move |_| sign_in.value().get().and_then(Result::ok));
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(())) = verify.value().get() {
            navigate("/staff/desk", Default::default());
        }
    });
    view! {
        <PageTitle page="Staff sign-in" />
        <h1>"Staff sign-in"</h1>
        <section class="card">
            {move || match step.get() {
                None => {
                    view! {
                        <ActionForm action=sign_in>
                            <div class="field">
                                <label for="username">"Username"</label>
                                <input id="username" name="username" autocomplete="username" required />
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
                        </ActionForm>
                        <div role="alert" class="form-problem">
                            {move || sign_in.value().get().and_then(Result::err).map(|e| e.to_string())}
                        </div>
                    }
                        .into_any()
                }
                Some(next) => {
                    let setup = match next {
                        StaffSecondStep::SetUpAuthenticator { secret, uri } => {
                            Some(
                                view! {
                                    <h2>"Set up 2-step verification"</h2>
                                    <p>
                                        "Staff sign in with a code from an authenticator app. Add the portal to your app with this key, then enter the 6-digit code it shows."
                                    </p>
                                    <p class="secret-key" aria-label="Authenticator key">
                                        {secret}
                                    </p>
                                    <p>
                                        <a href=uri>"Open in your authenticator app"</a>
                                    </p>
                                },
                            )
                        }
                        StaffSecondStep::EnterCode => None,
                    };
                    view! {
                        {setup}
                        <ActionForm action=verify>
                            <div class="field">
                                <label for="code">"Authenticator code"</label>
                                <input
                                    id="code"
                                    name="code"
                                    inputmode="numeric"
                                    autocomplete="one-time-code"
                                    required
                                />
                            </div>
                            <button type="submit" class="button">"Verify"</button>
                        </ActionForm>
                        <div role="alert" class="form-problem">
                            {move || verify.value().get().and_then(Result::err).map(|e| e.to_string())}
                        </div>
                    }
                        .into_any()
                }
            }}
        </section>
    }
}
