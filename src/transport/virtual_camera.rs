//! A camera that films a screen playing an animated QR sequence, with the faults of a real
//! webcam applied deterministically from a seed. Each fault is one parameter of
//! [`Degradation`]; the named conditions combine them (`webcam` and `phone` are a laptop
//! webcam and a hand-held phone filming a laptop screen, with the sources of their numbers in
//! docs/camera-conditions.md).
//!
//! The pipeline, per camera frame: the screen (the code, rotated and tilted, and the screen's
//! pixel grid) -> the exposure (with display timing, a frame whose exposure spans a switch of
//! code sees both, blended by time or, with a rolling shutter, row by row) -> the optics
//! (defocus disc, motion blur, Gaussian blur) -> light (glare, uneven lighting, contrast) ->
//! the sensor (noise, 8 bits) -> MJPEG compression.

use super::frames::{Frame, FrameError, FrameSource};
use super::qr::{self, EcLevel, Symbol, QUIET_ZONE_MODULES};
use image::GrayImage;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::VecDeque;

/// How the camera degrades what it films. `Default` is a perfect camera that takes one frame
/// per code shown.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Degradation {
    /// Gaussian blur sigma in pixels (lens softness).
    pub blur_sigma: f32,
    /// Sensor noise: Gaussian sigma in gray levels (0-255).
    pub noise_sigma: f32,
    /// 1.0 = black on white; 0.4 = a dim, washed-out screen.
    pub contrast: f32,
    /// Brightness falls by this fraction from the left edge to the right (vignetting).
    pub uneven: f32,
    /// Rotation of the screen in degrees.
    pub rotation_deg: f32,
    /// Perspective: the near edge of the code is this fraction larger than the far edge / 2.
    pub tilt: f32,
    /// Fraction of frames the camera loses (0.0-1.0).
    pub drop_rate: f64,
    /// MJPEG compression at this quality (1-100, as libjpeg's scale); 0 = none.
    pub jpeg_quality: u8,
    /// Defocus: radius in pixels of the disc a point becomes (0 = in focus).
    pub defocus_px: f32,
    /// Motion blur: length in pixels of the path the picture moves during the exposure.
    pub motion_px: f32,
    /// Direction of that motion in degrees (0 = left to right).
    pub motion_deg: f32,
    /// The screen's pixel pitch in camera pixels (0 = no visible grid). Below about 2 the
    /// camera undersamples the grid and it shows as moire.
    pub screen_pitch_px: f32,
    /// How dark the gaps between screen pixels are (0-1; 0.25 = a typical LCD's black matrix
    /// seen slightly out of focus).
    pub grid_depth: f32,
    /// Glare: a bright, low-contrast patch (a lamp's reflection); its peak strength 0-1.
    pub glare: f32,
    /// Display timing: codes shown per second; 0 = every camera frame sees the next code, whole.
    pub display_fps: f32,
    /// Camera frames per second (with `display_fps`).
    pub camera_fps: f32,
    /// Exposure time of each row, in milliseconds.
    pub exposure_ms: f32,
    /// Rolling shutter: time from the first row's exposure to the last's; 0 = global shutter.
    pub readout_ms: f32,
}

impl Default for Degradation {
    fn default() -> Self {
        Self {
            blur_sigma: 0.0,
            noise_sigma: 0.0,
            contrast: 1.0,
            uneven: 0.0,
            rotation_deg: 0.0,
            tilt: 0.0,
            drop_rate: 0.0,
            jpeg_quality: 0,
            defocus_px: 0.0,
            motion_px: 0.0,
            motion_deg: 0.0,
            screen_pitch_px: 0.0,
            grid_depth: 0.0,
            glare: 0.0,
            display_fps: 0.0,
            camera_fps: 30.0,
            exposure_ms: 0.0,
            readout_ms: 0.0,
        }
    }
}

