//! Records the git commit this binary is built from, for `airsign --version`: the commit a
//! user compares with the release they verified. `AIRSIGN_GIT_COMMIT` overrides it (a
//! build from a source tarball, which has no .git); "unknown" when neither is there.
//! Also the commit's time, which `airsign doctor` uses as the date the clock cannot be
//! before. Both come from the commit, not the build, so two builds of one tree agree.

use std::process::Command;

fn git(args: &[&str]) -> Option<String> {
    let out = Command::new("git").args(args).output().ok()?;
    let text = String::from_utf8(out.stdout).ok()?.trim().to_owned();
    (out.status.success() && !text.is_empty()).then_some(text)
}

fn main() {
    println!("cargo:rerun-if-env-changed=AIRSIGN_GIT_COMMIT");
    println!("cargo:rerun-if-env-changed=SOURCE_DATE_EPOCH");
    // HEAD moves on checkout; the branch it names moves on commit.
    let mut watched = vec![".git/HEAD".to_owned(), ".git/packed-refs".to_owned()];
    if let Some(branch) = std::fs::read_to_string(".git/HEAD").ok().and_then(|h| h.strip_prefix("ref: ").map(|r| r.trim().to_owned())) {
        watched.push(format!(".git/{branch}"));
    }
    for path in watched.iter().filter(|p| std::path::Path::new(p).exists()) {
        println!("cargo:rerun-if-changed={path}");
    }
    let commit = std::env::var("AIRSIGN_GIT_COMMIT").ok().filter(|c| !c.is_empty()).or_else(|| git(&["rev-parse", "HEAD"])).unwrap_or_else(|| "unknown".into());
    let time = std::env::var("SOURCE_DATE_EPOCH").ok().filter(|t| t.parse::<u64>().is_ok()).or_else(|| git(&["log", "-1", "--format=%ct"])).unwrap_or_else(|| "0".into());
    println!("cargo:rustc-env=AIRSIGN_GIT_COMMIT={commit}");
    println!("cargo:rustc-env=AIRSIGN_COMMIT_TIME={time}");
}
