//! The organization's policy as a history of versions (P6), on SQLite and PostgreSQL.

use crate::helpers::{BACKENDS, spawn_app};
use app::db::store;
use app::domain::clock::Clock;
use app::domain::policy::OrganizationPolicy;
use chrono::NaiveDate;

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn p6_the_policy_in_force_changes_at_midnight_in_the_organizations_zone() {
    for backend in BACKENDS {
        let app = spawn_app(backend).await;
        let org = app.state.site.organization_id;
        // A new organization has the rules' values, in force since the beginning.
        let history = store::policy_history(&app.state.db, org).await.unwrap();
        assert_eq!(history.versions().len(), 1, "{backend:?}");
        assert_eq!(history.versions()[0].policy, OrganizationPolicy::default());
        let changed = OrganizationPolicy {
            lab_result_release_days: 0,
            ..OrganizationPolicy::default()
        };
        store::set_policy_version(
            &app.state.db,
            org,
            day(2026, 6, 20),
            &changed,
            app.clock.now(),
        )
        .await
        .unwrap();
        // 23:59 on 19 June in Chicago (CDT, UTC-5), then midnight.
        let in_force = |at: &str| {
            app.clock.set(at.parse().unwrap());
            app.state.policy.forget();
            let state = app.state.clone();
            async move { state.current_policy().await.unwrap() }
        };
        assert_eq!(
            in_force("2026-06-20T04:59:00Z")
                .await
                .lab_result_release_days,
            4
        );
        assert_eq!(
            in_force("2026-06-20T05:00:00Z")
                .await
                .lab_result_release_days,
            0
        );
        // The same day again replaces that day's version; the first one stays as it was.
        let again = OrganizationPolicy {
            lab_result_release_days: 1,
            ..OrganizationPolicy::default()
        };
        store::set_policy_version(
            &app.state.db,
            org,
            day(2026, 6, 20),
            &again,
            app.clock.now(),
        )
        .await
        .unwrap();
        let history = store::policy_history(&app.state.db, org).await.unwrap();
        assert_eq!(history.versions().len(), 2, "{backend:?}");
        assert_eq!(
            history
                .in_force_on(day(2026, 6, 19))
                .lab_result_release_days,
            4
        );
        assert_eq!(
            history.in_force_on(day(2030, 1, 1)).lab_result_release_days,
            1
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn p6_the_demo_limits_parents_at_10_before_6_october_2009_and_at_13_since() {
    for backend in BACKENDS {
        let app = spawn_app(backend).await.with_demo().await;
        let history = store::policy_history(&app.state.db, app.state.site.organization_id)
            .await
            .unwrap();
        let limited_at = |d| history.in_force_on(d).parent_limited_access_age;
        assert_eq!(limited_at(day(1998, 8, 20)), 10, "{backend:?}");
        assert_eq!(limited_at(day(2009, 10, 5)), 10);
        assert_eq!(limited_at(day(2009, 10, 6)), 13);
        assert_eq!(limited_at(day(2026, 6, 15)), 13);
        assert_eq!(history.in_force_on(day(2026, 6, 15)).adult_proxy_years, 5);
    }
}

/// An organization's policy from before the history (one JSON on the organization row) becomes
/// its version in force since the beginning; going back down puts that version on the row.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_existing_organizations_policy_becomes_its_version_since_the_beginning() {
    use app::db::migrations::Migrator;
    use sea_orm_migration::MigratorTrait;
    for backend in BACKENDS {
        let app = spawn_app(backend).await;
        let db = &app.state.db;
        let org = app.state.site.organization_id;
        let own = OrganizationPolicy {
            lab_result_release_days: 2,
            ..OrganizationPolicy::default()
        };
        store::set_policy_version(db, org, store::since_the_beginning(), &own, app.clock.now())
            .await
            .unwrap();
        Migrator::down(db, Some(1))
            .await
            .unwrap_or_else(|e| panic!("{backend:?} down: {e}"));
        Migrator::up(db, None)
            .await
            .unwrap_or_else(|e| panic!("{backend:?} up: {e}"));
        let history = store::policy_history(db, org).await.unwrap();
        assert_eq!(history.versions().len(), 1, "{backend:?}");
        assert_eq!(
            history.versions()[0].effective_from,
            store::since_the_beginning()
        );
        assert_eq!(history.versions()[0].policy, own, "{backend:?}");
    }
}
