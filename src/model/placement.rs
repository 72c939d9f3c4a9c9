//! Placement of a new session: the eligible member with the fewest sessions; ties go to the
//! most free cores (free slots for servers), then to the oldest member.
//!
//! The rule is [`place`]. So that a placement in a pool of 10,000 members does not read
//! them all, the store keeps an index in the rule's order and asks it for the first member
//! that takes sessions and has room; the SQL macros below say the rule's order and room in
//! SQL, beside the rule, and the store hands what the index found to [`place`].

use super::resources::format_cores;
use super::{PoolKind, Resources, SessionHost};
use jiff::Timestamp;
use std::cmp::Ordering;
use std::fmt;

/// What limits how many sessions a member takes.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum MemberCapacity {
    /// A server: at most `max_sessions` sessions at once.
    Slots {
        /// Max Simultaneous Sessions.
        max_sessions: u32,
    },
    /// A docker agent: sessions share its compute.
    Compute {
        /// Capacity (overrides applied).
        capacity: Resources,
        /// What its sessions already use.
        used: Resources,
    },
}

/// One server or agent of the pool, as placement sees it.
#[derive(Clone, Debug, PartialEq)]
pub struct Member {
    /// Which member.
    pub host: SessionHost,
    /// Its name, for messages.
    pub name: String,
    /// Disabled members take no new sessions.
    pub enabled: bool,
    /// Draining members take no new sessions.
    pub draining: bool,
    /// Members whose agent has fallen silent (Host Missing Expiration) take none either.
    pub missing: bool,
    /// Sessions it runs now.
    pub sessions: u32,
    /// Its limit.
    pub capacity: MemberCapacity,
    /// When it was added.
    pub created_at: Timestamp,
}

impl Member {
    fn takes_sessions(&self) -> bool {
        self.enabled && !self.draining && !self.missing
    }

    fn has_room_for(&self, request: &Resources) -> bool {
        // The store's query for the best member says the same in SQL (`agent_room_sql`).
        match self.capacity {
            MemberCapacity::Slots { max_sessions } => self.sessions < max_sessions,
            MemberCapacity::Compute { capacity, used } => request.fits_in(&capacity.minus(&used)),
        }
    }

    /// Free cores for an agent, free slots for a server: the first tie-breaker.
    fn free_key(&self) -> f64 {
        match self.capacity {
            MemberCapacity::Slots { max_sessions } => {
                f64::from(max_sessions.saturating_sub(self.sessions))
            }
            MemberCapacity::Compute { capacity, used } => capacity.cores - used.cores,
        }
    }

    /// Fewest sessions first, then most free, then oldest, then lowest id as the last word.
    /// The store's index walks members in this order (`agent_preference_sql`,
    /// `server_preference_sql`); the placement property tests hold the two together.
    fn preference(&self, other: &Member) -> Ordering {
        self.sessions
            .cmp(&other.sessions)
            .then_with(|| other.free_key().total_cmp(&self.free_key()))
            .then_with(|| self.created_at.cmp(&other.created_at))
            .then_with(|| host_order(self.host).cmp(&host_order(other.host)))
    }
}

/// [`Member::preference`] as SQL over a `docker_agents` row: the order of the index that
/// finds a pool's best agent without reading the others (schema V14) and of the query that
/// walks it. Free cores are the capacity (overrides applied) less what sessions use.
macro_rules! agent_preference_sql {
    () => {
        concat!(
            "session_count, (",
            $crate::model::docker_agent::agent_capacity_sql!("", "cores"),
            " - used_cores) DESC, created_at, id"
        )
    };
}
pub(crate) use agent_preference_sql;

/// [`Member::preference`] as SQL over a `servers` row (free slots for free cores).
macro_rules! server_preference_sql {
    () => {
        "session_count, (max_sessions - session_count) DESC, created_at, id"
    };
}
pub(crate) use server_preference_sql;

/// [`Member::has_room_for`] as SQL over a `docker_agents` row, for a request of `?3` cores,
/// `?4` MB and `?5` GPUs: the same arithmetic, so the same tolerance on fractional cores.
macro_rules! agent_room_sql {
    () => {
        concat!(
            "?3 <= (",
            $crate::model::docker_agent::agent_capacity_sql!("", "cores"),
            " - used_cores) + 1e-9 AND ?4 <= ",
            $crate::model::docker_agent::agent_capacity_sql!("", "memory_mb"),
            " - used_memory_mb AND ?5 <= ",
            $crate::model::docker_agent::agent_capacity_sql!("", "gpus"),
            " - used_gpus"
        )
    };
}
pub(crate) use agent_room_sql;

fn host_order(host: SessionHost) -> i64 {
    match host {
        SessionHost::Server(id) => id.0,
        SessionHost::Agent(id) => id.0,
    }
}

/// Why a session could not be placed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NoCapacity {
    /// The pool's name.
    pub pool: String,
    /// What was missing.
    pub reason: String,
}

impl fmt::Display for NoCapacity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "no capacity in pool {}: {}", self.pool, self.reason)
    }
}

impl std::error::Error for NoCapacity {}

