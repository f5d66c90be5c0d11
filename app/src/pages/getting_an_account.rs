//! How to get an account (A1, A2, A3, A4), and a check of whether a date of birth is old enough.
//! The check is a GET form: without JavaScript the server renders the answer for `?dob=`, with
//! JavaScript the router does the same without reloading the page.

use super::components::site::{PageTitle, WithSite};
use crate::api::site::{SiteInfo, check_account_eligibility};
use crate::domain::age::AccountEligibility;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::components::Form;
use leptos_router::hooks::use_query_map;

#[component]
pub fn GettingAnAccountPage() -> impl IntoView {
    let query = use_query_map();
    let dob = move || query.read().get("dob");
    let answer = Resource::new(dob, |dob| async move {
        match dob {
            Some(dob) => Some(check_account_eligibility(dob).await),
            None => None,
        }
    });

    view! {
        <PageTitle page="Getting an account" />
        <h1>"Getting an account"</h1>
        <WithSite view=|info: SiteInfo| {
            let p = info.policy;
            view! {
                <p class="lead">
                    {format!(
                        "Anyone aged {} or over who is a patient of {} can have an account.",
                        p.adult_age,
                        info.branding.organization_name,
                    )}
                </p>
                <h2>"Three ways to start"</h2>
                <ol class="steps">
                    <li>"At a clinic or hospital visit: ask the front desk to enrol you."</li>
                    <li>
                        "Online: if your email address is already on file with us, "
                        <A href="/request-activation-code">"ask for a code by email"</A>
                        "."
                    </li>
                    <li>"On paper: fill in a sign-up form and hand it in or mail it to us."</li>
                </ol>
                <p>
                    {format!(
                        "Each way ends with a one-time activation code. Enter it on the sign-in page with your date of birth. It works once, and it expires after {} days.",
                        p.activation_code_valid_days,
                    )}
                </p>
                <h2>"Choosing your portal ID and password"</h2>
                <ul>
                    <li>
                        {format!(
                            "Your portal ID has {} to {} characters: letters, digits, and . - _ @. You choose it once and cannot change it later.",
                            p.portal_id_min_length,
                            p.portal_id_max_length,
                        )}
                    </li>
                    <li>
                        {format!(
                            "Your password has at least {} characters, with at least one letter and one digit. Symbols are allowed.",
                            p.password_min_length,
                        )}
                    </li>
                    <li>"Only you know your portal ID and password: our staff can never see them."</li>
                </ul>
                <p>
                    "Accounts are only for adults: being an emancipated minor does not change that. Parents and guardians of a child can ask for proxy access to the child's record instead."
                </p>
            }
        } />
        <section class="card" aria-labelledby="check-heading">
            <h2 id="check-heading">"Can I have an account?"</h2>
            <Form method="GET" action="/getting-an-account" noscroll=true>
                <div class="field">
                    <label for="dob">"Date of birth"</label>
                    <input
                        id="dob"
                        name="dob"
                        type="date"
                        autocomplete="bday"
                        value=move || dob().unwrap_or_default()
                    />
                </div>
                <button type="submit" class="button">"Check"</button>
            </Form>
            <div role="status" class="check-result">
                <Suspense fallback=|| ()>
                    {move || Suspend::new(async move {
                        answer.await.map(|answer| match answer {
                            Ok(result) => eligibility_message(&result),
                            Err(e) => e.to_string(),
                        })
                    })}
                </Suspense>
            </div>
        </section>
    }
}

fn eligibility_message(answer: &AccountEligibility) -> String {
    match answer {
        AccountEligibility::Eligible => {
            "Yes: you can have an account. Ask your clinic for an activation code.".to_owned()
        }
        AccountEligibility::TooYoung {
            adult_age,
            adult_on,
        } => format!(
            "You are under {adult_age}, so you cannot have an account yet. You can enrol from {}. Until then, a parent or guardian can ask for proxy access to your record.",
            crate::domain::dates::long_date(*adult_on)
        ),
        AccountEligibility::BornInFuture => {
            "That date is in the future. Check the date of birth and try again.".to_owned()
        }
    }
}
