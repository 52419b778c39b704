//! The link status state machine.

use crate::wire::WireEnum;

crate::wire::wire_enum! {
    /// The one internal state of a link, reported truthfully.
    #[derive(Hash)]
    pub enum LinkStatus {
        Draft,
        Active,
        Inactive,
        Archived,
        Expired,
        Completed,
    }
}

impl LinkStatus {
    /// The state as of `now`: a draft, active or inactive link whose `expires_at` has passed is
    /// expired on every read, whether or not anything has written that down yet.
    pub fn as_of(
        self,
        expires_at: Option<chrono::DateTime<chrono::Utc>>,
        now: chrono::DateTime<chrono::Utc>,
    ) -> LinkStatus {
        use LinkStatus::*;
        match self {
            Draft | Active | Inactive if expires_at.is_some_and(|at| at <= now) => Expired,
            other => other,
        }
    }

    /// Whether `PATCH …/status` may move a link from `self` to `to`. Staying put is allowed
    /// (a no-op) for every state.
    pub fn can_become(self, to: LinkStatus) -> bool {
        use LinkStatus::*;
        self == to
            || matches!(
                (self, to),
                (Draft, Active | Inactive | Archived | Expired)
                    | (Active, Inactive | Archived | Expired)
                    | (Inactive, Active | Archived | Expired)
                    | (Expired, Archived)
                    | (Completed, Archived)
            )
    }

    /// The targets a merchant can choose from this state (no-ops excluded).
    pub fn next_states(self) -> Vec<LinkStatus> {
        TargetStatus::all()
            .iter()
            .copied()
            .map(LinkStatus::from)
            .filter(|to| *to != self && self.can_become(*to))
            .collect()
    }
}

crate::wire::wire_enum! {
    /// The states a merchant can ask for with `PATCH …/status`.
    pub enum TargetStatus {
        Active,
        Inactive,
        Archived,
        Expired,
    }
}

impl From<TargetStatus> for LinkStatus {
    fn from(t: TargetStatus) -> Self {
        match t {
            TargetStatus::Active => LinkStatus::Active,
            TargetStatus::Inactive => LinkStatus::Inactive,
            TargetStatus::Archived => LinkStatus::Archived,
            TargetStatus::Expired => LinkStatus::Expired,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::LinkStatus::*;
    use super::*;

    #[test]
    fn transition_table() {
        let allowed = [
            (Draft, vec![Active, Inactive, Archived, Expired]),
            (Active, vec![Inactive, Archived, Expired]),
            (Inactive, vec![Active, Archived, Expired]),
            (Archived, vec![]),
            (Expired, vec![Archived]),
            (Completed, vec![Archived]),
        ];
        for (from, tos) in allowed {
            assert_eq!(from.next_states(), tos, "from {from:?}");
            for &to in LinkStatus::all() {
                assert_eq!(from.can_become(to), to == from || tos.contains(&to), "{from:?}->{to:?}");
            }
        }
    }
}
