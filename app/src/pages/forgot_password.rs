//! Forgotten password (A6), in two steps on one page: who you are (portal ID, SSN, date of
//! birth), then your reset question and a new password.

use super::components::form::{PageForm, form_action, typed_before};
use super::components::site::PageTitle;
use crate::api::password_reset::{FinishPasswordReset, StartPasswordReset};
use leptos::prelude::*;
use leptos_router::components::A;

#[component]
pub fn ForgotPasswordPage() -> impl IntoView {
    let start = form_action::<StartPasswordReset>();
    let finish = form_action::<FinishPasswordReset>();
    // Memos, so a refused attempt re-renders only the message, not the form being typed in.
    let challenge = Memo::new(move |_| start.value().get().and_then(Result::ok));
    let done = Memo::new(move |_| matches!(finish.value().get(), Some(Ok(()))));

    view! {
        <PageTitle page="Forgot password" />
        <h1>"Forgot password"</h1>
        <section class="card">
            {move || match (challenge.get(), done.get()) {
                (None, _) => view! { <IdentityStep start /> }.into_any(),
                (Some(_), true) => {
                    view! {
                        <p role="status" class="form-success">
                            "Your password has been changed, and you have been signed out everywhere else. "
                            <A href="/sign-in">"Sign in with your new password"</A>
                        </p>
                    }
                        .into_any()
                }
                (Some(c), false) => {
                    view! { <AnswerStep finish ticket=c.ticket question=c.question /> }.into_any()
                }
            }}
        </section>
    }
}

#[component]
fn IdentityStep(start: ServerAction<StartPasswordReset>) -> impl IntoView {
    view! {
        <p>"Give your portal ID, Social Security number and date of birth."</p>
        <PageForm action=start>
            <div class="field">
                <label for="portal_id">"Portal ID"</label>
                <input
                    id="portal_id"
                    value={typed_before::<StartPasswordReset>("portal_id")}
                    name="portal_id"
                    autocomplete="username"
                    required
                />
            </div>
            <div class="field">
                <label for="ssn">"Social Security number"</label>
                <input
                    id="ssn"
                    name="ssn"
                    inputmode="numeric"
                    autocomplete="off"
                    aria-describedby="ssn-hint"
                    required
                />
                <p id="ssn-hint" class="hint">"9 digits, like 123-45-6789."</p>
            </div>
            <div class="field">
                <label for="date_of_birth">"Date of birth"</label>
                <input
                    id="date_of_birth"
                    value={typed_before::<StartPasswordReset>("date_of_birth")}
                    name="date_of_birth"
                    type="date"
                    autocomplete="bday"
                    required
                />
            </div>
            <button type="submit" class="button">"Continue"</button>
        </PageForm>
        <div role="alert" class="form-problem">
            {move || start.value().get().and_then(Result::err).map(|e| e.to_string())}
        </div>
    }
}

#[component]
fn AnswerStep(
    finish: ServerAction<FinishPasswordReset>,
    ticket: String,
    question: String,
) -> impl IntoView {
    view! {
        <h2>"Your reset question"</h2>
        <p class="reset-question">{question}</p>
        <PageForm action=finish>
            <input type="hidden" name="ticket" value=ticket />
            <div class="field">
                <label for="answer">"Your answer"</label>
                <input id="answer" name="answer" autocomplete="off" required />
            </div>
            <div class="field">
                <label for="new_password">"New password"</label>
                <input
                    id="new_password"
                    name="new_password"
                    type="password"
                    autocomplete="new-password"
                    required
                />
            </div>
            <button type="submit" class="button">"Change password"</button>
        </PageForm>
        <div role="alert" class="form-problem">
            {move || finish.value().get().and_then(Result::err).map(|e| e.to_string())}
        </div>
    }
}
