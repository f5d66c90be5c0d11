//! The `portal` binary as an operator uses it: help text, start-up refusing bad settings, and
//! staff creation.

use std::process::{Command, Output};

struct Scratch(std::path::PathBuf);

impl Scratch {
    fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("portal-cli-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Self(dir)
    }

    /// The binary, with its data kept in the scratch directory.
    fn portal(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_portal"));
        cmd.args(args)
            .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
            .env(
                "PORTAL_DATABASE_URL",
                format!("sqlite://{}/portal.db?mode=rwc", self.0.display()),
            )
            .env("PORTAL_SECRETS_DIR", self.0.join("secrets"))
            .env("RUST_LOG", "warn")
            .env_remove("PORTAL_NEW_STAFF_PASSWORD");
        cmd
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
fn help_lists_every_command_in_plain_words() {
    let scratch = Scratch::new("help");
    let out = scratch.portal(&["--help"]).output().unwrap();
    assert!(out.status.success());
    let help = text(&out);
    for command in ["serve", "migrate", "seed-demo", "create-staff", "PORTAL_"] {
        assert!(help.contains(command), "{command} missing from:\n{help}");
    }
    let out = scratch
        .portal(&["create-staff", "--help"])
        .output()
        .unwrap();
    assert!(text(&out).contains("front-desk, clinician or administrator"));
}

#[test]
fn a_bad_setting_stops_start_up_with_a_message_naming_it() {
    let scratch = Scratch::new("bad-setting");
    let out = scratch
        .portal(&["migrate"])
        .env("PORTAL_TIME_ZONE", "Mars/Olympus")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let message = text(&out);
    assert!(
        message.contains("time_zone") && message.contains("PORTAL_TIME_ZONE"),
        "{message}"
    );
    assert!(!scratch.0.join("portal.db").exists(), "nothing was created");
}

#[test]
fn an_unknown_setting_in_the_config_file_is_refused() {
    let scratch = Scratch::new("unknown-setting");
    let file = scratch.0.join("portal.toml");
    std::fs::write(&file, "time_zon = \"America/Chicago\"\n").unwrap();
    let out = scratch
        .portal(&["--config", file.to_str().unwrap(), "migrate"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out).contains("time_zon"), "{}", text(&out));
}

#[test]
fn create_staff_makes_an_account_once_and_refuses_weak_passwords_and_unknown_roles() {
    let scratch = Scratch::new("create-staff");
    let args = [
        "create-staff",
        "--username",
        "Desk.Two",
        "--name",
        "Jo Park",
        "--role",
        "front-desk",
    ];
    let out = scratch
        .portal(&args)
        .env("PORTAL_NEW_STAFF_PASSWORD", "short1")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        text(&out).contains("at least 12 characters"),
        "{}",
        text(&out)
    );

    let out = scratch
        .portal(&args)
        .env("PORTAL_NEW_STAFF_PASSWORD", "a long passphrase 42")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains("Created desk.two (Jo Park) as front-desk"),
        "{}",
        text(&out)
    );
    assert!(
        !text(&out).contains("passphrase"),
        "the password is never echoed"
    );
    let printed = text(&out);
    let first_code = printed
        .lines()
        .find(|l| l.starts_with("Set-up code for the first sign-in"))
        .and_then(|l| l.rsplit(' ').next())
        .unwrap_or_else(|| panic!("a set-up code: {printed}"))
        .to_owned();
    assert_eq!(first_code.len(), 14, "{first_code}");
    let out = scratch
        .portal(&["staff-set-up-code", "--username", "desk.two"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains("Set-up code for desk.two") && !text(&out).contains(&first_code),
        "a new code: {}",
        text(&out)
    );

    let out = scratch
        .portal(&args)
        .env("PORTAL_NEW_STAFF_PASSWORD", "a long passphrase 42")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(text(&out).contains("already exists"), "{}", text(&out));

    let mut bad_role = args;
    bad_role[6] = "patient";
    let out = scratch
        .portal(&bad_role)
        .env("PORTAL_NEW_STAFF_PASSWORD", "a long passphrase 42")
        .output()
        .unwrap();
    assert!(text(&out).contains("is not a staff role"), "{}", text(&out));
}

#[test]
fn seed_demo_loads_once_and_says_so() {
    let scratch = Scratch::new("seed-demo");
    let out = scratch.portal(&["seed-demo"]).output().unwrap();
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("Loaded the demo"), "{}", text(&out));
    let out = scratch
        .portal(&["seed-demo"])
        .env("RUST_LOG", "info")
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(text(&out).contains("demo was not loaded"), "{}", text(&out));
}

