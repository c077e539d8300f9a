//! The binary as an operator uses it: migrate, create an admin, seed, serve (with --demo),
//! restart with tokens intact, stop on SIGTERM.

mod common;

use serde_json::{Value, json};
use std::path::Path;
use std::process::{Child, Command};

fn dabba(db: &Path) -> Command {
    common::dabba_at(&format!("sqlite://{}", db.display()))
}

/// Starts `serve` on a free port; returns the child and its base URL, read from its banner.
fn serve(db: &Path, extra: &[&str]) -> (Child, String, Vec<String>) {
    common::serve_at(&format!("sqlite://{}", db.display()), extra)
}

fn stop(mut child: Child) {
    let status = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    assert!(status.success());
    let exit = child.wait().unwrap();
    assert!(exit.success(), "graceful shutdown exits cleanly: {exit:?}");
}

async fn login(base: &str, phone: &str, password: &str) -> (u16, Value) {
    let r = reqwest::Client::new()
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({"phone": phone, "password": password}))
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn operator_journey() {
    let dir = std::env::temp_dir().join(format!("dabba-cli-{}", uuid::Uuid::now_v7()));
    std::fs::create_dir_all(&dir).unwrap();
    let db = dir.join("city.db");

    assert!(dabba(&db).arg("migrate").status().unwrap().success());
    assert!(db.exists(), "the database file is created on first use");

    let admin = |phone: &str| {
        dabba(&db)
            .args(["admin", "create", "--phone", phone])
            .env("DABBA_ADMIN_PASSWORD", "admin-password")
            .output()
            .unwrap()
    };
    assert!(admin("+915550001111").status.success());
    let again = admin("+915550001111");
    assert!(!again.status.success(), "the same phone twice is refused");
    let weak =
        dabba(&db).args(["admin", "create", "--phone", "+915550002222", "--password", "short"]).output().unwrap();
    assert!(!weak.status.success() && String::from_utf8_lossy(&weak.stderr).contains("password"));

    let (server, base, _) = serve(&db, &[]);
    let (status, body) = login(&base, "+915550001111", "admin-password").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["user"]["role"], "ADMIN");
    let token = body["token"].as_str().unwrap().to_owned();
    stop(server);

    // A restart keeps the signing secret (next to the database), so the token still works.
    assert!(dir.join("city.secret").exists());
    let (server, base, _) = serve(&db, &[]);
    let me =
        reqwest::Client::new().get(format!("{base}/api/v1/users/profile")).bearer_auth(&token).send().await.unwrap();
    assert_eq!(me.status(), 200);
    stop(server);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_city_and_seed() {
    let dir = std::env::temp_dir().join(format!("dabba-demo-{}", uuid::Uuid::now_v7()));
    std::fs::create_dir_all(&dir).unwrap();
    let db = dir.join("demo.db");
    let (server, base, banner) = serve(&db, &["--demo"]);
    let customer =
        banner.iter().find_map(|l| l.trim().strip_prefix("customer")).expect("demo logins printed").trim().to_owned();
    let (status, body) = login(&base, &customer, "dabba-demo").await;
    assert_eq!(status, 200, "{body}");
    let list: Value =
        reqwest::get(format!("{base}/api/v1/restaurants?lat=12.9716&lng=77.5946")).await.unwrap().json().await.unwrap();
    assert!(list["total"].as_u64().unwrap() > 0, "the demo city delivers to its centre");
    stop(server);
    // A second --demo start does not seed again.
    let (server, _, banner) = serve(&db, &["--demo"]);
    assert!(banner.iter().any(|l| l.contains("not seeding")), "{banner:?}");
    stop(server);

    let fresh = dir.join("seeded.db");
    let out = dabba(&fresh)
        .args(["seed", "--restaurants", "30", "--customers", "4", "--riders", "2", "--seed", "9"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("seeded 30 restaurants"));
    let twice = dabba(&fresh).args(["seed", "--restaurants", "30", "--seed", "9"]).output().unwrap();
    assert!(!twice.status.success(), "the same seed twice clashes and is reported");
}

/// Runs a command expected to stop on its own; fails the test if it is still running after
/// 20 s (it would be serving: the refusal did not happen).
fn stops(mut c: Command) -> std::process::Output {
    let mut child = c
        .env("DABBA_LISTEN", "127.0.0.1:0")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while child.try_wait().unwrap().is_none() {
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            panic!("the command kept running: {c:?}");
        }
        // Waiting for a process to exit: there is no event to await from std.
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    child.wait_with_output().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sandbox_gateway_is_chosen_and_kept_out_of_production() {
    let dir = std::env::temp_dir().join(format!("dabba-gateway-{}", uuid::Uuid::now_v7()));
    std::fs::create_dir_all(&dir).unwrap();
    let db = dir.join("gw.db");
    let mut refused = dabba(&db);
    refused.args(["serve", "--payment-gateway", "sandbox", "--production", "true"]);
    let out = stops(refused);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("sandbox payment gateway takes no real money"), "{out:?}");
    let mut unknown = dabba(&db);
    unknown.args(["serve", "--payment-gateway", "paypal"]);
    assert!(!stops(unknown).status.success());
    // Forced (a staging node), it serves, and its pay page says what it is.
    let (server, base, _) =
        serve(&db, &["--payment-gateway", "sandbox", "--production", "true", "--allow-sandbox", "true"]);
    let page = reqwest::get(format!("{base}/sandbox/pay/ch_unknown")).await.unwrap().text().await.unwrap();
    assert!(page.contains("Sandbox, not a real payment page"), "{page}");
    stop(server);
    // Not chosen: no sandbox at all.
    let (server, base, _) = serve(&db, &[]);
    assert_eq!(reqwest::get(format!("{base}/sandbox/pay/ch_unknown")).await.unwrap().status(), 404);
    stop(server);
}
