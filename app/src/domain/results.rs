//! When a test result becomes visible to the patient (C3), and how a list of values is drawn as a
//! trend (C8: drawn, never interpreted).
//!
//! A test type is released automatically some days after the result is in, or only by the
//! provider. The automatic release is an instant, fixed when the result is recorded from the
//! policy then in force: the same local time of day, that many calendar days later in the
//! organization's time zone (so a day with a daylight-saving change is still a day). Nothing
//! has to run at that instant: a result is visible from it. A patient may choose to wait for
//! their clinician, and then sees only what a provider has released.

use chrono::{DateTime, Days, TimeZone, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

/// How results of a test type are released.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ReleaseRule {
    /// Automatically, the policy's number of days after the result is in.
    Automatic,
    /// Only when the provider releases it.
    ByProvider,
}

impl ReleaseRule {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Automatic => "automatic",
            Self::ByProvider => "provider",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [Self::Automatic, Self::ByProvider]
            .into_iter()
            .find(|r| r.as_str() == text)
    }
}

/// The instant a result recorded at `resulted_at` is released automatically under `rule`, with
/// `days` from the policy; `None` when only the provider releases it. A local time that the
/// clock skips (a spring-forward gap) moves to the first instant after the gap.
pub fn automatic_release_at(
    rule: ReleaseRule,
    resulted_at: DateTime<Utc>,
    days: u32,
    zone: Tz,
) -> Option<DateTime<Utc>> {
    if rule == ReleaseRule::ByProvider {
        return None;
    }
    let local = resulted_at.with_timezone(&zone).naive_local();
    let target = local.checked_add_days(Days::new(u64::from(days)))?;
    let instant = zone.from_local_datetime(&target).earliest().or_else(|| {
        // In a gap: an hour later is past it (gaps are at most an hour in practice; two
        // hours covers any).
        (1..=2).find_map(|h| {
            zone.from_local_datetime(&(target + chrono::Duration::hours(h)))
                .earliest()
        })
    })?;
    Some(instant.with_timezone(&Utc))
}

/// What the patient's visibility depends on for one result.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Release {
    /// The automatic release instant, if the type has one.
    pub automatic_at: Option<DateTime<Utc>>,
    /// When a provider released it, if they have.
    pub released_at: Option<DateTime<Utc>>,
}

impl Release {
    /// Whether the patient (and anyone seeing their results) sees it at `now`.
    pub fn visible(self, now: DateTime<Utc>, waits_for_clinician: bool) -> bool {
        let by_provider = self.released_at.is_some_and(|at| at <= now);
        let automatic = !waits_for_clinician && self.automatic_at.is_some_and(|at| at <= now);
        by_provider || automatic
    }
}

/// A point of a trend: a value at an instant.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct TrendPoint {
    /// Seconds since the epoch.
    pub at: i64,
    pub value: f64,
}

/// At most two points per one of `buckets` equal spans of time (the lowest and the highest,
/// in time order), so that a long history draws with as many points as the chart has room for
/// and keeps every peak and trough. A history that fits is kept whole.
pub fn thin_trend(points: &[TrendPoint], buckets: usize) -> Vec<TrendPoint> {
    if points.len() <= 2 * buckets || buckets == 0 {
        return points.to_vec();
    }
    let first = points.iter().map(|p| p.at).min().unwrap_or(0);
    let last = points.iter().map(|p| p.at).max().unwrap_or(0);
    let span = (last - first).max(1) as f64;
    let bucket_of =
        |at: i64| (((at - first) as f64 / span) * (buckets as f64 - 1.0)).round() as usize;
    let mut kept: Vec<Option<(TrendPoint, TrendPoint)>> = vec![None; buckets];
    for p in points {
        let slot = &mut kept[bucket_of(p.at).min(buckets - 1)];
        *slot = Some(match *slot {
            None => (*p, *p),
            Some((lo, hi)) => (
                if p.value < lo.value { *p } else { lo },
                if p.value > hi.value { *p } else { hi },
            ),
        });
    }
    kept.into_iter()
        .flatten()
        .flat_map(|(lo, hi)| {
            if lo == hi {
                vec![lo]
            } else if lo.at <= hi.at {
                vec![lo, hi]
            } else {
                vec![hi, lo]
            }
        })
        .collect()
}

/// A trend drawn in a box `width` × `height` with a margin: each point's position, and the
/// reference range as a band (top and bottom y), on a value axis from `low` to `high`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrendLayout {
    pub points: Vec<(f64, f64)>,
    pub band: Option<(f64, f64)>,
    /// The value axis' ends (bottom, top), as labelled.
    pub low: f64,
    pub high: f64,
}

