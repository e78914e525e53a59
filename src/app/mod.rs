//! The desktop apps (feature `gui`): thin screens over the library. Everything they do is
//! a library call; the screens only gather input, show results and keep the UI responsive.

pub mod offline;
mod offline_xrpl;
#[cfg(feature = "net")]
pub mod online;
#[cfg(feature = "net")]
mod online_guide;
#[cfg(feature = "net")]
pub mod online_monero;
pub mod review_cards;
pub mod secret_field;
mod setup_guide;
pub mod widgets;

use std::path::PathBuf;
use widgets::SourceFactory;

/// The cameras the apps scan from: the webcams when built with feature `camera`.
pub fn default_sources() -> SourceFactory {
    std::sync::Arc::new(Webcams)
}

struct Webcams;

#[cfg(feature = "camera")]
impl widgets::Cameras for Webcams {
    fn list(&self) -> Result<Vec<crate::transport::webcam::CameraChoice>, String> {
        crate::transport::webcam::cameras()
    }

    fn open(&self, device: Option<u32>, resolution: (u32, u32)) -> Result<Box<dyn crate::transport::FrameSource + Send>, String> {
        use crate::transport::webcam::{cameras, default_camera, Webcam};
        let index = match device {
            Some(i) => i,
            None => default_camera(&cameras()?)?,
        };
        Ok(Box::new(Webcam::open(index, resolution)?))
    }
}

#[cfg(not(feature = "camera"))]
impl widgets::Cameras for Webcams {
    fn list(&self) -> Result<Vec<crate::transport::webcam::CameraChoice>, String> {
        Ok(Vec::new())
    }

    fn open(&self, _: Option<u32>, _: (u32, u32)) -> Result<Box<dyn crate::transport::FrameSource + Send>, String> {
        Err("this build has no webcam support (feature `camera`): paste the UR text or load the file instead".to_owned())
    }
}

/// The apps' settings file in the platform config directory.
fn settings() -> PathBuf {
    widgets::settings_path(&|k| std::env::var(k).ok())
}

/// Runs `airsign offline` in a window.
pub fn run_offline(keystore_dir: PathBuf) -> Result<(), String> {
    let options = eframe::NativeOptions { viewport: eframe::egui::ViewportBuilder::default().with_inner_size([900.0, 900.0]), ..Default::default() };
    eframe::run_native("airsign offline", options, Box::new(move |_cc| Ok(Box::new(offline::OfflineApp::new(keystore_dir, default_sources()).with_settings(settings())))))
        .map_err(|e| e.to_string())
}

/// Runs `airsign online` in a window.
#[cfg(feature = "net")]
pub fn run_online(db: PathBuf, rippled_url: String) -> Result<(), String> {
    let options = eframe::NativeOptions { viewport: eframe::egui::ViewportBuilder::default().with_inner_size([900.0, 900.0]), ..Default::default() };
    eframe::run_native("airsign online", options, Box::new(move |_cc| Ok(Box::new(online::OnlineApp::new(db, rippled_url, default_sources()).with_settings(settings())))))
        .map_err(|e| e.to_string())
}
