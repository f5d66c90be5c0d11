use crate::helpers::{BACKENDS, body_text, spawn_app};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn healthz_answers_while_the_process_runs() {
    let app = spawn_app(crate::helpers::Backend::Sqlite).await;
    let (status, _, body) = app.get_text("/healthz").await;
    assert_eq!(status, 200);
    assert_eq!(body, "ok");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readyz_reports_the_database_on_both_backends() {
    for backend in BACKENDS {
        let app = spawn_app(backend).await;
        let (status, _, body) = app.get_text("/readyz").await;
        assert_eq!(status, 200, "{backend:?}");
        let json: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(json["database"], "ok", "{backend:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readyz_says_unavailable_when_the_database_is_gone() {
    let app = spawn_app(crate::helpers::Backend::Sqlite).await;
    app.state.db.clone().close().await.unwrap();
    let response = app.get("/readyz").await;
    assert_eq!(response.status(), 503);
    let json: serde_json::Value =
        serde_json::from_str(&body_text(response.into_body()).await).unwrap();
    assert_eq!(json["database"], "unreachable");
}
