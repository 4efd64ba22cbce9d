//! Crash points, for the crash test (`tests/it/crash.rs`): with
//! `TARJOTIN_CRASH_AT=<point>` or `<point>:<n>` the process kills itself
//! with SIGKILL the n-th time (the first, by default) it passes the named
//! point, as a power cut or the OOM killer would stop it there. The points
//! sit where a stop does the most harm: `import-batch` right after an
//! import batch commits, `outbox-applied` after the engine took a batch and
//! before the outbox marks it applied, `rebuild-page` after a page of a
//! rebuild went into the fresh index and before the swap, and
//! `scheduler-step` after the scheduler moved one course and before the
//! next. Unset, a point costs one atomic load.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;

/// The setting.
pub const SETTING: &str = "TARJOTIN_CRASH_AT";

/// The points there are.
pub const POINTS: [&str; 4] = [
    "import-batch",
    "outbox-applied",
    "rebuild-page",
    "scheduler-step",
];

static ARMED: OnceLock<Option<(String, u64)>> = OnceLock::new();
static PASSED: AtomicU64 = AtomicU64::new(0);

/// Parses the setting's value: a known point and an optional count from 1.
pub fn parse(value: &str) -> Result<(String, u64), String> {
    let (name, count) = match value.trim().split_once(':') {
        Some((name, n)) => (
            name,
            n.parse::<u64>()
                .ok()
                .filter(|n| *n >= 1)
                .ok_or_else(|| format!("{n:?} is not a count from 1"))?,
        ),
        None => (value.trim(), 1),
    };
    if !POINTS.contains(&name) {
        return Err(format!(
            "{name:?} is not a crash point; the points are {}",
            POINTS.join(", ")
        ));
    }
    Ok((name.to_string(), count))
}

fn armed() -> &'static Option<(String, u64)> {
    ARMED.get_or_init(|| std::env::var(SETTING).ok().and_then(|v| parse(&v).ok()))
}

/// Passes the crash point `name`.
pub fn point(name: &str) {
    let Some((at, count)) = armed() else {
        return;
    };
    if at != name {
        return;
    }
    if PASSED.fetch_add(1, Ordering::SeqCst) + 1 == *count {
        eprintln!("{SETTING}={at}:{count}: killing the process here");
        // SAFETY: kill(2) on our own pid has no memory effects; the process
        // ends at once, without unwinding or running destructors.
        unsafe {
            libc::kill(libc::getpid(), libc::SIGKILL);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn points_are_named_and_counted_from_one() {
        assert_eq!(
            parse("outbox-applied").unwrap(),
            ("outbox-applied".into(), 1)
        );
        assert_eq!(parse("import-batch:3").unwrap(), ("import-batch".into(), 3));
        assert!(parse("import-batch:0").is_err());
        assert!(parse("nowhere").unwrap_err().contains("the points are"));
    }
}