impl Degradation {
    /// The named conditions the benchmarks, the demo and the decoder note use.
    pub fn named(name: &str) -> Option<Self> {
        let d = Self::default();
        Some(match name {
            "clean" => d,
            "blur" => Self { blur_sigma: 1.0, ..d },
            "noise" => Self { noise_sigma: 12.0, ..d },
            "lowcontrast" => Self { contrast: 0.35, uneven: 0.5, noise_sigma: 4.0, ..d },
            "tilt" => Self { rotation_deg: 7.0, tilt: 0.12, ..d },
            "combined" => Self { blur_sigma: 0.8, noise_sigma: 8.0, contrast: 0.6, uneven: 0.3, rotation_deg: 4.0, tilt: 0.08, ..d },
            // A 720p USB webcam (a laptop's, or a desk one) filming a laptop screen at 30-50
            // cm: MJPEG, 30 fps, rolling shutter, fixed focus slightly off at that range, the
            // laptop on a desk (little motion). Numbers and sources: docs/camera-conditions.md.
            "webcam" => Self {
                blur_sigma: 0.6,
                noise_sigma: 4.0,
                contrast: 0.75,
                uneven: 0.15,
                rotation_deg: 2.0,
                tilt: 0.04,
                jpeg_quality: 80,
                defocus_px: 1.0,
                motion_px: 0.8,
                motion_deg: 10.0,
                screen_pitch_px: 0.42,
                grid_depth: 0.25,
                glare: 0.25,
                camera_fps: 30.0,
                exposure_ms: 16.0,
                readout_ms: 25.0,
                ..d
            },
            // A phone held by hand 20-25 cm from a laptop screen: sharper optics (autofocus),
            // no MJPEG (scanners read the camera's YUV frames), more motion, stronger moire.
            "phone" => Self {
                blur_sigma: 0.5,
                noise_sigma: 3.0,
                contrast: 0.8,
                uneven: 0.1,
                rotation_deg: 6.0,
                tilt: 0.1,
                defocus_px: 0.5,
                motion_px: 2.5,
                motion_deg: 70.0,
                screen_pitch_px: 0.75,
                grid_depth: 0.3,
                glare: 0.3,
                camera_fps: 30.0,
                exposure_ms: 8.0,
                readout_ms: 20.0,
                ..d
            },
            _ => return None,
        })
    }

    pub const NAMES: [&'static str; 8] = ["clean", "blur", "noise", "lowcontrast", "tilt", "combined", "webcam", "phone"];

    /// How many camera pixels the player's code spans under a named condition (quiet zone
    /// included; the same at every QR version): a 720p laptop webcam 40 cm from a 15.6"
    /// screen, or a phone 22 cm from it (docs/camera-conditions.md). None for the synthetic
    /// conditions, which are measured at a fixed module size instead.
    pub fn code_px(name: &str) -> Option<f32> {
        match name {
            "webcam" => Some(250.0),
            "phone" => Some(440.0),
            _ => None,
        }
    }

    /// Whether this camera films on its own clock (a condition with an exposure time, such
    /// as `webcam` and `phone`), rather than taking one frame per code shown.
    pub fn has_own_clock(&self) -> bool {
        self.exposure_ms > 0.0
    }

    /// The same camera watching a screen that shows `fps` codes a second.
    pub fn with_display(self, fps: f32) -> Self {
        Self { display_fps: fps, ..self }
    }
}

/// Where the code sits and how large the camera sees it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Scene {
    pub width: u32,
    pub height: u32,
    /// Camera pixels per QR module (when `code_px` is 0).
    pub module_px: f32,
    /// The side of the code, quiet zone included, in camera pixels, whatever its version: a
    /// player shows every code at the same size on screen, so a larger version has smaller
    /// modules. 0 = use `module_px`.
    pub code_px: f32,
    /// Centre of the code as a fraction of the frame (0.5, 0.5 = centred).
    pub center: (f32, f32),
    pub ec: EcLevel,
    /// White margin around the code, in modules (QR asks for 4; players often show less).
    pub margin_modules: u32,
    /// Gray level of the area around the screen's white margin.
    pub background: u8,
}

impl Default for Scene {
    fn default() -> Self {
        Self {
            width: 1280,
            height: 720,
            module_px: 5.0,
            code_px: 0.0,
            center: (0.5, 0.5),
            ec: EcLevel::L,
            margin_modules: QUIET_ZONE_MODULES,
            background: 90,
        }
    }
}

impl Scene {
    /// Camera pixels per module for a symbol of `modules` modules a side.
    pub fn module_px_for(&self, modules: usize) -> f32 {
        if self.code_px > 0.0 {
            self.code_px / (modules as f32 + 2.0 * self.margin_modules as f32)
        } else {
            self.module_px
        }
    }
}

/// Plays parts through the scene and the degradation: one part per camera frame, or, with
/// `display_fps`, parts shown on a screen's clock and filmed on the camera's.
pub struct VirtualCamera<I: Iterator<Item = String>> {
    parts: I,
    scene: Scene,
    degradation: Degradation,
    seed: u64,
    shown: u64,
    /// Parts already taken from `parts`, with the index of the first.
    window: VecDeque<Option<Symbol>>,
    window_start: u64,
    exhausted: bool,
    /// Where in the display's cycle the camera's first frame falls (0-1), from the seed.
    phase: f64,
}

