//! One routed page per file; shared pieces in `components/`.

mod account_security;
mod activate;
mod appointments;
mod book_appointment;
pub mod components;
mod confirm_email;
mod forgot_password;
mod forgot_portal_id;
mod getting_an_account;
mod health_reminders;
mod health_summary;
mod help;
mod home;
mod immunizations;
mod not_found;
mod personal_information;
mod proxy_desk;
mod records;
mod reports;
mod reports_desk;
mod request_activation_code;
mod result;
mod result_trend;
mod results;
mod results_desk;
mod sign_in;
mod staff_desk;
mod staff_sign_in;
mod who_can_view;
mod who_viewed;

pub use account_security::AccountSecurityPage;
pub use activate::ActivatePage;
pub use appointments::AppointmentsPage;
pub use book_appointment::BookAppointmentPage;
pub use confirm_email::ConfirmEmailPage;
pub use forgot_password::ForgotPasswordPage;
pub use forgot_portal_id::ForgotPortalIdPage;
pub use getting_an_account::GettingAnAccountPage;
pub use health_reminders::HealthRemindersPage;
pub use health_summary::HealthSummaryPage;
pub use help::HelpPage;
pub use home::HomePage;
pub use immunizations::ImmunizationsPage;
pub use not_found::NotFoundPage;
pub use personal_information::PersonalInformationPage;
pub use proxy_desk::ProxyDeskPage;
pub use records::RecordsPage;
pub use reports::ReportsPage;
pub use reports_desk::ReportsDeskPage;
pub use request_activation_code::RequestActivationCodePage;
pub use result::ResultPage;
pub use result_trend::ResultTrendPage;
pub use results::ResultsPage;
pub use results_desk::ResultsDeskPage;
pub use sign_in::SignInPage;
pub use staff_desk::StaffDeskPage;
pub use staff_sign_in::StaffSignInPage;
pub use who_can_view::WhoCanViewPage;
pub use who_viewed::WhoViewedPage;

/// Every page but the home and sign-in pages is split out of the main WASM into a chunk of its
/// own, loaded when the page is first visited (`cargo leptos build --split`), so the code a
/// visitor downloads first does not grow with every page the portal gains. The server renders
/// them all the same way. The sign-in page, where most visits begin, is in the main module: a
/// lazy page's first hydration starts one fetch for its chunk and for every chunk of code it
/// shares with other pages (about fifty for sign-in), which kept a tablet's main thread busy for
/// longer than Lighthouse allows (issue 13, NOTES.md).
macro_rules! lazy_pages {
    ($($route:ident => $page:ident),* $(,)?) => {$(
        pub struct $route;

        #[leptos_router::lazy_route]
        impl leptos_router::LazyRoute for $route {
            fn data() -> Self {
                Self
            }

            fn view(_this: Self) -> leptos::prelude::AnyView {
                use leptos::prelude::*;
                view! { <$page /> }.into_any()
            }
        }
    )*};
}

lazy_pages! {
    GettingAnAccountRoute => GettingAnAccountPage,
    HelpRoute => HelpPage,
    ActivateRoute => ActivatePage,
    RequestActivationCodeRoute => RequestActivationCodePage,
    ForgotPasswordRoute => ForgotPasswordPage,
    ForgotPortalIdRoute => ForgotPortalIdPage,
    AccountSecurityRoute => AccountSecurityPage,
    StaffSignInRoute => StaffSignInPage,
    StaffDeskRoute => StaffDeskPage,
    RecordsRoute => RecordsPage,
    PersonalInformationRoute => PersonalInformationPage,
    WhoCanViewRoute => WhoCanViewPage,
    WhoViewedRoute => WhoViewedPage,
    ConfirmEmailRoute => ConfirmEmailPage,
    ProxyDeskRoute => ProxyDeskPage,
    AppointmentsRoute => AppointmentsPage,
    BookAppointmentRoute => BookAppointmentPage,
    ResultsRoute => ResultsPage,
    ResultRoute => ResultPage,
    ResultTrendRoute => ResultTrendPage,
    ResultsDeskRoute => ResultsDeskPage,
    ImmunizationsRoute => ImmunizationsPage,
    HealthRemindersRoute => HealthRemindersPage,
    HealthSummaryRoute => HealthSummaryPage,
    ReportsRoute => ReportsPage,
    ReportsDeskRoute => ReportsDeskPage,
}
