//! The one place that wires knowledge, index, database and HTTP together.

pub async fn run(_config: crate::config::Config) -> anyhow::Result<()> {
    anyhow::bail!("serve: not wired yet")
}
