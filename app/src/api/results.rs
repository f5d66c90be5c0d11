//! Test results (issue 15, C3, C8): the released results of a record, one result with its
//! components, one component's history as a trend, the patient's choice to wait for their
//! clinician, and the clinicians' queue of results to release. A patient and a viewer with
//! full access read them through `guard::guarded_record` with [`Area::Results`]; nothing not
//! yet released is ever sent to them. Clinicians work the queue through the guard's staff need,
//! and each result they open or release is written to the patient's access log.

use super::PortalError;
use crate::api::record::RecordHeading;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// One result in the list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResultRow {
    pub id: i32,
    pub test: String,
    /// "12 March 2026".
    pub resulted: String,
    /// Whether the lab flagged a value.
    pub flagged: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResultList {
    pub heading: RecordHeading,
    pub rows: Vec<ResultRow>,
    pub page: u32,
    pub more: bool,
    /// Whether results wait for the clinician (C3).
    pub waits_for_clinician: bool,
    /// Only the patient changes that.
    pub may_change_wait: bool,
    /// The clinic's number, for questions (C8).
    pub phone: String,
}

/// Results per page.
pub const RESULTS_PAGE: u64 = 25;

#[server(endpoint = "record/results", input = leptos::server_fn::codec::GetUrl)]
pub async fn results(subject: Option<i32>, page: Option<u32>) -> Result<ResultList, PortalError> {
    use super::guard::{RecordNeed, guarded_record};
    use crate::domain::record::Area;
    guarded_record(RecordNeed::read(subject, Area::Results), |g| {
        server::list(g, page.unwrap_or(0))
    })
    .await
}

/// One component of a result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ComponentRow {
    /// The component's id: its history's address names it, not the test (no health
    /// information in a URL).
    pub id: i32,
    pub code: String,
    pub name: String,
    /// The value as the lab gave it, with its unit.
    pub value: String,
    /// "70 to 99 mg/dL", or the lab's words; empty when none.
    pub range: String,
    /// "High", "Low", "Abnormal"; empty when none.
    pub flag: String,
    /// Whether it has a number, so a history can be drawn.
    pub numeric: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResultView {
    pub id: i32,
    pub heading: RecordHeading,
    pub test: String,
    pub collected: String,
    pub resulted: String,
    pub ordered_by: String,
    pub components: Vec<ComponentRow>,
    pub phone: String,
}

#[server(endpoint = "record/results/result", input = leptos::server_fn::codec::GetUrl)]
pub async fn result_detail(
    subject: Option<i32>,
    id: Option<i32>,
) -> Result<ResultView, PortalError> {
    use super::guard::{RecordNeed, guarded_record};
    use crate::domain::record::Area;
    guarded_record(RecordNeed::read(subject, Area::Results), |g| {
        server::one(g, id)
    })
    .await
}

/// One value of a history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrendRow {
    pub date: String,
    pub value: String,
    pub flag: String,
}

/// A history drawn: the line (an SVG `points` list, "x,y x,y ..."), a dot per value while
/// they are few enough to tell apart, the reference band and the axis labels, in a box of
/// [`TREND_WIDTH`] × [`TREND_HEIGHT`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrendChart {
    pub line: String,
    pub dots: Vec<(f64, f64)>,
    pub band: Option<(f64, f64)>,
    pub top_label: String,
    pub bottom_label: String,
    pub first_date: String,
    pub last_date: String,
}

pub const TREND_WIDTH: f64 = 640.0;
pub const TREND_HEIGHT: f64 = 260.0;
pub const TREND_MARGIN: f64 = 40.0;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrendView {
    /// The component the history was asked for, for the table's page links.
    pub component: i32,
    pub heading: RecordHeading,
    pub name: String,
    pub unit: String,
    /// The reference range in words ("70 to 99 mg/dL"), from the latest value.
    pub range: String,
    /// Every value there is.
    pub count: usize,
    /// A page of the values, newest first ([`TREND_TABLE_PAGE`] a page).
    pub rows: Vec<TrendRow>,
    pub page: u32,
    pub more: bool,
    pub chart: Option<TrendChart>,
    pub phone: String,
}

