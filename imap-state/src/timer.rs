//! A fixed table of timers keyed by an enum: the state machines arm and stop
//! them, the application only sees the earliest deadline.

use std::time::Instant;

/// A timer kind that indexes a [`TimerTable`].
pub(crate) trait TimerKind: Copy + 'static {
    /// Every kind, in index order.
    const ALL: &'static [Self];
    /// The index of this kind in `ALL`.
    fn index(self) -> usize;
}

/// When each timer fires, if armed (`N` = number of timer kinds).
#[derive(Debug, Clone)]
pub(crate) struct TimerTable<T: TimerKind, const N: usize> {
    at: [Option<Instant>; N],
    _kind: std::marker::PhantomData<T>,
}

impl<T: TimerKind, const N: usize> TimerTable<T, N> {
    /// A table with every timer stopped.
    pub(crate) fn new() -> Self {
        debug_assert_eq!(T::ALL.len(), N);
        Self {
            at: [None; N],
            _kind: std::marker::PhantomData,
        }
    }

    /// Arms `timer` to fire at `at` (replacing an earlier deadline).
    pub(crate) fn set(&mut self, timer: T, at: Instant) {
        self.at[timer.index()] = Some(at);
    }

    /// Stops `timer`.
    pub(crate) fn stop(&mut self, timer: T) {
        self.at[timer.index()] = None;
    }

    /// When `timer` fires, if armed.
    pub(crate) fn get(&self, timer: T) -> Option<Instant> {
        self.at[timer.index()]
    }

    /// Stops every timer.
    pub(crate) fn clear(&mut self) {
        self.at = [None; N];
    }

    /// The earliest deadline of all armed timers.
    pub(crate) fn next_timeout(&self) -> Option<Instant> {
        self.at.iter().flatten().min().copied()
    }

    /// Stops and returns the timers due at `now`, earliest first (so that an
    /// early or repeated `handle_timeout` finds nothing to do).
    pub(crate) fn expire(&mut self, now: Instant) -> impl Iterator<Item = T> {
        let mut due: Vec<(Instant, T)> = Vec::new();
        for &kind in T::ALL {
            if let Some(at) = self.at[kind.index()] {
                if at <= now {
                    self.at[kind.index()] = None;
                    due.push((at, kind));
                }
            }
        }
        due.sort_by_key(|&(at, _)| at);
        due.into_iter().map(|(_, kind)| kind)
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    enum T {
        A,
        B,
    }
    impl TimerKind for T {
        const ALL: &'static [Self] = &[Self::A, Self::B];
        fn index(self) -> usize {
            self as usize
        }
    }

    #[test]
    fn earliest_first_and_only_once() {
        let t0 = Instant::now();
        let mut table = TimerTable::<T, 2>::new();
        assert_eq!(table.next_timeout(), None);
        table.set(T::B, t0 + Duration::from_secs(1));
        table.set(T::A, t0 + Duration::from_secs(2));
        assert_eq!(table.next_timeout(), Some(t0 + Duration::from_secs(1)));
        // Early: nothing fires.
        assert_eq!(table.expire(t0).count(), 0);
        let due: Vec<T> = table.expire(t0 + Duration::from_secs(5)).collect();
        assert_eq!(due, [T::B, T::A]);
        // Repeated: nothing fires again.
        assert_eq!(table.expire(t0 + Duration::from_secs(5)).count(), 0);
        assert_eq!(table.next_timeout(), None);
        table.set(T::A, t0);
        table.stop(T::A);
        assert_eq!(table.get(T::A), None);
    }
}
