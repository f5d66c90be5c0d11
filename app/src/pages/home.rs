//! The front page: what the portal is and where to start.

use super::components::site::{PageTitle, WithSite};
use crate::api::site::SiteInfo;
use leptos::prelude::*;
use leptos_router::components::A;

#[component]
pub fn HomePage() -> impl IntoView {
    view! {
        <PageTitle page="Home" />
        <WithSite view=|info: SiteInfo| {
            view! {
                <h1>{format!("Welcome to {}", info.branding.portal_name)}</h1>
                <p class="lead">
                    {format!(
                        "{} is the patient portal of {}.",
                        info.branding.portal_name,
                        info.branding.organization_name,
                    )}
                </p>
            }
        } />
        <div class="cards">
            <section class="card" aria-labelledby="new-heading">
                <h2 id="new-heading">"New to the portal?"</h2>
                <p>
                    "Accounts are for adults. Staff at your clinic give you a one-time activation code at a visit or from a paper sign-up form, or you can ask for one online if your email address is already on file with us."
                </p>
                <p>
                    <A href="/getting-an-account">"How to get an account"</A>
                </p>
            </section>
            <section class="card" aria-labelledby="family-heading">
                <h2 id="family-heading">"Caring for someone else?"</h2>
                <p>
                    "Parents, legal guardians and adults chosen by a patient can be given access to that patient's record. Each person asks for access with their own proxy form, which our staff review."
                </p>
            </section>
            <section class="card" aria-labelledby="help-heading">
                <h2 id="help-heading">"Need help?"</h2>
                <p>"Answers to common questions, and a phone line that is open day and night."</p>
                <p>
                    <A href="/help">"Get help"</A>
                </p>
            </section>
        </div>
    }
}