/// Values per page of a history's table.
pub const TREND_TABLE_PAGE: usize = 50;

/// Values drawn as dots at most (beyond, the line alone).
pub const TREND_DOTS: usize = 200;

/// A history as worked out once for a person and one of their values, kept while it holds
/// (see [`crate::state::HistoryCache`]): everything its page shows but the table's later pages.
#[cfg(feature = "ssr")]
#[derive(Debug, Clone)]
pub struct KeptHistory {
    /// The component's code, for the table's later pages.
    pub code: String,
    pub name: String,
    pub unit: String,
    pub range: String,
    pub count: usize,
    pub chart: Option<TrendChart>,
    /// The table's first page.
    pub newest: Vec<TrendRow>,
}

#[server(endpoint = "record/results/trend", input = leptos::server_fn::codec::GetUrl)]
pub async fn result_trend(
    subject: Option<i32>,
    component: Option<i32>,
    page: Option<u32>,
) -> Result<TrendView, PortalError> {
    use super::guard::{RecordNeed, guarded_record};
    use crate::domain::record::Area;
    guarded_record(RecordNeed::read(subject, Area::Results), |g| {
        server::trend(g, component, page.unwrap_or(0))
    })
    .await
}

/// The patient's choice to see results only once their clinician has released them (C3).
#[server(endpoint = "record/results/wait")]
pub async fn set_result_wait(
    subject: Option<i32>,
    wait: Option<bool>,
) -> Result<bool, PortalError> {
    use super::guard::{RecordNeed, guarded_record};
    use crate::domain::record::Area;
    guarded_record(RecordNeed::change(subject, Area::Results), |g| {
        server::set_wait(g, wait.unwrap_or(false))
    })
    .await
}

/// A result waiting for a clinician.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingRow {
    pub id: i32,
    pub patient: String,
    pub record_number: String,
    pub test: String,
    pub resulted: String,
    /// "Shown to the patient automatically on …" or "Only when released".
    pub release: String,
}

#[server(endpoint = "results-desk/pending", input = leptos::server_fn::codec::GetUrl)]
pub async fn pending_results() -> Result<Vec<PendingRow>, PortalError> {
    use super::guard::{Staff, guarded};
    use crate::domain::staff::StaffRole;
    // Releasing a result is a clinical act: clinicians only.
    guarded(Staff(&[StaffRole::Clinician]), server::pending).await
}

/// Releases a result to its patient now (C3). Answers the patient's name and the test.
#[server(endpoint = "results-desk/release")]
pub async fn release_result(id: Option<i32>) -> Result<String, PortalError> {
    use super::guard::{Staff, guarded};
    use crate::domain::staff::StaffRole;
    guarded(Staff(&[StaffRole::Clinician]), |g| server::release(g, id)).await
}

/// Sends the emails for results that have become visible (released by a provider, or past
/// their automatic release): each result announced once, whichever instance gets there first,
/// one email per person a round (C6). Answers how many emails were queued. The worker calls it
/// every round.
#[cfg(feature = "ssr")]
pub async fn notify_released(state: &crate::state::AppState) -> Result<usize, PortalError> {
    server::notify_released(state).await
}

#[cfg(feature = "ssr")]
mod server {
    use super::*;
    use crate::api::guard::{ActingFor, Guarded, StaffSession};
    use crate::api::record::server::{entry_for, heading_of, still_allowed};
    use crate::db::audit::{self, Actor, Outcome};
    use crate::db::entities::{patient, person, result_component};
    use crate::db::records::{self, AccessEntry};
    use crate::db::results as store;
    use crate::domain::dates::{date_and_time, long_date};
    use crate::domain::notification::NewInformation;
    use crate::domain::record::{Area, RecordAction};
    use crate::domain::results::lay_out_trend;
    use crate::state::{AppState, HistoryOf};
    use chrono::{DateTime, Utc};
    use sea_orm::{EntityTrait, TransactionTrait};
    use std::sync::Arc;

