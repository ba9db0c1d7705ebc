//! Tolerance budgets of one connection (like rustls' `TemperCounters`):
//! failed authentications and garbage before authentication. The delays
//! and limits are configured in [`Throttle`](super::Throttle).

/// What a connection used of its budgets.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Counters {
    /// Failed authentications so far.
    pub(crate) auth_failures: u32,
    /// Unparseable or unknown commands and framing errors before authentication.
    pub(crate) garbage: u32,
}

impl Counters {
    /// Records a failed authentication; returns the count and whether it
    /// reached `max` (the connection ends after the delayed NO).
    pub(crate) fn auth_failed(&mut self, max: u32) -> (u32, bool) {
        self.auth_failures = self.auth_failures.saturating_add(1);
        (self.auth_failures, self.auth_failures >= max.max(1))
    }

    /// Records garbage before authentication; returns whether it reached
    /// `max` (the connection ends with BYE instead of a BAD).
    pub(crate) fn garbage(&mut self, max: u32) -> bool {
        self.garbage = self.garbage.saturating_add(1);
        self.garbage >= max.max(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn budgets_reach_their_limits() {
        let mut c = Counters::default();
        assert_eq!(c.auth_failed(3), (1, false));
        assert_eq!(c.auth_failed(3), (2, false));
        assert_eq!(c.auth_failed(3), (3, true));
        assert!(!c.garbage(2));
        assert!(c.garbage(2));
        // A limit of 0 behaves as 1: the first one ends the connection.
        assert!(Counters::default().garbage(0));
    }
}