impl<I: Iterator<Item = String>> VirtualCamera<I> {
    pub fn new(parts: I, scene: Scene, degradation: Degradation, seed: u64) -> Self {
        let phase = ChaCha8Rng::seed_from_u64(seed ^ 0x5e_ed0f_c10c).random::<f64>();
        Self { parts, scene, degradation, seed, shown: 0, window: VecDeque::new(), window_start: 0, exhausted: false, phase }
    }

    /// Frames shown so far, dropped ones included.
    pub fn shown(&self) -> u64 {
        self.shown
    }

    /// The symbol of part `index` (None: too long for QR, the screen is blank), or Err when
    /// the parts ran out.
    fn part(&mut self, index: u64) -> Result<Option<Symbol>, ()> {
        while index >= self.window_start + self.window.len() as u64 {
            if self.exhausted {
                return Err(());
            }
            match self.parts.next() {
                Some(text) => self.window.push_back(qr::symbol(&text, self.scene.ec).ok()),
                None => {
                    self.exhausted = true;
                    return Err(());
                }
            }
        }
        // Time only moves on, but a frame asks for a code and the next one, and the frame
        // after may ask for the first again: one code is kept behind.
        while self.window_start + 1 < index {
            self.window.pop_front();
            self.window_start += 1;
        }
        Ok(index.checked_sub(self.window_start).and_then(|i| self.window.get(i as usize)).cloned().flatten())
    }

    /// Camera frame `frame`'s exposure in display periods: when the first row starts, how
    /// long each row is exposed, and how much later the last row starts.
    fn exposure(&self, frame: u64) -> (f64, f64, f64) {
        let d = &self.degradation;
        let period = 1.0 / d.display_fps as f64;
        let start = (frame as f64 / d.camera_fps.max(1.0) as f64 + self.phase * period) / period;
        let exposure = (d.exposure_ms as f64 / 1000.0 / period).max(1e-6);
        let readout = d.readout_ms as f64 / 1000.0 / period;
        (start, exposure, readout)
    }

    fn film_timed(&mut self, frame: u64, rng: &mut ChaCha8Rng) -> Result<GrayImage, ()> {
        let (start, exposure, readout) = self.exposure(frame);
        let h = self.scene.height as usize;
        let first = start.floor() as u64;
        let last = (start + readout + exposure).floor() as u64;
        let a = self.part(first)?;
        if last == first {
            return Ok(self.render(a.as_ref(), rng));
        }
        // Two codes at most: the conditions expose for less than a display period (a longer
        // exposure would see a third code, which this model leaves out).
        let b = self.part(first + 1)?;
        let switch = (first + 1) as f64;
        let weights: Vec<f32> = (0..h)
            .map(|y| {
                let row_start = start + readout * y as f64 / h.max(1) as f64;
                (((row_start + exposure - switch) / exposure).clamp(0.0, 1.0)) as f32
            })
            .collect();
        let la = screen(a.as_ref(), &self.scene, &self.degradation);
        let lb = screen(b.as_ref(), &self.scene, &self.degradation);
        let w = self.scene.width as usize;
        let lum: Vec<f32> = la.lum.iter().zip(&lb.lum).enumerate().map(|(i, (pa, pb))| pa + (pb - pa) * weights[i / w]).collect();
        let union = |p: (usize, usize, usize, usize), q: (usize, usize, usize, usize)| {
            if p.1 <= p.0 { q } else if q.1 <= q.0 { p } else { (p.0.min(q.0), p.1.max(q.1), p.2.min(q.2), p.3.max(q.3)) }
        };
        Ok(expose(Screen { lum, bounds: union(la.bounds, lb.bounds) }, &self.scene, &self.degradation, rng))
    }

    fn render(&self, symbol: Option<&Symbol>, rng: &mut ChaCha8Rng) -> GrayImage {
        expose(screen(symbol, &self.scene, &self.degradation), &self.scene, &self.degradation, rng)
    }
}

impl<I: Iterator<Item = String>> FrameSource for VirtualCamera<I> {
    fn next_frame(&mut self) -> Result<Option<Frame>, FrameError> {
        loop {
            let frame = self.shown;
            if self.degradation.display_fps <= 0.0 && self.part(frame).is_err() {
                return Ok(None);
            }
            self.shown += 1;
            let mut rng = frame_rng(self.seed, self.shown);
            if self.degradation.drop_rate > 0.0 && rng.random::<f64>() < self.degradation.drop_rate {
                continue;
            }
            let image = if self.degradation.display_fps > 0.0 {
                match self.film_timed(frame, &mut rng) {
                    Ok(image) => image,
                    Err(()) => return Ok(None),
                }
            } else {
                let sym = self.part(frame).ok().flatten();
                self.render(sym.as_ref(), &mut rng)
            };
            return Ok(Some(Frame { image, shown: self.shown }));
        }
    }
}