    fn internal(e: impl std::fmt::Display) -> PortalError {
        PortalError::internal("results", e)
    }

    fn day(state: &AppState, at: DateTime<Utc>) -> String {
        long_date(crate::domain::age::local_date(at, state.site.time_zone))
    }

    fn moment(state: &AppState, at: DateTime<Utc>) -> String {
        date_and_time(at.with_timezone(&state.site.time_zone).naive_local())
    }

    /// The clinic's number for questions about results.
    fn phone(state: &AppState) -> String {
        state.site.branding.help_line.display().to_owned()
    }

    fn number(v: f64) -> String {
        format!("{v}")
    }

    /// A stored number that can be shown and drawn (a database may hold NaN or infinity).
    fn finite(v: Option<f64>) -> Option<f64> {
        v.filter(|v| v.is_finite())
    }

    /// The reference range, if both ends that are there can be drawn and are in order.
    fn range_of(c: &result_component::Model) -> (Option<f64>, Option<f64>) {
        match (finite(c.range_low), finite(c.range_high)) {
            (Some(lo), Some(hi)) if lo > hi => (None, None),
            range => range,
        }
    }

    fn flag_word(flag: &Option<String>) -> String {
        match flag.as_deref() {
            Some("high") => "High".into(),
            Some("low") => "Low".into(),
            Some(_) => "Abnormal".into(),
            None => String::new(),
        }
    }

    fn range_words(c: &result_component::Model) -> String {
        let unit = c
            .unit
            .as_deref()
            .map(|u| format!(" {u}"))
            .unwrap_or_default();
        let (low, high) = range_of(c);
        match (low, high, &c.range_text) {
            (Some(lo), Some(hi), _) => format!("{} to {}{unit}", number(lo), number(hi)),
            (Some(lo), None, _) => format!("{} or more{unit}", number(lo)),
            (None, Some(hi), _) => format!("{} or less{unit}", number(hi)),
            (None, None, Some(text)) => text.clone(),
            (None, None, None) => String::new(),
        }
    }

    fn value_words(c: &result_component::Model) -> String {
        match (finite(c.value_number), &c.value_text) {
            (Some(v), _) => match &c.unit {
                Some(unit) => format!("{} {unit}", number(v)),
                None => number(v),
            },
            (None, Some(text)) => text.clone(),
            (None, None) => String::new(),
        }
    }

    pub async fn list(g: Guarded<ActingFor>, page: u32) -> Result<ResultList, PortalError> {
        let Guarded {
            state, now, caller, ..
        } = g;
        let waits = store::waits_for_clinician(&caller.record);
        let (rows, more) = store::visible_results(
            &state.db,
            state.site.organization_id,
            caller.subject.id,
            waits,
            now,
            u64::from(page),
            RESULTS_PAGE,
        )
        .await
        .map_err(internal)?;
        Ok(ResultList {
            heading: heading_of(&caller),
            rows: rows
                .into_iter()
                .map(|r| ResultRow {
                    id: r.id,
                    resulted: day(&state, r.resulted_at),
                    test: r.test,
                    flagged: r.flagged,
                })
                .collect(),
            page,
            more,
            waits_for_clinician: waits,
            may_change_wait: caller.is_self,
            phone: phone(&state),
        })
    }

