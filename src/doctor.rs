//! `airsign doctor`: what this machine offers and lacks for airsign, in plain words. A
//! display the apps can draw on (a session and an OpenGL library), cameras and whether
//! this user may open them, network interfaces that are up (the offline signer should have
//! none), the keystore's permissions, and the clock.
//!
//! Everything is read from files under a root directory ("/" normally) and from the
//! environment given, so the tests can fake a machine: no camera, no GL, a camera of the
//! `video` group, a network card up, a keystore others can read, a clock set in the past.

use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Ok,
    /// Worth knowing, nothing to fix.
    Note,
    /// Works, but not as it should for a signer (a network up, a readable keystore).
    Warn,
    /// Something a part of airsign needs is not there.
    Missing,
}

impl Level {
    pub fn tag(self) -> &'static str {
        match self {
            Level::Ok => "ok",
            Level::Note => "note",
            Level::Warn => "WARN",
            Level::Missing => "MISSING",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Finding {
    pub topic: &'static str,
    pub level: Level,
    pub text: String,
}

fn finding(topic: &'static str, level: Level, text: impl Into<String>) -> Finding {
    Finding { topic, level, text: text.into() }
}

/// The machine as the doctor sees it.
pub struct Machine<'a> {
    /// "/" on a real machine.
    pub root: PathBuf,
    pub env: &'a dyn Fn(&str) -> Option<String>,
    /// Unix seconds.
    pub now: u64,
    pub keystore: PathBuf,
}

impl Machine<'_> {
    fn path(&self, p: &str) -> PathBuf {
        self.root.join(p.trim_start_matches('/'))
    }
}

/// Every finding, in a fixed order.
pub fn examine(m: &Machine) -> Vec<Finding> {
    let mut out = display(m);
    out.extend(cameras(m));
    out.extend(network(m));
    out.extend(keystore(m));
    out.push(clock(m, crate::commit_time()));
    out
}

fn display(m: &Machine) -> Vec<Finding> {
    let mut out = Vec::new();
    let wayland = (m.env)("WAYLAND_DISPLAY").filter(|v| !v.is_empty());
    let x11 = (m.env)("DISPLAY").filter(|v| !v.is_empty());
    out.push(match (wayland, x11) {
        (Some(w), _) => finding("display", Level::Ok, format!("a Wayland session ({w})")),
        (None, Some(x)) => finding("display", Level::Ok, format!("an X11 display ({x})")),
        (None, None) => {
            finding("display", Level::Missing, "no display session (neither WAYLAND_DISPLAY nor DISPLAY is set): `airsign offline` and `airsign online` need one; the command line works without")
        }
    });
    let triplet = format!("{}-linux-gnu", std::env::consts::ARCH);
    let dirs = [format!("usr/lib/{triplet}"), format!("lib/{triplet}"), "usr/lib64".into(), "usr/lib".into(), "lib".into()];
    let found = ["libEGL.so.1", "libGL.so.1"]
        .iter()
        .filter_map(|lib| dirs.iter().map(|d| m.path(d).join(lib)).find(|p| p.exists()))
        .map(|p| p.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default())
        .collect::<Vec<_>>();
    out.push(if found.is_empty() {
        finding(
            "opengl",
            Level::Missing,
            "no OpenGL library (libEGL.so.1 or libGL.so.1): the apps draw with OpenGL; on Debian install libegl1 and libgl1 (Mesa draws in software where there is no GPU)",
        )
    } else {
        finding("opengl", Level::Ok, format!("OpenGL libraries present ({})", found.join(", ")))
    });
    out
}

/// This process's user and groups, from /proc/self/status.
fn identity(m: &Machine) -> Option<(u32, Vec<u32>)> {
    let status = std::fs::read_to_string(m.path("/proc/self/status")).ok()?;
    let field = |name: &str| status.lines().find_map(|l| l.strip_prefix(name)).map(|rest| rest.split_whitespace().filter_map(|n| n.parse::<u32>().ok()).collect::<Vec<_>>());
    let uid = *field("Uid:")?.first()?;
    let mut groups = field("Groups:").unwrap_or_default();
    groups.extend(field("Gid:").and_then(|g| g.first().copied()));
    Some((uid, groups))
}

