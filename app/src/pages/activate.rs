//! Activation (A2-A5): the one-time code and date of birth prove who the patient is; they choose
//! a portal ID, a password and a reset question. The rules run here while typing, with the same
//! messages the server gives, and again on the server, which decides.

use super::components::form::{PageForm, form_action, typed_before};
use super::components::site::{PageTitle, WithSite};
use crate::api::account::ActivateAccount;
use crate::api::site::SiteInfo;
use crate::domain::password::{check_password, check_reset_answer};
use crate::domain::policy::OrganizationPolicy;
use crate::domain::portal_id::PortalId;
use leptos::prelude::*;
use leptos_router::components::A;

#[component]
pub fn ActivatePage() -> impl IntoView {
    view! {
        <PageTitle page="Activate your account" />
        <h1>"Activate your account"</h1>
        <p class="lead">
            "Enter the activation code you were given, with your date of birth, then choose how you will sign in."
        </p>
        <WithSite view=|info: SiteInfo| view! { <ActivateForm policy=info.policy /> } />
        <p>
            "No code? If your email address is on file with us, "
            <A href="/request-activation-code">"ask for one by email"</A> "."
        </p>
    }
}

/// A message under a field: empty until there is something to say.
fn problem(text: Option<String>) -> String {
    text.unwrap_or_default()
}

#[component]
fn ActivateForm(policy: OrganizationPolicy) -> impl IntoView {
    let action = form_action::<ActivateAccount>();
    let policy = StoredValue::new(policy);
    let portal_id = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let question = RwSignal::new(String::new());
    let answer = RwSignal::new(String::new());

    let id_problem = move || {
        let id = portal_id.get();
        (!id.is_empty())
            .then(|| {
                PortalId::parse(&id, &policy.read_value())
                    .err()
                    .map(|e| e.to_string())
            })
            .flatten()
    };
    let password_problem = move || {
        let p = password.get();
        (!p.is_empty())
            .then(|| {
                check_password(&p, Some(&portal_id.get()), &policy.read_value())
                    .err()
                    .map(|e| e.to_string())
            })
            .flatten()
    };
    let answer_problem = move || {
        let a = answer.get();
        (!a.is_empty())
            .then(|| {
                check_reset_answer(&question.get(), &a, &password.get())
                    .err()
                    .map(|e| e.to_string())
            })
            .flatten()
    };
    let p = policy.get_value();
    let id_hint = format!(
        "{} to {} characters: letters, digits, and . - _ @. You cannot change it later.",
        p.portal_id_min_length, p.portal_id_max_length
    );
    let password_hint = format!(
        "At least {} characters, with a letter and a digit. Symbols are allowed.",
        p.password_min_length
    );

    view! {
        <section class="card">
            <PageForm action>
                <div class="field">
                    <label for="code">"Activation code"</label>
                    <input
                        id="code"
                        name="code"
                        autocomplete="one-time-code"
                        aria-describedby="code-hint"
                        required
                    />
                    <p id="code-hint" class="hint">"12 letters and digits, like ABCD-EFGH-JKMN."</p>
                </div>
                <div class="field">
                    <label for="date_of_birth">"Date of birth"</label>
                    <input
                        id="date_of_birth"
                        value={typed_before::<ActivateAccount>("date_of_birth")}
                        name="date_of_birth"
                        type="date"
                        autocomplete="bday"
                        required
                    />
                </div>
                <div class="field">
                    <label for="portal_id">"Choose a portal ID"</label>
                    <input
                        id="portal_id"
                        value={typed_before::<ActivateAccount>("portal_id")}
                        name="portal_id"
                        autocomplete="username"
                        aria-describedby="portal_id-hint portal_id-problem"
                        required
                        on:input=move |ev| portal_id.set(event_target_value(&ev))
                    />
                    <p id="portal_id-hint" class="hint">{id_hint}</p>
                    <p id="portal_id-problem" class="field-problem" aria-live="polite">
                        {move || problem(id_problem())}
                    </p>
                </div>
                <div class="field">
                    <label for="password">"Choose a password"</label>
                    <input
                        id="password"
                        name="password"
                        type="password"
                        autocomplete="new-password"
                        aria-describedby="password-hint password-problem"
                        required
                        on:input=move |ev| password.set(event_target_value(&ev))
                    />
                    <p id="password-hint" class="hint">{password_hint}</p>
                    <p id="password-problem" class="field-problem" aria-live="polite">
                        {move || problem(password_problem())}
                    </p>
                </div>
                <div class="field">
                    <label for="reset_question">"Password reset question"</label>
                    <input
                        id="reset_question"
                        value={typed_before::<ActivateAccount>("reset_question")}
                        name="reset_question"
                        aria-describedby="reset_question-hint"
                        required
                        on:input=move |ev| question.set(event_target_value(&ev))
                    />
                    <p id="reset_question-hint" class="hint">
                        "A question only you can answer, like \"Name of my first pet?\""
                    </p>
                </div>
                <div class="field">
                    <label for="reset_answer">"Answer to your question"</label>
                    <input
                        id="reset_answer"
                        name="reset_answer"
                        aria-describedby="reset_answer-problem"
                        required
                        on:input=move |ev| answer.set(event_target_value(&ev))
                    />
                    <p id="reset_answer-problem" class="field-problem" aria-live="polite">
                        {move || problem(answer_problem())}
                    </p>
                </div>
                <button type="submit" class="button">"Activate"</button>
            </PageForm>
            <div role="alert" class="form-problem">
                {move || action.value().get().and_then(Result::err).map(|e| e.to_string())}
            </div>
            <Show when=move || matches!(action.value().get(), Some(Ok(())))>
                <p role="status" class="form-success">
                    "Your account is ready. " <A href="/sign-in">"Sign in now"</A>
                </p>
            </Show>
        </section>
    }
}
