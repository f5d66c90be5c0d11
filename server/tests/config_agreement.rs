//! Leptos.toml (the server's runtime LeptosOptions) and Cargo.toml's [[workspace.metadata.leptos]]
//! (cargo-leptos's build configuration) describe the same site; this keeps them in agreement.

fn read(path: &str) -> toml::Table {
    let full = format!("{}/../{path}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&full).unwrap().parse().unwrap()
}

#[test]
fn leptos_toml_agrees_with_the_cargo_leptos_build_configuration() {
    let cargo = read("Cargo.toml");
    let build = &cargo["workspace"]["metadata"]["leptos"].as_array().unwrap()[0];
    let leptos = read("Leptos.toml");
    let runtime = &leptos["package"]["metadata"]["leptos"];
    assert_eq!(runtime["output-name"], build["name"]);
    for key in [
        "site-root",
        "site-pkg-dir",
        "site-addr",
        "reload-port",
        "hash-files",
    ] {
        assert_eq!(
            runtime[key], build[key],
            "{key} differs between Leptos.toml and Cargo.toml"
        );
    }
}

#[test]
fn the_shell_links_the_hashed_stylesheet() {
    // The stylesheet's name carries its hash (issue 13): only the server's shell knows it.
    let app = std::fs::read_to_string(format!("{}/../app/src/app.rs", env!("CARGO_MANIFEST_DIR")))
        .unwrap();
    assert!(app.contains("<HashedStylesheet"));
    assert!(!app.contains("/pkg/portal.css"));
}
