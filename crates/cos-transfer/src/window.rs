//! The concurrency window over a plan's parts: which part to start next, which are in
//! flight, which landed (finished but not yet recorded) and which are done.

use std::collections::VecDeque;

use crate::plan::PartPlan;
use crate::progress::Progress;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Slot {
    Pending,
    Running,
    Landed,
    Done,
}

/// A part holds one of the `limit` slots from the moment it starts until it is
/// committed (recorded in the checkpoint, for resumable transfers). So at any instant
/// at most `limit` parts are unrecorded: the most a crash can make a transfer redo.
#[derive(Debug, Clone)]
pub(crate) struct Window {
    plan: PartPlan,
    slots: Vec<Slot>,
    attempts: Vec<u32>,
    queue: VecDeque<u32>,
    held: usize,
    limit: usize,
    progress: Progress,
}

impl Window {
    /// A window over `plan` where the parts `done(index)` says are finished count as
    /// committed already.
    pub(crate) fn new(plan: PartPlan, limit: usize, done: impl Fn(u32) -> bool) -> Self {
        let count = plan.count();
        let mut slots = Vec::with_capacity(count as usize);
        let mut queue = VecDeque::new();
        let mut committed = 0;
        for index in 0..count {
            if done(index) {
                slots.push(Slot::Done);
                committed += plan.span(index).1;
            } else {
                slots.push(Slot::Pending);
                queue.push_back(index);
            }
        }
        Self {
            plan,
            slots,
            attempts: vec![0; count as usize],
            queue,
            held: 0,
            limit: limit.max(1),
            progress: Progress {
                total: plan.total(),
                committed,
                in_flight: 0,
            },
        }
    }

    pub(crate) fn plan(&self) -> &PartPlan {
        &self.plan
    }

    pub(crate) fn progress(&self) -> Progress {
        self.progress
    }

    /// Starts the next pending part if a slot is free: its index and attempt number.
    pub(crate) fn start_next(&mut self) -> Option<(u32, u32)> {
        if self.held >= self.limit {
            return None;
        }
        let index = self.queue.pop_front()?;
        let i = index as usize;
        self.slots[i] = Slot::Running;
        self.attempts[i] += 1;
        self.held += 1;
        self.progress.in_flight += self.plan.span(index).1;
        Some((index, self.attempts[i]))
    }

    /// Whether `index` is a running part (an outcome for anything else is stale).
    pub(crate) fn is_running(&self, index: u32) -> bool {
        self.slots.get(index as usize) == Some(&Slot::Running)
    }

    /// A running part finished; it keeps its slot until [`Window::commit`].
    pub(crate) fn land(&mut self, index: u32) {
        if self.is_running(index) {
            self.slots[index as usize] = Slot::Landed;
        }
    }

    /// Landed parts, in order.
    pub(crate) fn landed(&self) -> Vec<u32> {
        (0..self.plan.count())
            .filter(|&i| self.slots[i as usize] == Slot::Landed)
            .collect()
    }

    /// A landed part is recorded: it frees its slot and its bytes count as committed.
    /// Returns its length, or `None` if it was not landed.
    pub(crate) fn commit(&mut self, index: u32) -> Option<u64> {
        let slot = self.slots.get_mut(index as usize)?;
        if *slot != Slot::Landed {
            return None;
        }
        *slot = Slot::Done;
        let len = self.plan.span(index).1;
        self.held -= 1;
        self.progress.in_flight -= len;
        self.progress.committed += len;
        Some(len)
    }

    /// A running part failed. If it has attempts left (`max_attempts` in all) it goes
    /// back to the front of the queue and the next attempt number is returned.
    pub(crate) fn fail(&mut self, index: u32, max_attempts: u32) -> Option<u32> {
        if !self.is_running(index) {
            return None;
        }
        let i = index as usize;
        self.held -= 1;
        self.progress.in_flight -= self.plan.span(index).1;
        self.slots[i] = Slot::Pending;
        if self.attempts[i] >= max_attempts {
            return None;
        }
        self.queue.push_front(index);
        Some(self.attempts[i] + 1)
    }

    /// Whether every part is committed.
    pub(crate) fn is_complete(&self) -> bool {
        self.queue.is_empty() && self.held == 0 && self.slots.iter().all(|s| *s == Slot::Done)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn window(total: u64, part: u64, limit: usize) -> Window {
        Window::new(PartPlan::exact(total, part).unwrap(), limit, |_| false)
    }

    #[test]
    fn never_more_than_limit_parts_unrecorded() {
        let mut w = window(100, 10, 3);
        let started: Vec<_> = std::iter::from_fn(|| w.start_next()).collect();
        assert_eq!(started, vec![(0, 1), (1, 1), (2, 1)]);
        w.land(1);
        assert_eq!(w.start_next(), None, "a landed part still holds its slot");
        assert_eq!(w.commit(1), Some(10));
        assert_eq!(w.start_next(), Some((3, 1)));
        assert_eq!(
            w.progress(),
            Progress {
                total: 100,
                committed: 10,
                in_flight: 30
            }
        );
    }

    #[test]
    fn failed_parts_go_first_until_their_attempts_run_out() {
        let mut w = window(30, 10, 1);
        assert_eq!(w.start_next(), Some((0, 1)));
        assert_eq!(w.fail(0, 2), Some(2));
        assert_eq!(w.start_next(), Some((0, 2)));
        assert_eq!(w.fail(0, 2), None);
        assert!(!w.is_complete());
    }

    #[test]
    fn stale_outcomes_change_nothing() {
        let mut w = window(30, 10, 2);
        w.land(0);
        assert_eq!(w.commit(0), None);
        assert_eq!(w.fail(2, 3), None);
        assert_eq!(w.progress().committed, 0);
    }

    #[test]
    fn done_parts_are_committed_from_the_start() {
        let mut w = Window::new(PartPlan::exact(25, 10).unwrap(), 4, |i| i != 1);
        assert_eq!(w.progress().committed, 15);
        assert_eq!(w.start_next(), Some((1, 1)));
        assert_eq!(w.start_next(), None);
        w.land(1);
        w.commit(1);
        assert!(w.is_complete());
        assert_eq!(w.progress().committed, 25);
    }
}
