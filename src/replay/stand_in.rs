//! Demand for a pool with no history yet: the demo's working day (quiet, a peak around
//! 09:30 and a smaller one after lunch), stretched over real 08:00–18:00 UTC weekdays.
//! Seeded, so the same span gives the same sessions.

use super::engine::Request;
use crate::demo::demand::DemandSettings;
use crate::model::Resources;
use jiff::civil::Weekday;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// How the stand-in's weekdays go.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StandIn {
    /// Sessions per weekday.
    pub per_day: u32,
    /// Mean session length.
    pub mean_session: SignedDuration,
    /// What each asks for.
    pub size: Resources,
}

impl StandIn {
    /// 200 sessions a weekday of 45 minutes on average, each of `size`.
    pub fn new(size: Resources) -> Self {
        Self {
            per_day: 200,
            mean_session: SignedDuration::from_mins(45),
            size,
        }
    }

    /// The requests of `[from, to)`, oldest first.
    pub fn requests(&self, from: Timestamp, to: Timestamp) -> Vec<Request> {
        let shape = DemandSettings::default();
        let minutes = 600;
        let weights: Vec<f64> = (0..minutes)
            .map(|m| shape.rate(f64::from(m) / f64::from(minutes)))
            .collect();
        let total: f64 = weights.iter().sum();
        let mut rng = StdRng::seed_from_u64(0x9001_2026);
        let mut out = Vec::new();
        let first = from.to_zoned(TimeZone::UTC).date();
        let mut day = first;
        loop {
            let Ok(start) = day
                .at(8, 0, 0, 0)
                .to_zoned(TimeZone::UTC)
                .map(|z| z.timestamp())
            else {
                break;
            };
            if start >= to {
                break;
            }
            if !matches!(day.weekday(), Weekday::Saturday | Weekday::Sunday) {
                let mut carry = 0.0;
                for (m, weight) in weights.iter().enumerate() {
                    carry += f64::from(self.per_day) * weight / total;
                    while carry >= 1.0 {
                        carry -= 1.0;
                        let second = rng.random_range(0..60);
                        let at = start + SignedDuration::from_secs(m as i64 * 60 + second);
                        // Exponential lengths, kept between 5 minutes and 4 hours.
                        let u: f64 = rng.random_range(f64::EPSILON..1.0);
                        let length =
                            (-self.mean_session.as_secs_f64() * u.ln()).clamp(300.0, 4.0 * 3600.0);
                        if at >= from && at < to {
                            out.push(Request {
                                at,
                                duration: SignedDuration::from_secs(length as i64),
                                resources: self.size,
                            });
                        }
                    }
                }
            }
            let Ok(next) = day.tomorrow() else {
                break;
            };
            day = next;
        }
        // Seconds within a minute are drawn at random: the order is by time.
        out.sort_by_key(|r| r.at);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weekdays_get_their_sessions_and_weekends_none() {
        let from: Timestamp = "2026-11-30T00:00:00Z".parse().unwrap(); // a Monday
        let to = from + SignedDuration::from_hours(24 * 7);
        let stand_in = StandIn::new(Resources::new(2.0, 2048, 0));
        let requests = stand_in.requests(from, to);
        assert!((995..=1000).contains(&requests.len()), "{}", requests.len());
        assert!(requests.windows(2).all(|w| w[0].at <= w[1].at));
        let saturday: Timestamp = "2026-12-05T00:00:00Z".parse().unwrap();
        assert!(requests.iter().all(|r| r.at < saturday));
        assert_eq!(requests, stand_in.requests(from, to), "seeded");
    }
}
