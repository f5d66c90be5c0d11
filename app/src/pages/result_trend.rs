//! One component's history (C3, C8): a line drawn on the server as SVG, so it reads without
//! JavaScript, with the reference range as a band, and the same values in a table for screen
//! readers and for reading exact numbers. The chart describes; it does not interpret.

use super::components::record::{RecordBanner, record_link, record_problem, use_subject};
use super::components::site::PageTitle;
use super::results::AskTheClinic;
use crate::api::results::{
    TREND_HEIGHT, TREND_MARGIN, TREND_WIDTH, TrendChart, TrendView, result_trend,
};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

#[component]
pub fn ResultTrendPage() -> impl IntoView {
    let subject = use_subject();
    let query = use_query_map();
    let component = Memo::new(move |_| {
        query
            .read()
            .get("component")
            .and_then(|c| c.parse::<i32>().ok())
    });
    let page = Memo::new(move |_| query.read().get("page").and_then(|p| p.parse::<u32>().ok()));
    let found = Resource::new(
        move || (subject.get(), component.get(), page.get()),
        |(subject, component, page)| result_trend(subject, component, page),
    );
    view! {
        <PageTitle page="Result history" />
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match found.await {
                    Ok(trend) => view! { <History trend /> }.into_any(),
                    Err(e) => {
                        view! {
                            <h1>"Result history"</h1>
                            {record_problem(e)}
                        }
                            .into_any()
                    }
                }
            })}
        </Transition>
    }
}

#[component]
fn History(trend: TrendView) -> impl IntoView {
    let TrendView {
        component,
        heading,
        name,
        unit,
        range,
        count,
        rows,
        page,
        more,
        chart,
        phone,
    } = trend;
    let subject = heading.subject;
    let title = format!("History of {}", name.to_lowercase());
    let summary = if range.is_empty() {
        format!("{count} values of {name} ({unit}), from the first to the latest.")
    } else {
        format!(
            "{count} values of {name} ({unit}), from the first to the latest. The shaded band is the standard range, {range}."
        )
    };
    let link = move |to: u32| {
        record_link(
            "/record/results/trend",
            subject,
            &format!("component={component}&page={to}"),
        )
    };
    let newer = (page > 0).then(|| link(page - 1));
    let older = more.then(|| link(page.saturating_add(1)));
    let paged = count > rows.len();
    view! {
        <RecordBanner heading />
        <h1>{title}</h1>
        <p>{summary}</p>
        {chart.map(|chart| view! { <Chart chart name=name.clone() /> })}
        <div class="table-scroll" tabindex="0" role="region" aria-label=format!("{name} values")>
            <table class="access-log">
                <caption>
                    {if paged {
                        format!("{name}: values, newest first (page {})", page.saturating_add(1))
                    } else {
                        format!("{name}: every value, newest first")
                    }}
                </caption>
                <thead>
                    <tr>
                        <th scope="col">"Date"</th>
                        <th scope="col">"Value"</th>
                        <th scope="col">"Flag"</th>
                    </tr>
                </thead>
                <tbody>
                    {rows
                        .into_iter()
                        .map(|row| {
                            view! {
                                <tr>
                                    <td>{row.date}</td>
                                    <td>{row.value}</td>
                                    <td>{row.flag}</td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
        {(newer.is_some() || older.is_some())
            .then(|| {
                view! {
                    <nav class="pager" aria-label="Pages of values">
                        {newer.map(|href| view! { <a href=href>"Newer values"</a> })}
                        {older.map(|href| view! { <a href=href>"Older values"</a> })}
                    </nav>
                }
            })}
        <AskTheClinic phone subject />
        <p>
            <a href=record_link("/record/results", subject, "")>"All test results"</a>
        </p>
    }
}

/// The line and its band. The table beside it carries the same values, so the picture is
/// labelled as one image: its name and dates.
#[component]
fn Chart(chart: TrendChart, name: String) -> impl IntoView {
    let TrendChart {
        line,
        dots,
        band,
        top_label,
        bottom_label,
        first_date,
        last_date,
    } = chart;
    let left = TREND_MARGIN;
    let right = TREND_WIDTH - TREND_MARGIN;
    let bottom = TREND_HEIGHT - TREND_MARGIN;
    let view_box = format!("0 0 {TREND_WIDTH} {TREND_HEIGHT}");
    // The paragraph above says how many values and the range: the picture names only itself.
    let label = format!("Chart of {name} from {first_date} to {last_date}");
    let dots = dots
        .into_iter()
        .map(|(x, y)| view! { <circle cx=x.to_string() cy=y.to_string() r="3.5" class="trend__dot" /> })
        .collect_view();
    view! {
        <figure class="trend">
            <svg viewBox=view_box role="img" aria-label=label class="trend__chart" focusable="false">
                {band
                    .map(|(top, low)| {
                        view! {
                            <rect
                                x=left.to_string()
                                y=format!("{top:.1}")
                                width=(right - left).to_string()
                                height=format!("{:.1}", (low - top).max(0.0))
                                class="trend__band"
                            />
                        }
                    })}
                <line x1=left.to_string() y1=bottom.to_string() x2=right.to_string() y2=bottom.to_string() class="trend__axis" />
                <line x1=left.to_string() y1=TREND_MARGIN.to_string() x2=left.to_string() y2=bottom.to_string() class="trend__axis" />
                <text x=(left - 6.0).to_string() y=(TREND_MARGIN + 4.0).to_string() text-anchor="end" class="trend__label">
                    {top_label}
                </text>
                <text x=(left - 6.0).to_string() y=(bottom + 4.0).to_string() text-anchor="end" class="trend__label">
                    {bottom_label}
                </text>
                <text x=left.to_string() y=(bottom + 22.0).to_string() class="trend__label">
                    {first_date}
                </text>
                <text x=right.to_string() y=(bottom + 22.0).to_string() text-anchor="end" class="trend__label">
                    {last_date}
                </text>
                <polyline points=line class="trend__line" />
                {dots}
            </svg>
            <figcaption>{format!("{name} over time. The values are in the table below.")}</figcaption>
        </figure>
    }
}
