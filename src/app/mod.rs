//! The desktop apps (feature `gui`): thin screens over the library. Everything they do is
//! a library call; the screens only gather input, show results and keep the UI responsive.

pub mod offline;
mod offline_xrpl;
#[cfg(feature = "net")]
pub mod online;
pub mod widgets;

use std::path::PathBuf;
use widgets::SourceFactory;

/// The frame source the apps scan from: the webcam when built with it, else an error that
/// points to the paste / file path.
pub fn default_sources() -> SourceFactory {
    Box::new(|| Err("this build has no webcam support yet: paste the UR text or load the file instead".to_owned()))
}

/// Runs `airsign offline` in a window.
pub fn run_offline(keystore_dir: PathBuf) -> Result<(), String> {
    let options = eframe::NativeOptions { viewport: eframe::egui::ViewportBuilder::default().with_inner_size([900.0, 900.0]), ..Default::default() };
    eframe::run_native("airsign offline", options, Box::new(move |_cc| Ok(Box::new(offline::OfflineApp::new(keystore_dir, default_sources())))))
        .map_err(|e| e.to_string())
}

/// Runs `airsign online` in a window.
#[cfg(feature = "net")]
pub fn run_online(db: PathBuf, rippled_url: String) -> Result<(), String> {
    let options = eframe::NativeOptions { viewport: eframe::egui::ViewportBuilder::default().with_inner_size([900.0, 900.0]), ..Default::default() };
    eframe::run_native("airsign online", options, Box::new(move |_cc| Ok(Box::new(online::OnlineApp::new(db, rippled_url, default_sources())))))
        .map_err(|e| e.to_string())
}