fn group_name(m: &Machine, gid: u32) -> String {
    std::fs::read_to_string(m.path("/etc/group"))
        .ok()
        .and_then(|t| {
            t.lines().find_map(|l| {
                let mut f = l.split(':');
                let name = f.next()?;
                (f.nth(1)?.parse::<u32>().ok()? == gid).then(|| name.to_owned())
            })
        })
        .unwrap_or_else(|| format!("gid {gid}"))
}

/// Whether this user may read and write a file with this owner and mode.
fn may_open(uid: u32, groups: &[u32], meta: &std::fs::Metadata) -> bool {
    let mode = meta.mode();
    uid == 0 || (meta.uid() == uid && mode & 0o600 == 0o600) || (groups.contains(&meta.gid()) && mode & 0o060 == 0o060) || mode & 0o006 == 0o006
}

fn cameras(m: &Machine) -> Vec<Finding> {
    let mut devices: Vec<PathBuf> = std::fs::read_dir(m.path("/dev"))
        .map(|d| d.filter_map(Result::ok).map(|e| e.path()).filter(|p| p.file_name().is_some_and(|n| n.to_string_lossy().starts_with("video"))).collect())
        .unwrap_or_default();
    devices.sort();
    if devices.is_empty() {
        return vec![finding("camera", Level::Missing, "no camera (/dev/video*): scanning needs a webcam; without one, paste the UR text or load the file in the scanner")];
    }
    let who = identity(m);
    devices
        .iter()
        .map(|d| {
            let name = format!("/dev/{}", d.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default());
            match (std::fs::metadata(d), &who) {
                (Ok(meta), Some((uid, groups))) if may_open(*uid, groups, &meta) => finding("camera", Level::Ok, format!("{name}: you may open it")),
                (Ok(meta), Some(_)) => {
                    let group = group_name(m, meta.gid());
                    finding("camera", Level::Missing, format!("{name} belongs to group {group}, which you are not in: run `sudo usermod -aG {group} $USER`, then log out and in again"))
                }
                (Ok(_), None) => finding("camera", Level::Note, format!("{name}: present (cannot tell whether you may open it)")),
                (Err(e), _) => finding("camera", Level::Missing, format!("{name}: {e}")),
            }
        })
        .collect()
}

fn network(m: &Machine) -> Vec<Finding> {
    let dir = m.path("/sys/class/net");
    let mut names: Vec<String> = std::fs::read_dir(&dir).map(|d| d.filter_map(Result::ok).map(|e| e.file_name().to_string_lossy().into_owned()).filter(|n| n != "lo").collect()).unwrap_or_default();
    names.sort();
    let up: Vec<Finding> = names
        .iter()
        .filter(|n| std::fs::read_to_string(dir.join(n).join("operstate")).is_ok_and(|s| s.trim() == "up"))
        .map(|n| {
            let kind = if dir.join(n).join("wireless").exists() || dir.join(n).join("phy80211").exists() { "Wi-Fi" } else { "network" };
            finding(
                "network",
                Level::Warn,
                format!("{kind} interface {n} is up: on the offline signer there should be none (unplug the cable, switch Wi-Fi off, or remove the card); fine on the online machine"),
            )
        })
        .collect();
    if up.is_empty() {
        let text = if names.is_empty() { "no network interface besides loopback".to_owned() } else { format!("no network interface up ({} present, all down)", names.join(", ")) };
        vec![finding("network", Level::Ok, text)]
    } else {
        up
    }
}

fn keystore(m: &Machine) -> Vec<Finding> {
    let dir = &m.keystore;
    let Ok(meta) = std::fs::metadata(dir) else {
        return vec![finding("keystore", Level::Note, format!("no keystore yet at {} (made private, 0700, when the first wallet is created)", dir.display()))];
    };
    let mut out = Vec::new();
    if meta.mode() & 0o077 != 0 {
        out.push(finding("keystore", Level::Warn, format!("{} can be read or entered by others (mode {:o}): run `chmod 700 {}`", dir.display(), meta.mode() & 0o777, dir.display())));
    }
    let files: Vec<(PathBuf, u32)> =
        std::fs::read_dir(dir).map(|d| d.filter_map(Result::ok).filter_map(|e| e.metadata().ok().filter(|m| m.is_file()).map(|m| (e.path(), m.mode() & 0o777))).collect()).unwrap_or_default();
    for (path, mode) in files.iter().filter(|(_, mode)| mode & 0o077 != 0) {
        out.push(finding("keystore", Level::Warn, format!("{} is readable by others (mode {mode:o}): run `chmod 600 {}`", path.display(), path.display())));
    }
    if out.is_empty() {
        out.push(finding("keystore", Level::Ok, format!("{}: private to you (0700), {} file(s), none readable by others", dir.display(), files.len())));
    }
    out
}