/// Lays the points out left to right by time (evenly when they share one instant), the value
/// axis covering every point and the reference range with a tenth of room either side.
pub fn lay_out_trend(
    points: &[TrendPoint],
    range: (Option<f64>, Option<f64>),
    width: f64,
    height: f64,
    margin: f64,
) -> TrendLayout {
    let values = points
        .iter()
        .map(|p| p.value)
        .chain(range.0)
        .chain(range.1)
        .filter(|v| v.is_finite());
    let (mut low, mut high) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
        (lo.min(v), hi.max(v))
    });
    if !low.is_finite() || !high.is_finite() {
        (low, high) = (0.0, 1.0);
    }
    if (high - low).abs() < f64::EPSILON {
        (low, high) = (low - 1.0, high + 1.0);
    }
    let room = (high - low) / 10.0;
    let (low, high) = (low - room, high + room);
    let first = points.iter().map(|p| p.at).min().unwrap_or(0);
    let last = points.iter().map(|p| p.at).max().unwrap_or(0);
    let span = (last - first) as f64;
    let inner_w = width - 2.0 * margin;
    let inner_h = height - 2.0 * margin;
    let y = |v: f64| margin + inner_h * (high - v) / (high - low);
    let n = points.len();
    let laid = points
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let fraction = if span > 0.0 {
                (p.at - first) as f64 / span
            } else if n > 1 {
                i as f64 / (n - 1) as f64
            } else {
                0.5
            };
            (margin + inner_w * fraction, y(p.value))
        })
        .collect();
    let band = match range {
        (Some(lo), Some(hi)) => Some((y(hi), y(lo))),
        (Some(lo), None) => Some((margin, y(lo))),
        (None, Some(hi)) => Some((y(hi), margin + inner_h)),
        (None, None) => None,
    };
    TrendLayout {
        points: laid,
        band,
        low,
        high,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        text.parse().unwrap()
    }

    const CHICAGO: Tz = chrono_tz::America::Chicago;

    #[test]
    fn c3_a_lab_result_is_released_four_calendar_days_later_at_the_same_local_time() {
        // 10:30 in Chicago (CDT, UTC-5).
        let resulted = at("2026-06-15T15:30:00Z");
        assert_eq!(
            automatic_release_at(ReleaseRule::Automatic, resulted, 4, CHICAGO),
            Some(at("2026-06-19T15:30:00Z"))
        );
        assert_eq!(
            automatic_release_at(ReleaseRule::Automatic, resulted, 0, CHICAGO),
            Some(resulted)
        );
        assert_eq!(
            automatic_release_at(ReleaseRule::ByProvider, resulted, 4, CHICAGO),
            None
        );
    }

    #[test]
    fn c3_the_days_are_local_days_across_a_daylight_saving_change() {
        // Friday 6 March 2026, 10:00 CST (UTC-6); clocks go forward on Sunday 8 March.
        let resulted = at("2026-03-06T16:00:00Z");
        // Tuesday 10 March, 10:00 CDT (UTC-5): 95 hours later, not 96.
        assert_eq!(
            automatic_release_at(ReleaseRule::Automatic, resulted, 4, CHICAGO),
            Some(at("2026-03-10T15:00:00Z"))
        );
    }

    #[test]
    fn a_release_time_the_clock_skips_moves_past_the_gap() {
        // 2:30 on 4 March (CST) + 4 days = 2:30 on 8 March, which does not exist in Chicago.
        let resulted = at("2026-03-04T08:30:00Z");
        // 3:30 CDT = 08:30 UTC.
        assert_eq!(
            automatic_release_at(ReleaseRule::Automatic, resulted, 4, CHICAGO),
            Some(at("2026-03-08T08:30:00Z"))
        );
    }

    #[test]
    fn c3_a_result_is_hidden_a_minute_before_its_release_and_shown_at_it() {
        let release = Release {
            automatic_at: Some(at("2026-06-19T15:30:00Z")),
            released_at: None,
        };
        assert!(!release.visible(at("2026-06-19T15:29:00Z"), false));
        assert!(release.visible(at("2026-06-19T15:30:00Z"), false));
    }

    #[test]
    fn a_patient_who_waits_for_their_clinician_sees_only_what_the_provider_released() {
        let now = at("2026-06-20T00:00:00Z");
        let automatic = Release {
            automatic_at: Some(at("2026-06-19T15:30:00Z")),
            released_at: None,
        };
        assert!(!automatic.visible(now, true));
        let released = Release {
            released_at: Some(at("2026-06-19T18:00:00Z")),
            ..automatic
        };
        assert!(released.visible(now, true));
        let provider_only = Release {
            automatic_at: None,
            released_at: None,
        };
        assert!(!provider_only.visible(now, false));
    }

    #[test]
    fn a_trend_spans_the_points_and_the_range_with_room_either_side() {
        let points = [
            TrendPoint { at: 0, value: 90.0 },
            TrendPoint {
                at: 100,
                value: 130.0,
            },
        ];
        let layout = lay_out_trend(&points, (Some(70.0), Some(99.0)), 640.0, 240.0, 40.0);
        assert_eq!(layout.points[0].0, 40.0);
        assert_eq!(layout.points[1].0, 600.0);
        assert!((layout.low - 64.0).abs() < 1e-9 && (layout.high - 136.0).abs() < 1e-9);
        let (top, bottom) = layout.band.unwrap();
        assert!(top < bottom, "the band's top is the range's high");
        assert!(layout.points[1].1 < top, "130 is drawn above the range");
    }

    #[test]
    fn a_long_history_is_thinned_to_the_room_keeping_its_extremes() {
        let points: Vec<TrendPoint> = (0..10_000)
            .map(|i| TrendPoint {
                at: i64::from(i) * 86_400,
                value: if i == 4_321 { 500.0 } else { f64::from(i % 50) },
            })
            .collect();
        let thin = thin_trend(&points, 300);
        assert!(thin.len() <= 600, "{}", thin.len());
        assert!(thin.iter().any(|p| p.value == 500.0), "the peak is kept");
        assert!(thin.windows(2).all(|w| w[0].at <= w[1].at), "in time order");
        let short = &points[..100];
        assert_eq!(thin_trend(short, 300), short.to_vec());
    }

    #[test]
    fn a_single_value_is_drawn_in_the_middle() {
        let layout = lay_out_trend(
            &[TrendPoint { at: 5, value: 4.0 }],
            (None, None),
            100.0,
            100.0,
            10.0,
        );
        assert_eq!(layout.points, vec![(50.0, 50.0)]);
        assert_eq!(layout.band, None);
    }
}
