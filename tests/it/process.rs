//! `tarjotin serve` as a process of its own, for the tests of what only a
//! whole process shows: how it starts, how several share a database, and
//! what a kill leaves behind.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

/// A running `tarjotin serve`.
pub struct Process {
    pub child: Child,
    pub base: String,
    pub log: PathBuf,
}

/// A port nothing listens on now.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A fresh directory under the system's temporary one.
pub fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "tarjotin-{name}-{}-{}",
        std::process::id(),
        chrono::Utc::now().timestamp_micros()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The binary under test, with only the settings given (none inherited).
pub fn command(dir: &Path, env: &[(&str, String)]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_tarjotin"));
    command
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("TARJOTIN_DATA_DIR", dir.join("data"))
        .env("TARJOTIN_LOG_FORMAT", "json")
        .env("TARJOTIN_RATE_LIMIT", "off");
    for (key, value) in env {
        command.env(key, value);
    }
    command
}

impl Process {
    /// Starts `tarjotin serve` in `dir` with `env` on a free port.
    pub fn serve(dir: &Path, name: &str, env: &[(&str, String)]) -> Process {
        let port = free_port();
        let log = dir.join(format!("{name}.log"));
        let file = std::fs::File::create(&log).unwrap();
        let child = command(dir, env)
            .arg("serve")
            .env("TARJOTIN_BIND", format!("127.0.0.1:{port}"))
            .stdout(Stdio::from(file.try_clone().unwrap()))
            .stderr(Stdio::from(file))
            .spawn()
            .unwrap();
        Process {
            child,
            base: format!("http://127.0.0.1:{port}"),
            log,
        }
    }

    /// What the process has logged.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// GET `path`: (status, body as JSON or null); None when nothing answers.
    pub async fn get(&self, path: &str) -> Option<(u16, Value)> {
        let response = reqwest::Client::new()
            .get(format!("{}{path}", self.base))
            .timeout(Duration::from_secs(5))
            .send()
            .await
            .ok()?;
        let status = response.status().as_u16();
        let body = response.json().await.unwrap_or(Value::Null);
        Some((status, body))
    }

    /// POSTs a GraphQL query: (status, body).
    pub async fn query(&self, query: &str) -> (u16, Value) {
        let response = reqwest::Client::new()
            .post(format!("{}/graphql", self.base))
            .json(&serde_json::json!({ "query": query }))
            .timeout(Duration::from_secs(30))
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    /// Waits until `/healthz` answers; the time it took.
    pub async fn wait_listening(&self, within: Duration) -> Duration {
        let started = Instant::now();
        while started.elapsed() < within {
            if self.get("/healthz").await.is_some() {
                return started.elapsed();
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        panic!("nothing listened within {within:?}: {}", self.log());
    }

    /// Waits until `/readyz` answers 200.
    pub async fn wait_ready(&mut self, within: Duration) {
        let started = Instant::now();
        while started.elapsed() < within {
            if let Some((200, _)) = self.get("/readyz").await {
                return;
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("the server exited ({status}): {}", self.log());
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("not ready within {within:?}: {}", self.log());
    }

    /// Waits for the process to end on its own; its exit code.
    pub async fn wait_exit(&mut self, within: Duration) -> Option<i32> {
        let started = Instant::now();
        while started.elapsed() < within {
            if let Ok(Some(status)) = self.child.try_wait() {
                return status.code();
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("still running after {within:?}: {}", self.log());
    }

    /// Kills the process at once (SIGKILL), as a crash would.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        self.kill();
    }
}