fn clock(m: &Machine, built: u64) -> Finding {
    let now = format!("{} UTC", utc(m.now));
    if built > 0 && m.now + 86_400 < built {
        return finding("clock", Level::Warn, format!("the clock says {now}, before this airsign was made ({}): set the date; the signing journal records times by it", utc(built)));
    }
    finding("clock", Level::Ok, format!("{now} (check it against your watch: the signing journal and XRPL's ledger margins are read by people against it)"))
}

/// "2026-12-02 14:38" for Unix seconds (the civil calendar, proleptic Gregorian).
pub fn utc(secs: u64) -> String {
    let days = (secs / 86_400) as i64;
    let (h, min) = ((secs % 86_400) / 3600, (secs % 3600) / 60);
    // Howard Hinnant's days-from-civil inverse.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let mo = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(mo <= 2);
    format!("{y:04}-{mo:02}-{d:02} {h:02}:{min:02}")
}

/// The findings as the CLI prints them: one aligned line each.
pub fn render(findings: &[Finding]) -> String {
    findings.iter().map(|f| format!("{:<8} {:<9} {}\n", f.level.tag(), f.topic, f.text)).collect()
}

/// The real machine.
pub fn this_machine(root: &Path, keystore: PathBuf, env: &dyn Fn(&str) -> Option<String>) -> Vec<Finding> {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
    examine(&Machine { root: root.to_owned(), env, now, keystore })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    struct Fake {
        root: PathBuf,
    }

    impl Fake {
        fn new(name: &str) -> Fake {
            let root = std::env::temp_dir().join(format!("airsign-doctor-{name}-{}", std::process::id()));
            let _ = std::fs::remove_dir_all(&root);
            std::fs::create_dir_all(root.join("proc/self")).unwrap();
            std::fs::create_dir_all(root.join("etc")).unwrap();
            std::fs::write(root.join("etc/group"), "root:x:0:\nvideo:x:44:alice\n").unwrap();
            Fake { root }
        }
        fn file(&self, path: &str, text: &str, mode: u32) -> &Fake {
            let p = self.root.join(path);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(&p, text).unwrap();
            std::fs::set_permissions(&p, std::fs::Permissions::from_mode(mode)).unwrap();
            self
        }
        fn as_user(&self, uid: u32, groups: &str) -> &Fake {
            self.file("proc/self/status", &format!("Name:\tairsign\nUid:\t{uid}\t{uid}\t{uid}\t{uid}\nGid:\t{uid}\t{uid}\t{uid}\t{uid}\nGroups:\t{groups}\n"), 0o644)
        }
        fn examine(&self, env: &[(&str, &str)], now: u64) -> Vec<Finding> {
            let env: Vec<(String, String)> = env.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
            let lookup = move |k: &str| env.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
            examine(&Machine { root: self.root.clone(), env: &lookup, now, keystore: self.root.join("home/.local/share/airsign") })
        }
    }

    impl Drop for Fake {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.root);
        }
    }

    fn of<'a>(f: &'a [Finding], topic: &str) -> Vec<&'a Finding> {
        f.iter().filter(|x| x.topic == topic).collect()
    }

    #[test]
    fn a_bare_machine_lacks_a_display_gl_and_a_camera_and_says_so() {
        let fake = Fake::new("bare");
        fake.as_user(1000, "1000");
        let f = fake.examine(&[], 1_800_000_000);
        assert_eq!(of(&f, "display")[0].level, Level::Missing);
        assert!(of(&f, "display")[0].text.contains("DISPLAY"));
        assert_eq!(of(&f, "opengl")[0].level, Level::Missing);
        assert!(of(&f, "opengl")[0].text.contains("libegl1"));
        assert_eq!(of(&f, "camera")[0].level, Level::Missing);
        assert!(of(&f, "camera")[0].text.contains("paste the UR text"));
        assert_eq!(of(&f, "network")[0].level, Level::Ok);
        assert_eq!(of(&f, "keystore")[0].level, Level::Note);
    }

    #[test]
    fn a_camera_of_the_video_group_is_named_with_the_fix_until_the_user_is_in_it() {
        let fake = Fake::new("video");
        let arch = std::env::consts::ARCH;
        fake.file(&format!("usr/lib/{arch}-linux-gnu/libEGL.so.1"), "", 0o644).file("dev/video0", "", 0o660);
        // The fake device belongs to whoever runs the test; the doctor is told it runs as
        // another user, outside the device's group, then inside it, then as root.
        let dev = fake.root.join("dev/video0");
        let owner = std::fs::metadata(&dev).unwrap().uid();
        let f = fake.as_user(owner + 1, "4242").examine(&[("DISPLAY", ":0")], 1_800_000_000);
        assert_eq!(of(&f, "display")[0].level, Level::Ok);
        assert_eq!(of(&f, "opengl")[0].text, "OpenGL libraries present (libEGL.so.1)");
        let cam = of(&f, "camera");
        assert_eq!(cam[0].level, Level::Missing, "{cam:?}");
        assert!(cam[0].text.contains("sudo usermod -aG"), "{}", cam[0].text);
        let gid = std::fs::metadata(&dev).unwrap().gid();
        let f = fake.as_user(owner + 1, &gid.to_string()).examine(&[], 1_800_000_000);
        assert_eq!(of(&f, "camera")[0].level, Level::Ok, "in the device's group");
        let f = fake.as_user(0, "0").examine(&[], 1_800_000_000);
        assert_eq!(of(&f, "camera")[0].level, Level::Ok, "root opens anything");
    }

    #[test]
    fn network_cards_up_are_warnings_and_loopback_is_ignored() {
        let fake = Fake::new("net");
        fake.as_user(1000, "");
        fake.file("sys/class/net/lo/operstate", "unknown\n", 0o644).file("sys/class/net/eth0/operstate", "down\n", 0o644);
        let f = fake.examine(&[], 1_800_000_000);
        assert_eq!(of(&f, "network")[0].text, "no network interface up (eth0 present, all down)");
        fake.file("sys/class/net/wlan0/operstate", "up\n", 0o644).file("sys/class/net/wlan0/wireless/x", "", 0o644);
        let f = fake.examine(&[], 1_800_000_000);
        let net = of(&f, "network");
        assert_eq!(net.len(), 1);
        assert_eq!(net[0].level, Level::Warn);
        assert!(net[0].text.starts_with("Wi-Fi interface wlan0 is up"), "{}", net[0].text);
    }

    #[test]
    fn a_keystore_others_can_read_is_named_file_by_file() {
        let fake = Fake::new("keys");
        fake.as_user(1000, "");
        let ks = fake.root.join("home/.local/share/airsign");
        fake.file("home/.local/share/airsign/cold.wallet", "x", 0o600);
        std::fs::set_permissions(&ks, std::fs::Permissions::from_mode(0o700)).unwrap();
        let f = fake.examine(&[], 1_800_000_000);
        assert_eq!(of(&f, "keystore")[0].level, Level::Ok, "{f:?}");
        fake.file("home/.local/share/airsign/hot.wallet", "x", 0o644);
        std::fs::set_permissions(&ks, std::fs::Permissions::from_mode(0o755)).unwrap();
        let f = fake.examine(&[], 1_800_000_000);
        let k = of(&f, "keystore");
        assert_eq!(k.len(), 2, "{k:?}");
        assert!(k[0].text.contains("chmod 700") && k[1].text.contains("hot.wallet") && k[1].text.contains("chmod 600"), "{k:?}");
    }

    #[test]
    fn a_clock_before_the_build_is_a_warning() {
        let fake = Fake::new("clock");
        assert_eq!(clock(&Machine { root: fake.root.clone(), env: &|_| None, now: 1_000_000_000, keystore: fake.root.clone() }, 1_800_000_000).level, Level::Warn);
        let ok = clock(&Machine { root: fake.root.clone(), env: &|_| None, now: 1_800_000_000, keystore: fake.root.clone() }, 1_700_000_000);
        assert_eq!(ok.level, Level::Ok);
        assert!(ok.text.starts_with("2027-01-15 08:00 UTC"), "{}", ok.text);
        assert_eq!(utc(0), "1970-01-01 00:00");
        assert_eq!(utc(951_782_400), "2000-02-29 00:00");
    }
}
