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