fn frame_rng(seed: u64, frame: u64) -> ChaCha8Rng {
    ChaCha8Rng::seed_from_u64(seed ^ frame.wrapping_mul(0x9E37_79B9_7F4A_7C15))
}

/// Renders one frame of `symbol` as the camera would see it.
pub fn film(symbol: &Symbol, scene: &Scene, d: &Degradation, rng: &mut ChaCha8Rng) -> GrayImage {
    expose(screen(Some(symbol), scene, d), scene, d, rng)
}

/// The screen as it reaches the lens: luminance 0-1 per camera pixel. `None` is a blank
/// screen (a part too long for QR shows nothing).
fn screen(symbol: Option<&Symbol>, scene: &Scene, d: &Degradation) -> Screen {
    let (w, h) = (scene.width as usize, scene.height as usize);
    let bg = scene.background as f32 / 255.0;
    let mut lum = vec![bg; w * h];
    let Some(symbol) = symbol else { return Screen { lum, bounds: (0, 0, 0, 0) } };
    let module_px = scene.module_px_for(symbol.width);
    let margin = scene.margin_modules as i64;
    let side_modules = symbol.width as f32 + 2.0 * margin as f32;
    let half = side_modules * module_px / 2.0;
    let (cx, cy) = (scene.center.0 * w as f32, scene.center.1 * h as f32);
    let (sin, cos) = d.rotation_deg.to_radians().sin_cos();
    let k = d.tilt / half.max(1.0);

    // Coverage of dark in [0,1] per pixel, 2x2 supersampled; the inverse of
    // code plane -> rotate -> perspective (x' = x/(1+kx), y' = y/(1+kx)) -> place.
    let reach = half * (1.0 + d.tilt.abs()) * std::f32::consts::SQRT_2 + 2.0;
    let (x0, x1) = (((cx - reach).floor().max(0.0)) as usize, ((cx + reach).ceil().max(0.0) as usize).min(w));
    let (y0, y1) = (((cy - reach).floor().max(0.0)) as usize, ((cy + reach).ceil().max(0.0) as usize).min(h));
    // The screen's pixel grid, seen by the camera: separable, each camera pixel averaging
    // 4x4 samples of "lit or gap" (the averaging is what aliases into moire).
    let grid = |n: usize| -> Vec<f32> {
        if d.screen_pitch_px <= 0.0 || d.grid_depth <= 0.0 {
            return vec![1.0; n];
        }
        (0..n)
            .map(|i| {
                let lit: f32 = (0..4)
                    .map(|s| {
                        let t = (i as f32 + (s as f32 + 0.5) / 4.0) / d.screen_pitch_px;
                        if t.fract() < 0.8 { 1.0 } else { 1.0 - d.grid_depth }
                    })
                    .sum();
                lit / 4.0
            })
            .collect()
    };
    let (gx, gy) = (grid(w), grid(h));
    for y in y0..y1 {
        for x in x0..x1 {
            let mut acc = 0.0;
            let mut inside = 0;
            for (sx, sy) in [(0.25, 0.25), (0.75, 0.25), (0.25, 0.75), (0.75, 0.75)] {
                let (xp, yp) = (x as f32 + sx - cx, y as f32 + sy - cy);
                let denom = 1.0 - k * xp;
                if denom <= 0.05 {
                    continue;
                }
                let px = xp / denom;
                let py = yp * (1.0 + k * px);
                let (u, v) = (cos * px + sin * py + half, -sin * px + cos * py + half);
                let (mu, mv) = (u / module_px, v / module_px);
                if mu < 0.0 || mv < 0.0 || mu >= side_modules || mv >= side_modules {
                    continue;
                }
                inside += 1;
                let (qx, qy) = (mu as i64 - margin, mv as i64 - margin);
                let dark = qx >= 0
                    && qy >= 0
                    && (qx as usize) < symbol.width
                    && (qy as usize) < symbol.width
                    && symbol.is_dark(qx as usize, qy as usize);
                acc += if dark { 0.0 } else { gx[x] * gy[y] };
            }
            if inside > 0 {
                lum[y * w + x] = (acc + bg * (4 - inside) as f32) / 4.0;
            }
        }
    }
    Screen { lum, bounds: (x0, x1, y0, y1) }
}

/// The screen as the lens sees it, and the part of the picture the code covers (x0..x1,
/// y0..y1): outside it the picture is the uniform background.
struct Screen {
    lum: Vec<f32>,
    bounds: (usize, usize, usize, usize),
}