/// Picks the member a new session asking for `request` goes to.
pub fn place(
    pool_name: &str,
    kind: PoolKind,
    request: &Resources,
    members: &[Member],
) -> Result<SessionHost, NoCapacity> {
    let no_capacity = |reason: String| NoCapacity {
        pool: pool_name.to_owned(),
        reason,
    };
    let noun = kind.member_noun();
    if members.is_empty() {
        return Err(no_capacity(format!("it has no {noun}s")));
    }
    let open: Vec<&Member> = members.iter().filter(|m| m.takes_sessions()).collect();
    if open.is_empty() {
        return Err(no_capacity(format!(
            "all {} {noun}s are disabled, draining or missing (no agent report within the Host Missing Expiration)",
            members.len()
        )));
    }
    if let Some(best) = open
        .iter()
        .filter(|m| m.has_room_for(request))
        .min_by(|a, b| a.preference(b))
    {
        return Ok(best.host);
    }
    Err(no_capacity(match kind {
        PoolKind::Server => format!(
            "all {} enabled servers are at their Max Simultaneous Sessions",
            open.len()
        ),
        PoolKind::DockerAgent => {
            let most_free = open
                .iter()
                .max_by(|a, b| a.free_key().total_cmp(&b.free_key()))
                .map(|m| match m.capacity {
                    MemberCapacity::Compute { capacity, used } => {
                        format!(
                            "; the most free is {} with {}",
                            m.name,
                            capacity.minus(&used)
                        )
                    }
                    MemberCapacity::Slots { .. } => String::new(),
                })
                .unwrap_or_default();
            format!(
                "no enabled docker agent has {} cores, {} MB and {} GPUs free{most_free}",
                format_cores(request.cores),
                request.memory_mb,
                request.gpus
            )
        }
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{AgentId, ServerId};

    fn server(id: i64, sessions: u32, max: u32) -> Member {
        Member {
            host: SessionHost::Server(ServerId(id)),
            name: format!("s{id}"),
            enabled: true,
            draining: false,
            missing: false,
            sessions,
            capacity: MemberCapacity::Slots { max_sessions: max },
            created_at: Timestamp::from_second(1_000 + id).unwrap(),
        }
    }

    fn agent(id: i64, sessions: u32, free_cores: f64) -> Member {
        Member {
            host: SessionHost::Agent(AgentId(id)),
            name: format!("a{id}"),
            enabled: true,
            draining: false,
            missing: false,
            sessions,
            capacity: MemberCapacity::Compute {
                capacity: Resources::new(8.0, 16384, 0),
                used: Resources::new(8.0 - free_cores, 0, 0),
            },
            created_at: Timestamp::from_second(1_000 - id).unwrap(),
        }
    }

    #[test]
    fn fewest_sessions_wins() {
        let members = [server(1, 2, 4), server(2, 1, 4), server(3, 3, 4)];
        let host = place("p", PoolKind::Server, &Resources::default(), &members).unwrap();
        assert_eq!(host, SessionHost::Server(ServerId(2)));
    }

    #[test]
    fn ties_go_to_most_free_cores_then_oldest() {
        let request = Resources::new(1.0, 0, 0);
        let members = [agent(1, 1, 2.0), agent(2, 1, 6.0), agent(3, 1, 6.0)];
        // Agents 2 and 3 tie on free cores; agent 3 was created earlier.
        let host = place("p", PoolKind::DockerAgent, &request, &members).unwrap();
        assert_eq!(host, SessionHost::Agent(AgentId(3)));
    }

    #[test]
    fn disabled_draining_and_full_members_are_skipped() {
        let mut disabled = server(1, 0, 4);
        disabled.enabled = false;
        let full = server(2, 4, 4);
        let ok = server(3, 3, 4);
        let host = place(
            "p",
            PoolKind::Server,
            &Resources::default(),
            &[disabled, full, ok],
        );
        assert_eq!(host.unwrap(), SessionHost::Server(ServerId(3)));
    }

    #[test]
    fn no_capacity_says_why() {
        let err = place("Desktops", PoolKind::Server, &Resources::default(), &[]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "no capacity in pool Desktops: it has no servers"
        );

        let mut draining = agent(1, 0, 8.0);
        draining.draining = true;
        let err = place(
            "Agents",
            PoolKind::DockerAgent,
            &Resources::default(),
            &[draining],
        );
        assert!(
            err.unwrap_err()
                .reason
                .contains("disabled, draining or missing")
        );

        let request = Resources::new(4.0, 1024, 0);
        let err = place(
            "Agents",
            PoolKind::DockerAgent,
            &request,
            &[agent(1, 3, 2.0)],
        );
        let text = err.unwrap_err().to_string();
        assert!(text.contains("4 cores, 1024 MB and 0 GPUs"), "{text}");
        assert!(text.contains("most free is a1 with 2 cores"), "{text}");
    }
}

#[cfg(test)]
mod missing_tests {
    use super::*;
    use crate::model::ServerId;

    #[test]
    fn a_missing_member_gets_no_session() {
        let member = |id: i64, missing: bool| Member {
            host: SessionHost::Server(ServerId(id)),
            name: format!("s{id}"),
            enabled: true,
            draining: false,
            missing,
            sessions: 0,
            capacity: MemberCapacity::Slots { max_sessions: 2 },
            created_at: Timestamp::from_second(1_000 + id).unwrap(),
        };
        let request = Resources::default();
        let host = place(
            "p",
            PoolKind::Server,
            &request,
            &[member(1, true), member(2, false)],
        );
        assert_eq!(host.unwrap(), SessionHost::Server(ServerId(2)));
        let err = place("p", PoolKind::Server, &request, &[member(1, true)]).unwrap_err();
        assert!(err.reason.contains("missing"), "{err}");
    }
}
