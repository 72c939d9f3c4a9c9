//! A config's boot time, as its timetable's lead: the 90th percentile of its last boots.

use jiff::SignedDuration;

/// How many of a config's last boots its boot time is judged by.
pub const BOOTS_JUDGED: usize = 20;

/// A config's boot time: the 90th percentile of its last boots, or `first_guess` (the
/// Provision Timeout) before it has any.
pub fn boot_p90(boots: &[SignedDuration], first_guess: SignedDuration) -> SignedDuration {
    if boots.is_empty() {
        return first_guess;
    }
    let mut sorted = boots.to_vec();
    sorted.sort();
    // Nearest rank: the smallest boot at or above 90 % of them.
    let rank = (sorted.len() * 9).div_ceil(10).max(1);
    sorted[rank - 1]
}
