//! Asking for an activation code by email (A2, online): for patients whose email address is on
//! file. The page says the same thing whatever the server found.

use super::components::form::{PageForm, form_action, typed_before};
use super::components::site::{PageTitle, WithSite};
use crate::api::enrolment::RequestActivationCode;
use crate::api::site::SiteInfo;
use leptos::prelude::*;
use leptos_router::components::A;

#[component]
pub fn RequestActivationCodePage() -> impl IntoView {
    let action = form_action::<RequestActivationCode>();
    view! {
        <PageTitle page="Ask for an activation code" />
        <h1>"Ask for an activation code"</h1>
        <p class="lead">
            "If your email address is already on file with us, we can email you a one-time activation code. Enter your details exactly as we have them."
        </p>
        <section class="card">
            <PageForm action>
                <div class="field">
                    <label for="given_name">"Given name"</label>
                    <input
                        id="given_name"
                        value={typed_before::<RequestActivationCode>("given_name")}
                        name="given_name"
                        autocomplete="given-name"
                        required
                    />
                </div>
                <div class="field">
                    <label for="family_name">"Family name"</label>
                    <input
                        id="family_name"
                        value={typed_before::<RequestActivationCode>("family_name")}
                        name="family_name"
                        autocomplete="family-name"
                        required
                    />
                </div>
                <div class="field">
                    <label for="date_of_birth">"Date of birth"</label>
                    <input
                        id="date_of_birth"
                        value={typed_before::<RequestActivationCode>("date_of_birth")}
                        name="date_of_birth"
                        type="date"
                        autocomplete="bday"
                        required
                    />
                </div>
                <div class="field">
                    <label for="email">"Email address on file"</label>
                    <input
                        id="email"
                        value={typed_before::<RequestActivationCode>("email")}
                        name="email"
                        type="email"
                        autocomplete="email"
                        required
                    />
                </div>
                <button type="submit" class="button">"Email me a code"</button>
            </PageForm>
            <div role="alert" class="form-problem">
                {move || action.value().get().and_then(Result::err).map(|e| e.to_string())}
            </div>
            <Show when=move || matches!(action.value().get(), Some(Ok(())))>
                <div role="status" class="form-success">
                    <p>
                        "If those details match our records, we have emailed an activation code to that address. It can take a few minutes to arrive."
                    </p>
                    <p>
                        "Then " <A href="/activate">"activate your account"</A>
                        " with the code and your date of birth."
                    </p>
                    <WithSite view=|info: SiteInfo| {
                        view! {
                            <p>
                                {format!(
                                    "Nothing after an hour? Your email address may not be on file: ask at your next visit, or call {}.",
                                    info.branding.help_line.display(),
                                )}
                            </p>
                        }
                    } />
                </div>
            </Show>
        </section>
    }
}
