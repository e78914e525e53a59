//! A software renderer for egui_kittest: rasterises egui's triangles on the CPU, so the
//! tests and the README's screenshots need no GPU, no wgpu build and no display.
//!
//! egui draws everything as textured triangles whose vertex alpha already carries the
//! anti-aliasing, so a plain rasteriser with premultiplied "over" blending in gamma space
//! (what egui's own renderers do) gives the picture the app shows.

use eframe::egui;
use egui::epaint::{ClippedPrimitive, ImageDelta, Primitive, TextureId};
use egui::{Color32, TextureFilter};
use egui_kittest::TestRenderer;
use image::RgbaImage;
use std::collections::HashMap;

struct Texture {
    size: [usize; 2],
    pixels: Vec<Color32>,
    nearest: bool,
}

#[derive(Default)]
pub struct SoftRenderer {
    textures: HashMap<TextureId, Texture>,
}

impl Texture {
    fn apply(&mut self, delta: &ImageDelta) {
        let egui::ImageData::Color(image) = &delta.image;
        match delta.pos {
            None => {
                self.size = image.size;
                self.pixels = image.pixels.clone();
            }
            Some([x0, y0]) => {
                for y in 0..image.size[1] {
                    for x in 0..image.size[0] {
                        if x0 + x < self.size[0] && y0 + y < self.size[1] {
                            self.pixels[(y0 + y) * self.size[0] + x0 + x] = image.pixels[y * image.size[0] + x];
                        }
                    }
                }
            }
        }
        self.nearest = delta.options.magnification == TextureFilter::Nearest;
    }

    fn texel(&self, x: isize, y: isize) -> [f32; 4] {
        let x = x.clamp(0, self.size[0] as isize - 1) as usize;
        let y = y.clamp(0, self.size[1] as isize - 1) as usize;
        let c = self.pixels[y * self.size[0] + x];
        [c.r() as f32, c.g() as f32, c.b() as f32, c.a() as f32]
    }

    /// Samples at normalised (u, v): nearest or bilinear, as the texture asks.
    fn sample(&self, u: f32, v: f32) -> [f32; 4] {
        if self.size[0] == 0 || self.size[1] == 0 {
            return [255.0; 4];
        }
        let (x, y) = (u * self.size[0] as f32 - 0.5, v * self.size[1] as f32 - 0.5);
        if self.nearest {
            return self.texel(x.round() as isize, y.round() as isize);
        }
        let (x0, y0) = (x.floor(), y.floor());
        let (fx, fy) = (x - x0, y - y0);
        let (x0, y0) = (x0 as isize, y0 as isize);
        let [a, b, c, d] = [self.texel(x0, y0), self.texel(x0 + 1, y0), self.texel(x0, y0 + 1), self.texel(x0 + 1, y0 + 1)];
        std::array::from_fn(|i| (a[i] * (1.0 - fx) + b[i] * fx) * (1.0 - fy) + (c[i] * (1.0 - fx) + d[i] * fx) * fy)
    }
}

impl TestRenderer for SoftRenderer {
    fn handle_delta(&mut self, delta: &mut egui::TexturesDelta) {
        for (id, deltas) in delta.set.drain() {
            let texture = self.textures.entry(id).or_insert(Texture { size: [0, 0], pixels: Vec::new(), nearest: false });
            for image_delta in deltas {
                texture.apply(&image_delta);
            }
        }
        for id in delta.free.drain() {
            self.textures.remove(&id);
        }
    }

    fn render(&mut self, ctx: &egui::Context, output: &egui::FullOutput) -> Result<RgbaImage, String> {
        let ppp = ctx.pixels_per_point();
        let size = ctx.content_rect().size() * ppp;
        let (w, h) = (size.x.round() as u32, size.y.round() as u32);
        let background = ctx.global_style().visuals.panel_fill;
        let mut canvas: Vec<[f32; 4]> = vec![[background.r() as f32, background.g() as f32, background.b() as f32, 255.0]; (w * h) as usize];
        for ClippedPrimitive { clip_rect, primitive } in ctx.tessellate(output.shapes.clone(), ppp) {
            let Primitive::Mesh(mesh) = primitive else { continue };
            let Some(texture) = self.textures.get(&mesh.texture_id) else { continue };
            let clip = [
                (clip_rect.min.x * ppp).max(0.0) as i64,
                (clip_rect.min.y * ppp).max(0.0) as i64,
                ((clip_rect.max.x * ppp).ceil() as i64).min(w as i64),
                ((clip_rect.max.y * ppp).ceil() as i64).min(h as i64),
            ];
            for tri in mesh.indices.chunks_exact(3) {
                let v = [tri[0], tri[1], tri[2]].map(|i| mesh.vertices[i as usize]);
                let p = v.map(|v| [v.pos.x * ppp, v.pos.y * ppp]);
                let area = edge(p[0], p[1], p[2]);
                if area.abs() < 1e-6 {
                    continue;
                }
                let min_x = (p.iter().map(|q| q[0]).fold(f32::MAX, f32::min).floor() as i64).max(clip[0]);
                let max_x = (p.iter().map(|q| q[0]).fold(f32::MIN, f32::max).ceil() as i64).min(clip[2]);
                let min_y = (p.iter().map(|q| q[1]).fold(f32::MAX, f32::min).floor() as i64).max(clip[1]);
                let max_y = (p.iter().map(|q| q[1]).fold(f32::MIN, f32::max).ceil() as i64).min(clip[3]);
                for y in min_y..max_y {
                    for x in min_x..max_x {
                        let c = [x as f32 + 0.5, y as f32 + 0.5];
                        let b = [edge(p[1], p[2], c) / area, edge(p[2], p[0], c) / area, edge(p[0], p[1], c) / area];
                        if b.iter().any(|&b| b < 0.0) {
                            continue;
                        }
                        let lerp = |f: &dyn Fn(&egui::epaint::Vertex) -> f32| b[0] * f(&v[0]) + b[1] * f(&v[1]) + b[2] * f(&v[2]);
                        let tex = texture.sample(lerp(&|v| v.uv.x), lerp(&|v| v.uv.y));
                        let col = [lerp(&|v| v.color.r() as f32), lerp(&|v| v.color.g() as f32), lerp(&|v| v.color.b() as f32), lerp(&|v| v.color.a() as f32)];
                        let src: [f32; 4] = std::array::from_fn(|i| tex[i] * col[i] / 255.0);
                        let dst = &mut canvas[(y as u32 * w + x as u32) as usize];
                        let keep = 1.0 - src[3] / 255.0;
                        for i in 0..4 {
                            dst[i] = src[i] + dst[i] * keep;
                        }
                    }
                }
            }
        }
        let bytes = canvas.iter().flat_map(|p| p.map(|c| c.round().clamp(0.0, 255.0) as u8)).collect();
        RgbaImage::from_raw(w, h, bytes).ok_or_else(|| "canvas size".to_owned())
    }
}

fn edge(a: [f32; 2], b: [f32; 2], c: [f32; 2]) -> f32 {
    (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])
}