    pub async fn one(g: Guarded<ActingFor>, id: Option<i32>) -> Result<ResultView, PortalError> {
        let Guarded {
            state, now, caller, ..
        } = g;
        let Some(id) = id else {
            return Err(PortalError::NotFound);
        };
        // Not released yet answers like one that does not exist.
        let found = store::visible_result(
            &state.db,
            state.site.organization_id,
            caller.subject.id,
            id,
            store::waits_for_clinician(&caller.record),
            now,
        )
        .await
        .map_err(internal)?
        .ok_or(PortalError::NotFound)?;
        Ok(ResultView {
            id,
            heading: heading_of(&caller),
            collected: moment(&state, found.result.collected_at),
            resulted: moment(&state, found.result.resulted_at),
            ordered_by: found.result.ordered_by.clone(),
            components: found
                .components
                .iter()
                .map(|c| ComponentRow {
                    id: c.id,
                    code: c.code.clone(),
                    name: c.name.clone(),
                    value: value_words(c),
                    range: range_words(c),
                    flag: flag_word(&c.flag),
                    numeric: finite(c.value_number).is_some(),
                })
                .collect(),
            test: found.test,
            phone: phone(&state),
        })
    }

    /// The history of the component that component `component` of a result the caller sees
    /// measures (its values in every result they see).
    pub async fn trend(
        g: Guarded<ActingFor>,
        component: Option<i32>,
        page: u32,
    ) -> Result<TrendView, PortalError> {
        let Guarded {
            state, now, caller, ..
        } = g;
        let org = state.site.organization_id;
        let person = caller.subject.id;
        let waits = store::waits_for_clinician(&caller.record);
        let component = component.ok_or(PortalError::NotFound)?;
        // Kept per person, value and wait choice while what they see of their results is
        // unchanged: a value seen then is seen now (see `HistoryCache`).
        let of = HistoryOf {
            person,
            component,
            waits_for_clinician: waits,
            version: caller.record.results_version,
            now,
        };
        // An automatic release since it was worked out writes nothing: asked here (unless
        // the patient waits for their clinician, when only a release shows a result).
        let still = match state.histories.get(of) {
            Some((kept, since)) => {
                let released = !waits
                    && store::automatic_release_between(&state.db, org, person, since, now)
                        .await
                        .map_err(internal)?;
                (!released).then_some(kept)
            }
            None => None,
        };
        let kept = match still {
            Some(kept) => kept,
            None => {
                let kept = Arc::new(work_out_history(&state, person, component, waits, now).await?);
                state.histories.put(of, Arc::clone(&kept));
                kept
            }
        };
        let count = kept.count;
        let skip = (page as usize).saturating_mul(TREND_TABLE_PAGE);
        let rows = if page == 0 {
            kept.newest.clone()
        } else if skip < count {
            store::component_page(
                &state.db,
                org,
                person,
                &kept.code,
                waits,
                now,
                skip as u64,
                TREND_TABLE_PAGE as u64,
            )
            .await
            .map_err(internal)?
            .iter()
            .map(|c| trend_row(&state, c))
            .collect()
        } else {
            Vec::new()
        };
        Ok(TrendView {
            component,
            heading: heading_of(&caller),
            name: kept.name.clone(),
            unit: kept.unit.clone(),
            range: kept.range.clone(),
            count,
            rows,
            page,
            more: skip.saturating_add(TREND_TABLE_PAGE) < count,
            chart: kept.chart.clone(),
            phone: phone(&state),
        })
    }

    fn trend_row(state: &AppState, c: &result_component::Model) -> TrendRow {
        TrendRow {
            date: day(state, c.resulted_at),
            value: value_words(c),
            flag: flag_word(&c.flag),
        }
    }