/// Runs `blur` on the part of the picture around `bounds` only: elsewhere the picture is
/// uniform and every blur leaves it as it is. `pad` is the blur's reach in pixels.
fn blur_region(lum: &mut [f32], w: usize, h: usize, bounds: (usize, usize, usize, usize), pad: usize, blur: impl Fn(&[f32], usize, usize) -> Vec<f32>) {
    let (x0, x1, y0, y1) = bounds;
    if x1 <= x0 || y1 <= y0 {
        return;
    }
    let (cx0, cx1, cy0, cy1) = (x0.saturating_sub(pad), (x1 + pad).min(w), y0.saturating_sub(pad), (y1 + pad).min(h));
    let cw = cx1 - cx0;
    let crop: Vec<f32> = (cy0..cy1).flat_map(|y| lum[y * w + cx0..y * w + cx1].iter().copied()).collect();
    let out = blur(&crop, cw, cy1 - cy0);
    for (row, y) in (cy0..cy1).enumerate() {
        lum[y * w + cx0..y * w + cx1].copy_from_slice(&out[row * cw..(row + 1) * cw]);
    }
}

/// The exposure after the screen: optics, light, sensor and compression.
fn expose(screen: Screen, scene: &Scene, d: &Degradation, rng: &mut ChaCha8Rng) -> GrayImage {
    let (w, h) = (scene.width as usize, scene.height as usize);
    let Screen { mut lum, bounds } = screen;
    // Each blur spreads the code further: the next one's region grows by the last's reach.
    let mut pad = 2;
    if d.defocus_px > 0.0 {
        pad += d.defocus_px.ceil() as usize;
        blur_region(&mut lum, w, h, bounds, pad, |src, w, h| disc_blur(src, w, h, d.defocus_px));
    }
    if d.motion_px > 0.0 {
        pad += d.motion_px.ceil() as usize;
        blur_region(&mut lum, w, h, bounds, pad, |src, w, h| motion_blur(src, w, h, d.motion_px, d.motion_deg));
    }
    if d.blur_sigma > 0.0 {
        pad += (3.0 * d.blur_sigma).ceil() as usize;
        blur_region(&mut lum, w, h, bounds, pad, |src, w, h| {
            let mut v = src.to_vec();
            gaussian_blur(&mut v, w, h, d.blur_sigma);
            v
        });
    }
    // Glare: a lamp's reflection somewhere over the code, its place from the frame's seed.
    let (glare_x, glare_y, glare_r) = if d.glare > 0.0 {
        let (fx, fy): (f32, f32) = (rng.random(), rng.random());
        let side = scene.height.min(scene.width) as f32;
        (scene.width as f32 * (0.3 + 0.4 * fx), scene.height as f32 * (0.3 + 0.4 * fy), side * 0.12)
    } else {
        (0.0, 0.0, 1.0)
    };
    let mut out = GrayImage::new(scene.width, scene.height);
    let light: Vec<f32> = (0..w).map(|x| 1.0 - d.uneven * x as f32 / w as f32).collect();
    let glare_reach2 = (4.0 * glare_r).powi(2);
    // Sensor noise: a fast generator seeded from the frame's picks samples of one fixed
    // table of normal values (drawing each from the frame's ChaCha was half the frame's time).
    let normals = normal_table();
    let mut state = rng.random::<u64>() | 1;
    for (y, row) in out.as_mut().chunks_exact_mut(w.max(1)).enumerate() {
        for (x, px) in row.iter_mut().enumerate() {
            let mut l = lum[y * w + x];
            if d.glare > 0.0 {
                let dist2 = (x as f32 - glare_x).powi(2) + (y as f32 - glare_y).powi(2);
                if dist2 < glare_reach2 {
                    let a = d.glare * (-dist2 / (2.0 * glare_r * glare_r)).exp();
                    l += a * (1.0 - l);
                }
            }
            let v = (0.5 + (l - 0.5) * d.contrast) * light[x] * 255.0;
            let noise = if d.noise_sigma > 0.0 {
                // xorshift64*
                state ^= state >> 12;
                state ^= state << 25;
                state ^= state >> 27;
                normals[(state.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 48) as usize] * d.noise_sigma
            } else {
                0.0
            };
            *px = (v + noise).round().clamp(0.0, 255.0) as u8;
        }
    }
    if d.jpeg_quality > 0 {
        if let Some(round_trip) = mjpeg_luma(&out, d.jpeg_quality) {
            out = round_trip;
        }
    }
    out
}

