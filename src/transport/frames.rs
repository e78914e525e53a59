//! Where frames come from. Every scanner, test and benchmark reads through [`FrameSource`]:
//! a webcam (feature `camera`, with the apps), a folder of images, or the virtual camera.

use image::GrayImage;
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum FrameError {
    #[error("cannot read {path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("cannot decode image {path}: {source}")]
    Image { path: PathBuf, source: image::ImageError },
    #[error("camera: {0}")]
    Camera(String),
}

/// One captured frame.
pub struct Frame {
    pub image: GrayImage,
    /// Frames the source has shown so far, this one included (dropped frames count).
    pub shown: u64,
}

pub trait FrameSource {
    /// The next frame, or `None` when the source has nothing more.
    fn next_frame(&mut self) -> Result<Option<Frame>, FrameError>;

    /// A live source (a webcam) keeps producing frames whether or not they are read: the
    /// scanner shows every one it can and decodes the newest. A recorded source (a folder,
    /// the virtual camera) is read frame by frame, none skipped.
    fn is_live(&self) -> bool {
        false
    }
}

/// Image files in a folder, in file-name order (PNG or JPEG).
pub struct ImageFolder {
    paths: std::vec::IntoIter<PathBuf>,
    shown: u64,
}

impl ImageFolder {
    pub fn open(dir: &Path) -> Result<Self, FrameError> {
        let io = |source| FrameError::Io { path: dir.to_owned(), source };
        let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
            .map_err(io)?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| {
                let ext = p.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
                matches!(ext.as_deref(), Some("png" | "jpg" | "jpeg"))
            })
            .collect();
        paths.sort();
        Ok(Self { paths: paths.into_iter(), shown: 0 })
    }
}

impl FrameSource for ImageFolder {
    fn next_frame(&mut self) -> Result<Option<Frame>, FrameError> {
        let Some(path) = self.paths.next() else { return Ok(None) };
        self.shown += 1;
        let img = image::open(&path).map_err(|source| FrameError::Image { path, source })?;
        Ok(Some(Frame { image: img.into_luma8(), shown: self.shown }))
    }
}
