use std::future::Future;

use sigil_storage::{DatabaseUrl, OpenOptions, Store};

/// A store under test plus what keeps it alive.
pub(crate) struct TestDb {
    pub(crate) store: Store,
    pub(crate) label: &'static str,
    _dir: Option<tempfile::TempDir>,
}

pub(crate) async fn sqlite() -> TestDb {
    let dir = tempfile::tempdir().unwrap();
    let url = DatabaseUrl::SqliteFile(dir.path().join("sigil.db"));
    let store = OpenOptions::new(url).open().await.unwrap();
    TestDb {
        store,
        label: "sqlite",
        _dir: Some(dir),
    }
}

pub(crate) fn postgres_url() -> Option<String> {
    if std::env::var_os("SIGIL_TEST_NO_POSTGRES").is_some() {
        eprintln!(
            "!!! SIGIL_TEST_NO_POSTGRES is set: PostgreSQL half of the storage suite NOT run"
        );
        return None;
    }
    Some(
        std::env::var("SIGIL_TEST_DATABASE_URL")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into()),
    )
}

pub(crate) async fn postgres_with_schema(schema: &str) -> Option<TestDb> {
    let url = postgres_url()?;
    let store = OpenOptions::new(DatabaseUrl::parse(&url).unwrap())
        .pg_schema(schema)
        .open()
        .await
        .unwrap_or_else(|e| panic!("PostgreSQL at {url} is required by the storage suite: {e}"));
    Some(TestDb {
        store,
        label: "postgres",
        _dir: None,
    })
}

pub(crate) async fn postgres() -> Option<TestDb> {
    let schema = format!("sigil_t_{}", uuid_simple());
    postgres_with_schema(&schema).await
}

fn uuid_simple() -> String {
    use std::time::{SystemTime, UNIX_EPOCH};
    #[allow(clippy::disallowed_methods)] // unique test schema names only
    let n = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("{:x}_{:x}", n, std::process::id())
}

/// Run `test` against both backends.
pub(crate) async fn both<F, Fut>(test: F)
where
    F: Fn(TestDb) -> Fut,
    Fut: Future<Output = ()>,
{
    test(sqlite().await).await;
    if let Some(db) = postgres().await {
        test(db).await;
    }
}