#[test]
fn a_misspelt_environment_setting_is_refused() {
    let scratch = Scratch::new("misspelt-env");
    let out = scratch
        .portal(&["migrate"])
        .env("PORTAL_TIME_ZON", "America/Chicago")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out).contains("time_zon"), "{}", text(&out));
}

#[test]
fn issue_activation_code_prints_a_code_once_for_a_known_record_number() {
    let scratch = Scratch::new("issue-code");
    assert!(
        scratch
            .portal(&["seed-demo"])
            .output()
            .unwrap()
            .status
            .success()
    );
    let out = scratch
        .portal(&["issue-activation-code", "--mrn", "RB100001"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    let code = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    assert_eq!(code.len(), 14, "{code}");
    assert!(
        app::domain::activation::OneTimeCode::parse(&code).is_ok(),
        "{code}"
    );
    let out = scratch
        .portal(&["issue-activation-code", "--mrn", "NOPE"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        text(&out).contains("no patient has the medical record number NOPE"),
        "{}",
        text(&out)
    );
}

#[test]
fn set_policy_changes_the_settings_given_and_refuses_bad_ones() {
    let scratch = Scratch::new("set-policy");
    let out = scratch
        .portal(&["set-policy", "--json", r#"{"attempts_per_address": 120}"#])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    let printed = String::from_utf8_lossy(&out.stdout);
    assert!(
        printed.contains(r#""attempts_per_address":120"#),
        "{printed}"
    );
    assert!(
        printed.contains(r#""adult_age":18"#),
        "the others keep their value: {printed}"
    );
    for bad in [
        r#"{"adult_ag": 19}"#,
        r#"{"parent_limited_access_age": 30}"#,
        "[1]",
    ] {
        let out = scratch
            .portal(&["set-policy", "--json", bad])
            .output()
            .unwrap();
        assert!(!out.status.success(), "{bad} was accepted");
    }
    let out = scratch
        .portal(&["set-policy", "--json", "{}"])
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&out.stdout).contains(r#""attempts_per_address":120"#),
        "the refused changes changed nothing"
    );
}

#[test]
fn p6_set_policy_adds_a_version_from_a_day_and_leaves_the_others_as_they_were() {
    let scratch = Scratch::new("policy-history");
    let set = |args: &[&str]| {
        let out = scratch.portal(args).output().unwrap();
        assert!(out.status.success(), "{}", text(&out));
        text(&out)
    };
    let later = set(&[
        "set-policy",
        "--json",
        r#"{"lab_result_release_days": 0}"#,
        "--effective-from",
        "2031-01-01",
    ]);
    assert!(later.contains(r#""lab_result_release_days":0"#), "{later}");
    // A change from today keeps the later version's own settings, and the later one keeps
    // today's default for the setting changed now.
    let today = set(&["set-policy", "--json", r#"{"lab_result_release_days": 2}"#]);
    assert!(today.contains(r#""lab_result_release_days":2"#), "{today}");
    let again = set(&[
        "set-policy",
        "--json",
        r#"{"attempts_per_address": 77}"#,
        "--effective-from",
        "2031-01-01",
    ]);
    assert!(again.contains(r#""lab_result_release_days":0"#), "{again}");
    assert!(again.contains(r#""attempts_per_address":77"#), "{again}");
    let bad = scratch
        .portal(&[
            "set-policy",
            "--json",
            "{}",
            "--effective-from",
            "2031-02-30",
        ])
        .output()
        .unwrap();
    assert!(
        !bad.status.success(),
        "a day that does not exist is refused"
    );
    // What applied on a past day is not rewritten.
    let past = scratch
        .portal(&[
            "set-policy",
            "--json",
            r#"{"lab_result_release_days": 1}"#,
            "--effective-from",
            "2020-01-01",
        ])
        .output()
        .unwrap();
    assert!(!past.status.success());
    assert!(text(&past).contains("before today"), "{}", text(&past));
}

#[test]
fn run_transitions_announces_the_demos_coming_proxy_expiry_once() {
    let scratch = Scratch::new("transitions");
    let run = |args: &[&str]| {
        let out = scratch.portal(args).output().unwrap();
        assert!(out.status.success(), "{}", text(&out));
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    run(&["seed-demo"]);
    // Erin's proxy for Walter expires 20 days after the demo is loaded; Walter has no email.
    assert_eq!(
        run(&["run-transitions"]).trim(),
        "1 changes announced, 1 emails queued."
    );
    assert_eq!(
        run(&["run-transitions"]).trim(),
        "0 changes announced, 0 emails queued.",
        "announced once"
    );
    let out = scratch
        .portal(&["run-transitions", "--at", "next tuesday"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(text(&out).contains("neither a day"), "{}", text(&out));
}