    /// Reads and draws the history of `component`'s code for `person` at `now`: not found when
    /// the value is not theirs or not in a result they see.
    async fn work_out_history(
        state: &AppState,
        person: i32,
        component: i32,
        waits: bool,
        now: DateTime<Utc>,
    ) -> Result<KeptHistory, PortalError> {
        let org = state.site.organization_id;
        let code = store::visible_component_code(&state.db, org, person, component, waits, now)
            .await
            .map_err(internal)?
            .ok_or(PortalError::NotFound)?;
        // Two points (the lowest and highest) for every 4 units of width: the line looks the
        // same, and the page stays light.
        let buckets = (TREND_WIDTH - 2.0 * TREND_MARGIN) as usize / 4;
        let history = store::history(
            &state.db,
            org,
            person,
            &code,
            waits,
            now,
            buckets,
            TREND_TABLE_PAGE as u64,
        )
        .await
        .map_err(internal)?
        .ok_or(PortalError::NotFound)?;
        let latest = &history.newest[0];
        let chart = history.span.map(|(first, last)| {
            let layout = lay_out_trend(
                &history.drawn,
                range_of(latest),
                TREND_WIDTH,
                TREND_HEIGHT,
                TREND_MARGIN,
            );
            let date = |at: i64| {
                DateTime::from_timestamp(at, 0)
                    .map(|t| day(state, t))
                    .unwrap_or_default()
            };
            let tenth = |v: f64| (v * 10.0).round() / 10.0;
            TrendChart {
                line: layout
                    .points
                    .iter()
                    .map(|(x, y)| format!("{x:.1},{y:.1}"))
                    .collect::<Vec<_>>()
                    .join(" "),
                dots: if layout.points.len() <= TREND_DOTS {
                    layout
                        .points
                        .iter()
                        .map(|&(x, y)| (tenth(x), tenth(y)))
                        .collect()
                } else {
                    Vec::new()
                },
                band: layout.band,
                top_label: format!("{:.1}", layout.high),
                bottom_label: format!("{:.1}", layout.low),
                first_date: date(first),
                last_date: date(last),
            }
        });
        Ok(KeptHistory {
            name: latest.name.clone(),
            unit: latest.unit.clone().unwrap_or_default(),
            range: range_words(latest),
            count: history.count,
            chart,
            newest: history.newest.iter().map(|c| trend_row(state, c)).collect(),
            code,
        })
    }

    pub async fn set_wait(g: Guarded<ActingFor>, wait: bool) -> Result<bool, PortalError> {
        let Guarded {
            state, now, caller, ..
        } = g;
        if !caller.is_self {
            return Err(PortalError::Invalid(format!(
                "Only {} can choose this, from their own account.",
                caller.subject.given_name
            )));
        }
        let txn = state.db.begin().await.map_err(internal)?;
        store::set_wait_for_clinician(&txn, caller.record.id, wait)
            .await
            .map_err(internal)?;
        still_allowed(&state, &txn, &caller, now).await?;
        records::record_access(&txn, &caller.entry.doing(RecordAction::Changed), now)
            .await
            .map_err(internal)?;
        audit::record(
            &txn,
            now,
            entry_for(&state, &caller, "results.wait_changed")
                .detail(serde_json::json!({ "wait_for_clinician": wait })),
        )
        .await
        .map_err(internal)?;
        txn.commit().await.map_err(internal)?;
        Ok(wait)
    }

    pub async fn pending(g: Guarded<StaffSession>) -> Result<Vec<PendingRow>, PortalError> {
        let Guarded {
            state, now, caller, ..
        } = g;
        let org = state.site.organization_id;
        let rows = store::pending_results(&state.db, org, now, 200)
            .await
            .map_err(internal)?;
        let mut people = std::collections::HashMap::new();
        for r in &rows {
            if let std::collections::hash_map::Entry::Vacant(slot) =
                people.entry(r.result.person_id)
            {
                let found = records::record_of_person(&state.db, org, r.result.person_id)
                    .await
                    .map_err(internal)?;
                slot.insert(found);
            }
        }
        // Each patient whose names and tests the queue shows has it in their access log.
        let seen: Vec<AccessEntry> = people
            .iter()
            .filter(|(_, found)| found.is_some())
            .map(|(&id, _)| {
                caller.access_entry(
                    state.site.organization_id,
                    id,
                    Area::ResultsDesk,
                    RecordAction::Viewed,
                )
            })
            .collect();
        records::record_accesses(&state.db, seen.iter().map(|e| (e, now)))
            .await
            .map_err(internal)?;
        Ok(rows
            .into_iter()
            .filter_map(|r| {
                let (record, person): &(patient::Model, person::Model) =
                    people.get(&r.result.person_id)?.as_ref()?;
                Some(PendingRow {
                    id: r.result.id,
                    patient: format!("{} {}", person.given_name, person.family_name),
                    record_number: record.medical_record_number.clone(),
                    resulted: moment(&state, r.result.resulted_at),
                    release: match r.result.automatic_release_at {
                        _ if r.patient_waits => {
                            "Shown to the patient only when released (they wait for their clinician)"
                                .to_owned()
                        }
                        Some(at) => format!(
                            "Shown to the patient automatically on {}",
                            moment(&state, at)
                        ),
                        None => "Shown to the patient only when released".to_owned(),
                    },
                    test: r.test,
                })
            })
            .collect())
    }