/// A frame as a webcam's MJPEG stream carries it: baseline JPEG of the colour image
/// (YCbCr), at `quality` on libjpeg's scale.
pub fn mjpeg(frame: &GrayImage, quality: u8) -> Vec<u8> {
    let mut out = Vec::new();
    let colour = image::DynamicImage::ImageLuma8(frame.clone()).into_rgb8();
    // Writing to a Vec cannot fail for an image of valid size.
    let _ = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, quality.clamp(1, 100)).encode_image(&colour);
    out
}

/// The luma a camera's MJPEG frame decodes to: the same quantisation of the Y channel as
/// [`mjpeg`] (a grey picture has flat chroma), three times cheaper to make.
fn mjpeg_luma(frame: &GrayImage, quality: u8) -> Option<GrayImage> {
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, quality.clamp(1, 100)).encode_image(frame).ok()?;
    super::webcam::to_luma(super::webcam::Encoding::Mjpeg, frame.width(), frame.height(), &out).ok()
}

/// Defocus: every point becomes a uniform disc of `radius` pixels (edges clamped).
fn disc_blur(src: &[f32], w: usize, h: usize, radius: f32) -> Vec<f32> {
    let r = radius.ceil() as isize;
    // Weights: the area of each pixel inside the disc, 4x4 supersampled.
    let mut taps = Vec::new();
    for dy in -r..=r {
        for dx in -r..=r {
            let inside = (0..16)
                .filter(|s| {
                    let (sx, sy) = (dx as f32 + ((s % 4) as f32 + 0.5) / 4.0 - 0.5, dy as f32 + ((s / 4) as f32 + 0.5) / 4.0 - 0.5);
                    sx * sx + sy * sy <= radius * radius
                })
                .count();
            if inside > 0 {
                taps.push((dx, dy, inside as f32));
            }
        }
    }
    let total: f32 = taps.iter().map(|t| t.2).sum();
    let mut out = vec![0.0; w * h];
    for y in 0..h as isize {
        for x in 0..w as isize {
            let mut acc = 0.0;
            for &(dx, dy, weight) in &taps {
                let (xx, yy) = ((x + dx).clamp(0, w as isize - 1), (y + dy).clamp(0, h as isize - 1));
                acc += src[yy as usize * w + xx as usize] * weight;
            }
            out[y as usize * w + x as usize] = acc / total;
        }
    }
    out
}

/// Motion blur: the average of the picture along a straight path of `length` pixels in
/// direction `deg` (bilinear samples every half pixel).
fn motion_blur(src: &[f32], w: usize, h: usize, length: f32, deg: f32) -> Vec<f32> {
    let (sin, cos) = deg.to_radians().sin_cos();
    let steps = ((length * 2.0).ceil() as usize).max(1);
    let offsets: Vec<(f32, f32)> = (0..=steps)
        .map(|i| {
            let t = (i as f32 / steps as f32 - 0.5) * length;
            (t * cos, t * sin)
        })
        .collect();
    let sample = |x: f32, y: f32| {
        let (x, y) = (x.clamp(0.0, (w - 1) as f32), y.clamp(0.0, (h - 1) as f32));
        let (x0, y0) = (x.floor() as usize, y.floor() as usize);
        let (x1, y1) = ((x0 + 1).min(w - 1), (y0 + 1).min(h - 1));
        let (fx, fy) = (x - x0 as f32, y - y0 as f32);
        let top = src[y0 * w + x0] * (1.0 - fx) + src[y0 * w + x1] * fx;
        let bottom = src[y1 * w + x0] * (1.0 - fx) + src[y1 * w + x1] * fx;
        top * (1.0 - fy) + bottom * fy
    };
    let mut out = vec![0.0; w * h];
    for y in 0..h {
        for x in 0..w {
            let acc: f32 = offsets.iter().map(|(dx, dy)| sample(x as f32 + dx, y as f32 + dy)).sum();
            out[y * w + x] = acc / offsets.len() as f32;
        }
    }
    out
}

/// 65,536 standard normal samples (Box-Muller from a fixed seed), made once.
fn normal_table() -> &'static [f32] {
    static TABLE: std::sync::OnceLock<Vec<f32>> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        let mut rng = ChaCha8Rng::seed_from_u64(0x6e_6f69_7365);
        (0..32_768)
            .flat_map(|_| {
                let u1: f32 = rng.random::<f32>().max(f32::MIN_POSITIVE);
                let u2: f32 = rng.random();
                let r = (-2.0 * u1.ln()).sqrt();
                let (sin, cos) = (std::f32::consts::TAU * u2).sin_cos();
                [r * cos, r * sin]
            })
            .collect()
    })
}

