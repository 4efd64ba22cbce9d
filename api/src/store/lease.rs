//! Who does the work that one process at a time may do: applying the
//! search outbox, serving rebuild requests and running the scheduler.
//!
//! On PostgreSQL the leader holds a session advisory lock on a connection of
//! its own. The lock goes with the connection: when the process dies its
//! connection closes and the lock is free at once; when its host is lost,
//! PostgreSQL drops the connection after the TCP keepalives set here
//! (about 25 s). On an SQLite file the leader holds an exclusive lock on a
//! file beside the database, which the operating system frees when the
//! process ends. An in-memory database has one process by definition.

use std::fs::{File, OpenOptions};
use std::path::PathBuf;

use sea_orm::sqlx::{self, Connection as _};

use super::{Store, StoreError};

/// The advisory lock of the indexing leader: "tarjotin" in ASCII.
const LEADER_LOCK: i64 = 0x7461_726a_6f74_696e;

/// Leadership, held until dropped or lost.
pub struct Lead {
    held: Held,
}

enum Held {
    Postgres(sqlx::PgConnection),
    File(#[allow(dead_code)] File),
    Memory,
}

fn db_error(e: sqlx::Error) -> StoreError {
    StoreError::Db(sea_orm::DbErr::Conn(sea_orm::RuntimeErr::SqlxError(
        std::sync::Arc::new(e),
    )))
}

/// The lock file of an SQLite database URL (None for an in-memory one).
fn lock_path(url: &str) -> Option<PathBuf> {
    let rest = url.strip_prefix("sqlite:")?;
    if rest.contains(":memory:") || rest.contains("mode=memory") {
        return None;
    }
    let path = rest.trim_start_matches("//");
    let path = path.split('?').next().unwrap_or(path);
    (!path.is_empty()).then(|| PathBuf::from(format!("{path}.serve.lock")))
}

impl Store {
    /// Takes the lead if no other process holds it; None when one does.
    pub async fn try_lead(&self) -> Result<Option<Lead>, StoreError> {
        let url: &str = &self.url;
        if url.starts_with("postgres") {
            let mut conn = sqlx::PgConnection::connect(url).await.map_err(db_error)?;
            // A lost host's connection is dropped, and the lock with it,
            // after idle + interval * count seconds; over a socket these are
            // no-ops.
            for setting in [
                "SET tcp_keepalives_idle = 10",
                "SET tcp_keepalives_interval = 5",
                "SET tcp_keepalives_count = 3",
            ] {
                let _ = sqlx::query(setting).execute(&mut conn).await;
            }
            let got: bool = sqlx::query_scalar("SELECT pg_try_advisory_lock($1)")
                .bind(LEADER_LOCK)
                .fetch_one(&mut conn)
                .await
                .map_err(db_error)?;
            if !got {
                let _ = conn.close().await;
                return Ok(None);
            }
            return Ok(Some(Lead {
                held: Held::Postgres(conn),
            }));
        }
        let Some(path) = lock_path(url) else {
            return Ok(Some(Lead { held: Held::Memory }));
        };
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|e| {
                StoreError::Corrupt(format!("cannot open the lock file {}: {e}", path.display()))
            })?;
        match file.try_lock() {
            Ok(()) => Ok(Some(Lead {
                held: Held::File(file),
            })),
            Err(std::fs::TryLockError::WouldBlock) => Ok(None),
            Err(std::fs::TryLockError::Error(e)) => Err(StoreError::Corrupt(format!(
                "cannot lock {}: {e}",
                path.display()
            ))),
        }
    }

    /// True when several processes can share this database (PostgreSQL).
    pub fn shared(&self) -> bool {
        self.url.starts_with("postgres")
    }
}

impl Lead {
    /// Checks that the lead is still held: on PostgreSQL, that the lock's
    /// connection answers. An error means another process may lead now.
    pub async fn check(&mut self) -> Result<(), StoreError> {
        match &mut self.held {
            Held::Postgres(conn) => {
                sqlx::query("SELECT 1")
                    .execute(conn)
                    .await
                    .map_err(db_error)?;
                Ok(())
            }
            Held::File(_) | Held::Memory => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_sqlite_file_is_locked_beside_it_and_memory_is_not() {
        assert_eq!(
            lock_path("sqlite://data/tarjotin.db?mode=rwc"),
            Some(PathBuf::from("data/tarjotin.db.serve.lock"))
        );
        assert_eq!(
            lock_path("sqlite:///tmp/x.db"),
            Some(PathBuf::from("/tmp/x.db.serve.lock"))
        );
        assert_eq!(lock_path("sqlite::memory:"), None);
        assert_eq!(lock_path("sqlite://file?mode=memory"), None);
    }

    #[tokio::test]
    async fn a_second_process_on_an_sqlite_file_does_not_get_the_lead() {
        let dir = std::env::temp_dir().join(format!("tarjotin-lease-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let url = format!("sqlite://{}?mode=rwc", dir.join("c.db").display());
        let a = Store::connect(&url, None).await.unwrap();
        let b = Store::connect(&url, None).await.unwrap();
        let lead = a.try_lead().await.unwrap();
        assert!(lead.is_some());
        assert!(b.try_lead().await.unwrap().is_none(), "the file is locked");
        drop(lead);
        assert!(
            b.try_lead().await.unwrap().is_some(),
            "and free once dropped"
        );
        std::fs::remove_dir_all(&dir).ok();
    }
}
