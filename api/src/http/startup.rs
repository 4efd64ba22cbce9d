//! Where the start of the process stands, for the endpoints that answer
//! before the database is ready: `/healthz` at once, `/readyz` with the
//! step, and `/graphql` with a coded refusal until the database is migrated.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

/// The start's state, shared by the bring-up and the endpoints.
#[derive(Debug)]
pub struct Startup {
    database: AtomicBool,
    step: Mutex<String>,
    stopping: AtomicBool,
}

impl Startup {
    /// A start that has only just begun.
    pub fn begun() -> Startup {
        Startup {
            database: AtomicBool::new(false),
            step: Mutex::new("connecting to the database".into()),
            stopping: AtomicBool::new(false),
        }
    }

    /// A process whose database is ready (servers in tests and tools).
    pub fn ready() -> Startup {
        let startup = Startup::begun();
        startup.database_ready();
        startup
    }

    /// Notes what the start is doing while the database is not ready.
    pub fn set_step(&self, step: impl Into<String>) {
        *self.step.lock().expect("step lock") = step.into();
    }

    /// What the start is doing.
    pub fn step(&self) -> String {
        self.step.lock().expect("step lock").clone()
    }

    /// The database is migrated: requests may run.
    pub fn database_ready(&self) {
        self.set_step("the database is ready");
        self.database.store(true, Ordering::SeqCst);
    }

    /// True once requests may run.
    pub fn is_database_ready(&self) -> bool {
        self.database.load(Ordering::SeqCst)
    }

    /// The process is shutting down: readiness fails so that balancers stop
    /// sending requests, while the ones in flight finish.
    pub fn stopping(&self) {
        self.stopping.store(true, Ordering::SeqCst);
    }

    /// True once shutting down.
    pub fn is_stopping(&self) -> bool {
        self.stopping.load(Ordering::SeqCst)
    }
}