/// Separable Gaussian blur, edges clamped.
fn gaussian_blur(buf: &mut [f32], w: usize, h: usize, sigma: f32) {
    let r = (3.0 * sigma).ceil() as isize;
    let kernel: Vec<f32> = (-r..=r).map(|i| (-(i * i) as f32 / (2.0 * sigma * sigma)).exp()).collect();
    let sum: f32 = kernel.iter().sum();
    let kernel: Vec<f32> = kernel.iter().map(|k| k / sum).collect();
    let mut tmp = vec![0.0; w * h];
    convolve(buf, &mut tmp, h, w, w, 1, &kernel); // rows
    convolve(&tmp, buf, w, h, 1, w, &kernel); // columns
}

/// 1-D convolution of `lines` lines of `len` samples; sample i of line l is at
/// `l * line_step + i * step`.
fn convolve(src: &[f32], dst: &mut [f32], lines: usize, len: usize, line_step: usize, step: usize, kernel: &[f32]) {
    let r = (kernel.len() / 2) as isize;
    for l in 0..lines {
        for i in 0..len {
            let mut acc = 0.0;
            for (j, k) in kernel.iter().enumerate() {
                let ii = (i as isize + j as isize - r).clamp(0, len as isize - 1) as usize;
                acc += src[l * line_step + ii * step] * k;
            }
            dst[l * line_step + i * step] = acc;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transport::qr::{decode, QrEngine};

    fn parts() -> impl Iterator<Item = String> {
        (0..).map(|i| format!("UR:BYTES/{i}-9/LPADASCFADAXCYWENBPLJKHDCAHKADAEMEJTSWHHYLKEPMYKHHTSYTSNOYOY"))
    }

    #[test]
    fn clean_frames_decode_and_are_deterministic() {
        let mut a = VirtualCamera::new(parts(), Scene::default(), Degradation::named("combined").unwrap(), 7);
        let mut b = VirtualCamera::new(parts(), Scene::default(), Degradation::named("combined").unwrap(), 7);
        let fa = a.next_frame().unwrap().unwrap();
        let fb = b.next_frame().unwrap().unwrap();
        assert_eq!((fa.image.width(), fa.image.height()), (1280, 720));
        assert!(fa.image == fb.image, "same seed, same frame");
        let mut c = VirtualCamera::new(parts(), Scene::default(), Degradation::default(), 7);
        let f = c.next_frame().unwrap().unwrap();
        assert_eq!(decode(&f.image, QrEngine::Rxing), vec![parts().next().unwrap()]);
    }

    fn small() -> Scene {
        Scene { width: 320, height: 240, module_px: 2.0, ..Default::default() }
    }

    #[test]
    fn a_rolling_shutter_frame_spanning_a_switch_has_the_top_of_one_code_and_the_bottom_of_the_next() {
        // 10 codes a second, 30 camera frames a second, 1 ms exposure, 30 ms readout: the
        // switch falls inside the readout of some frames, splitting them at one row.
        let d = Degradation { display_fps: 10.0, camera_fps: 30.0, exposure_ms: 1.0, readout_ms: 30.0, ..Default::default() };
        let sym = |i: usize| qr::symbol(&parts().nth(i).unwrap(), EcLevel::L).unwrap();
        let mut cam = VirtualCamera::new(parts().take(12), small(), d, 3);
        let mut split = 0;
        let mut frame_no = 0;
        while let Some(f) = cam.next_frame().unwrap() {
            let (start, _, readout) = cam.exposure(frame_no);
            let first = start.floor() as usize;
            let a = film(&sym(first), &small(), &Degradation::default(), &mut frame_rng(0, 0));
            if (start + readout).floor() as usize == first {
                assert!(f.image == a, "frame {frame_no} sees code {first} whole");
            } else {
                let b = film(&sym(first + 1), &small(), &Degradation::default(), &mut frame_rng(0, 0));
                let row_of_switch = (((first + 1) as f64 - start) / readout * 240.0) as u32;
                assert!(row_of_switch > 0 && row_of_switch < 240);
                for y in 0..240 {
                    let row = |img: &GrayImage| (0..320).map(|x| img.get_pixel(x, y)[0]).collect::<Vec<u8>>();
                    if y + 1 < row_of_switch {
                        assert_eq!(row(&f.image), row(&a), "frame {frame_no} row {y}: code {first}");
                    } else if y > row_of_switch + 1 {
                        assert_eq!(row(&f.image), row(&b), "frame {frame_no} row {y}: code {}", first + 1);
                    }
                }
                split += 1;
            }
            frame_no += 1;
        }
        // 12 codes at 10 fps = 1.2 s = 36 camera frames, less the last ones past the codes.
        assert!(frame_no >= 30, "{frame_no} frames");
        assert!(split >= 5, "{split} frames split across a switch");
    }

    #[test]
    fn a_global_shutter_frame_spanning_a_switch_blends_the_two_codes_by_time() {
        let d = Degradation { display_fps: 10.0, camera_fps: 30.0, exposure_ms: 20.0, ..Default::default() };
        let mut cam = VirtualCamera::new(parts().take(12), small(), d, 4);
        let mut blended = 0;
        let mut frame_no = 0;
        while let Some(f) = cam.next_frame().unwrap() {
            let (start, exposure, _) = cam.exposure(frame_no);
            let greys = f.image.pixels().filter(|p| p[0] > 5 && p[0] < 250 && p[0] != 90).count();
            if (start + exposure).floor() == start.floor() {
                // Whole code: only black, white, the background and the antialiased edges.
                assert!(greys < 2000, "frame {frame_no}: {greys} grey pixels");
            } else {
                let later = ((start + exposure).floor() - start) / exposure;
                // Modules dark in one code and light in the other are grey by that fraction.
                let want = (255.0 * later) as i32;
                let near = f.image.pixels().filter(|p| (p[0] as i32 - want).abs() <= 2 || (p[0] as i32 - (255 - want)).abs() <= 2).count();
                assert!(near > 2000, "frame {frame_no}: {near} pixels near {want}");
                blended += 1;
            }
            frame_no += 1;
        }
        assert!(blended >= 5, "{blended}");
    }

    #[test]
    fn optics_keep_the_light_and_soften_the_edges() {
        let sym = qr::symbol(&parts().next().unwrap(), EcLevel::L).unwrap();
        let sharp = screen(Some(&sym), &Scene::default(), &Degradation::default()).lum;
        let mean = |v: &[f32]| v.iter().sum::<f32>() / v.len() as f32;
        let step = |v: &[f32]| v.windows(2).map(|p| (p[1] - p[0]).abs()).fold(0.0f32, f32::max);
        for soft in [disc_blur(&sharp, 1280, 720, 2.0), motion_blur(&sharp, 1280, 720, 4.0, 30.0)] {
            assert!((mean(&soft) - mean(&sharp)).abs() < 0.002);
            assert!(step(&soft) < 0.6 * step(&sharp), "{} vs {}", step(&soft), step(&sharp));
        }
    }

    #[test]
    fn mjpeg_glare_and_the_screen_grid_change_the_frame_deterministically() {
        let sym = qr::symbol(&parts().next().unwrap(), EcLevel::L).unwrap();
        let base = film(&sym, &Scene::default(), &Degradation::default(), &mut frame_rng(1, 1));
        for d in [
            Degradation { jpeg_quality: 60, ..Default::default() },
            Degradation { glare: 0.5, ..Default::default() },
            Degradation { screen_pitch_px: 0.42, grid_depth: 0.3, ..Default::default() },
        ] {
            let a = film(&sym, &Scene::default(), &d, &mut frame_rng(1, 1));
            let b = film(&sym, &Scene::default(), &d, &mut frame_rng(1, 1));
            assert!(a == b, "{d:?} is deterministic");
            let changed = a.pixels().zip(base.pixels()).filter(|(p, q)| p[0].abs_diff(q[0]) > 8).count();
            assert!(changed > 1000, "{d:?} changed {changed} pixels");
            assert_eq!(decode(&a, QrEngine::Rxing), vec![parts().next().unwrap()], "{d:?}");
        }
    }

    #[test]
    fn the_webcam_and_phone_conditions_still_read_at_their_scale() {
        let text = parts().next().unwrap();
        let sym = qr::symbol(&text, EcLevel::L).unwrap();
        for (name, code_px) in [("webcam", 250.0), ("phone", 440.0)] {
            let scene = Scene { code_px, ..Scene::default() };
            let d = Degradation::named(name).unwrap();
            let read = (0..10).filter(|i| decode(&film(&sym, &scene, &d, &mut frame_rng(9, *i)), QrEngine::Rxing) == vec![text.clone()]).count();
            assert!(read >= 8, "{name}: {read}/10");
        }
    }

    #[test]
    fn drop_rate_skips_frames_but_counts_them() {
        let d = Degradation { drop_rate: 0.5, ..Default::default() };
        let mut cam = VirtualCamera::new(parts().take(200), Scene { width: 320, height: 240, module_px: 2.0, ..Default::default() }, d, 1);
        let mut delivered = 0;
        while cam.next_frame().unwrap().is_some() {
            delivered += 1;
        }
        assert_eq!(cam.shown(), 200);
        assert!((70..130).contains(&delivered), "delivered {delivered} of 200 at 50% loss");
    }
}
