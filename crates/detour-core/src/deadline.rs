//! A time by which a computation stops: the server's request limit reaches the library call it
//! starts, which checks it as it goes and returns [`Expired`] once it has passed.

use std::time::{Duration, Instant};

/// When to stop; [`Deadline::none`] (the default) never passes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Deadline(Option<Instant>);

/// A computation stopped at its deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("stopped: the computation passed its time limit")]
pub struct Expired;

impl Deadline {
    /// No time limit.
    pub const fn none() -> Deadline {
        Deadline(None)
    }

    /// Stop at `t`.
    pub fn at(t: Instant) -> Deadline {
        Deadline(Some(t))
    }

    /// Stop `d` from now.
    pub fn after(d: Duration) -> Deadline {
        Deadline(Instant::now().checked_add(d))
    }

    /// The instant, if any (for numeric crates that take a plain `Option<Instant>`).
    pub fn instant(&self) -> Option<Instant> {
        self.0
    }

    /// Whether the time has come.
    pub fn passed(&self) -> bool {
        self.0.is_some_and(|t| Instant::now() >= t)
    }

    /// `Err(Expired)` once the time has come.
    pub fn check(&self) -> Result<(), Expired> {
        if self.passed() { Err(Expired) } else { Ok(()) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passes_only_after_its_time() {
        assert!(!Deadline::none().passed());
        assert_eq!(Deadline::none().check(), Ok(()));
        assert!(!Deadline::after(Duration::from_secs(3600)).passed());
        let past = Deadline::at(Instant::now() - Duration::from_millis(1));
        assert!(past.passed());
        assert_eq!(past.check(), Err(Expired));
        assert_eq!(
            past.check().unwrap_err().to_string(),
            "stopped: the computation passed its time limit"
        );
    }
}
