//! A camera that films a screen playing an animated QR sequence, with the faults of a real
//! webcam applied deterministically from a seed: Gaussian blur, sensor noise, low contrast,
//! uneven lighting, a small rotation and perspective tilt, and dropped frames.

use super::frames::{Frame, FrameError, FrameSource};
use super::qr::{self, EcLevel, Symbol, QUIET_ZONE_MODULES};
use image::GrayImage;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// How the camera degrades what it films. `Default` is a perfect camera.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Degradation {
    /// Gaussian blur sigma in pixels (focus, motion).
    pub blur_sigma: f32,
    /// Sensor noise: Gaussian sigma in gray levels (0-255).
    pub noise_sigma: f32,
    /// 1.0 = black on white; 0.4 = a dim, washed-out screen.
    pub contrast: f32,
    /// Brightness falls by this fraction from the left edge to the right (glare, vignetting).
    pub uneven: f32,
    /// Rotation of the screen in degrees.
    pub rotation_deg: f32,
    /// Perspective: the near edge of the code is this fraction larger than the far edge / 2.
    pub tilt: f32,
    /// Fraction of frames the camera loses (0.0-1.0).
    pub drop_rate: f64,
}

impl Default for Degradation {
    fn default() -> Self {
        Self { blur_sigma: 0.0, noise_sigma: 0.0, contrast: 1.0, uneven: 0.0, rotation_deg: 0.0, tilt: 0.0, drop_rate: 0.0 }
    }
}

impl Degradation {
    /// The named conditions the benchmarks and the decoder note use.
    pub fn named(name: &str) -> Option<Self> {
        let d = Self::default();
        Some(match name {
            "clean" => d,
            "blur" => Self { blur_sigma: 1.0, ..d },
            "noise" => Self { noise_sigma: 12.0, ..d },
            "lowcontrast" => Self { contrast: 0.35, uneven: 0.5, noise_sigma: 4.0, ..d },
            "tilt" => Self { rotation_deg: 7.0, tilt: 0.12, ..d },
            "combined" => Self { blur_sigma: 0.8, noise_sigma: 8.0, contrast: 0.6, uneven: 0.3, rotation_deg: 4.0, tilt: 0.08, ..d },
            _ => return None,
        })
    }

    pub const NAMES: [&'static str; 6] = ["clean", "blur", "noise", "lowcontrast", "tilt", "combined"];
}

/// Where the code sits and how large the camera sees it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Scene {
    pub width: u32,
    pub height: u32,
    /// Camera pixels per QR module.
    pub module_px: f32,
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
        Self { width: 1280, height: 720, module_px: 5.0, center: (0.5, 0.5), ec: EcLevel::L, margin_modules: QUIET_ZONE_MODULES, background: 90 }
    }
}

/// Plays parts (one per frame) through the scene and the degradation.
pub struct VirtualCamera<I: Iterator<Item = String>> {
    parts: I,
    scene: Scene,
    degradation: Degradation,
    seed: u64,
    shown: u64,
}

impl<I: Iterator<Item = String>> VirtualCamera<I> {
    pub fn new(parts: I, scene: Scene, degradation: Degradation, seed: u64) -> Self {
        Self { parts, scene, degradation, seed, shown: 0 }
    }

    /// Frames shown so far, dropped ones included.
    pub fn shown(&self) -> u64 {
        self.shown
    }
}

impl<I: Iterator<Item = String>> FrameSource for VirtualCamera<I> {
    fn next_frame(&mut self) -> Result<Option<Frame>, FrameError> {
        loop {
            let Some(text) = self.parts.next() else { return Ok(None) };
            self.shown += 1;
            let mut rng = frame_rng(self.seed, self.shown);
            if self.degradation.drop_rate > 0.0 && rng.random::<f64>() < self.degradation.drop_rate {
                continue;
            }
            // A part too long for QR cannot be shown: the screen shows nothing that frame.
            let image = match qr::symbol(&text, self.scene.ec) {
                Ok(sym) => film(&sym, &self.scene, &self.degradation, &mut rng),
                Err(_) => GrayImage::from_pixel(self.scene.width, self.scene.height, image::Luma([self.scene.background])),
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
    let (w, h) = (scene.width as usize, scene.height as usize);
    let margin = scene.margin_modules as i64;
    let side_modules = symbol.width as f32 + 2.0 * margin as f32;
    let half = side_modules * scene.module_px / 2.0;
    let (cx, cy) = (scene.center.0 * w as f32, scene.center.1 * h as f32);
    let (sin, cos) = d.rotation_deg.to_radians().sin_cos();
    let k = d.tilt / half.max(1.0);
    let bg = scene.background as f32 / 255.0;

    // Coverage of dark in [0,1] per pixel, 2x2 supersampled; the inverse of
    // code plane -> rotate -> perspective (x' = x/(1+kx), y' = y/(1+kx)) -> place.
    let mut lum = vec![bg; w * h];
    let reach = half * (1.0 + d.tilt.abs()) * std::f32::consts::SQRT_2 + 2.0;
    let (x0, x1) = (((cx - reach).floor().max(0.0)) as usize, ((cx + reach).ceil() as usize).min(w));
    let (y0, y1) = (((cy - reach).floor().max(0.0)) as usize, ((cy + reach).ceil() as usize).min(h));
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
                let (mu, mv) = (u / scene.module_px, v / scene.module_px);
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
                acc += if dark { 0.0 } else { 1.0 };
            }
            if inside > 0 {
                lum[y * w + x] = (acc + bg * (4 - inside) as f32) / 4.0;
            }
        }
    }
    if d.blur_sigma > 0.0 {
        gaussian_blur(&mut lum, w, h, d.blur_sigma);
    }
    let mut out = GrayImage::new(scene.width, scene.height);
    for (i, px) in out.as_mut().iter_mut().enumerate() {
        let x = (i % w) as f32 / w as f32;
        let light = 1.0 - d.uneven * x;
        let v = (0.5 + (lum[i] - 0.5) * d.contrast) * light * 255.0;
        let noise = if d.noise_sigma > 0.0 { gaussian(rng) * d.noise_sigma } else { 0.0 };
        *px = (v + noise).round().clamp(0.0, 255.0) as u8;
    }
    out
}

/// Standard normal sample (Box-Muller).
fn gaussian(rng: &mut ChaCha8Rng) -> f32 {
    let u1: f32 = rng.random::<f32>().max(f32::MIN_POSITIVE);
    let u2: f32 = rng.random();
    (-2.0 * u1.ln()).sqrt() * (std::f32::consts::TAU * u2).cos()
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