    pub async fn release(g: Guarded<StaffSession>, id: Option<i32>) -> Result<String, PortalError> {
        let Guarded {
            state, now, caller, ..
        } = g;
        let org = state.site.organization_id;
        let Some(id) = id else {
            return Err(PortalError::NotFound);
        };
        let Some(found) = store::result_of_organization(&state.db, org, id)
            .await
            .map_err(internal)?
        else {
            return Err(PortalError::NotFound);
        };
        let Some((_, person)) =
            crate::db::records::record_of_person(&state.db, org, found.result.person_id)
                .await
                .map_err(internal)?
        else {
            return Err(PortalError::NotFound);
        };
        let txn = state.db.begin().await.map_err(internal)?;
        if !store::release(&txn, org, id, caller.member.id, now)
            .await
            .map_err(internal)?
        {
            return Err(PortalError::Invalid(
                "This result has already been released.".into(),
            ));
        }
        let entry = caller.access_entry(org, person.id, Area::ResultsDesk, RecordAction::Changed);
        records::record_access(&txn, &entry, now)
            .await
            .map_err(internal)?;
        audit::record(
            &txn,
            now,
            crate::api::request::audit_event(
                &state,
                Actor::Staff(caller.member.id),
                "result.released",
                Outcome::Success,
            )
            .subject(person.id)
            .detail(serde_json::json!({ "result": id })),
        )
        .await
        .map_err(internal)?;
        txn.commit().await.map_err(internal)?;
        Ok(format!(
            "{} for {} {}",
            found.test, person.given_name, person.family_name
        ))
    }

    pub async fn notify_released(state: &AppState) -> Result<usize, PortalError> {
        let now = state.clock.now();
        let due = store::due_notifications(&state.db, state.site.organization_id, now, 200)
            .await
            .map_err(internal)?;
        // One email per person however many results came at once.
        let mut by_person: std::collections::BTreeMap<i32, Vec<i32>> = Default::default();
        for result in due {
            by_person
                .entry(result.person_id)
                .or_default()
                .push(result.id);
        }
        let mut sent = 0;
        for (person_id, results) in by_person {
            match notify_person(state, person_id, &results, now).await {
                Ok(true) => sent += 1,
                Ok(false) => {}
                // One person's failure does not hold back the others; the next round retries.
                Err(e) => tracing::warn!(error = %e, "a released result could not be announced"),
            }
        }
        Ok(sent)
    }

    /// Marks `results` announced and queues the person's email, in one transaction: true when
    /// an email was queued.
    async fn notify_person(
        state: &AppState,
        person_id: i32,
        results: &[i32],
        now: DateTime<Utc>,
    ) -> Result<bool, PortalError> {
        let Some(person) = person::Entity::find_by_id(person_id)
            .one(&state.db)
            .await
            .map_err(internal)?
        else {
            return Ok(false);
        };
        let txn = state.db.begin().await.map_err(internal)?;
        let mut marked = 0;
        for &id in results {
            if store::mark_notified(&txn, id, now)
                .await
                .map_err(internal)?
            {
                marked += 1;
            }
        }
        if marked == 0 || person.email.is_none() {
            txn.commit().await.map_err(internal)?;
            return Ok(false);
        }
        crate::api::notify::new_information(
            &txn,
            state,
            &person,
            NewInformation::ResultReleased,
            now,
        )
        .await?;
        txn.commit().await.map_err(internal)?;
        Ok(true)
    }
}
