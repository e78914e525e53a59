//! A text field for secrets: the passphrase and the backup words.
//!
//! egui's `TextEdit` keeps copies of what is typed that we cannot wipe: its undo history
//! stores the whole text after each edit (password fields included), and its `String`
//! buffer reallocates as it grows, leaving the old bytes in freed memory. This field keeps
//! the secret in one [`SecretText`] whose capacity is reserved up front (so typing never
//! moves it) and which is wiped when dropped; it has no undo, no copy or cut, and draws
//! bullets unless the user asks to see the text (the words, while typing them).

use eframe::egui;
use zeroize::{Zeroize, Zeroizing};

/// Room for the longest secret we take (25 Monero words are under 250 bytes); growing
/// past it still works, the old buffer wiped before it is freed.
const RESERVED: usize = 1024;

/// A secret being typed, wiped on drop.
pub struct SecretText(Zeroizing<String>);

impl Default for SecretText {
    fn default() -> Self {
        SecretText(Zeroizing::new(String::with_capacity(RESERVED)))
    }
}

impl SecretText {
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Appends, moving to a larger buffer (and wiping the old one) only past the reserve.
    pub fn push_str(&mut self, text: &str) {
        if self.0.len() + text.len() > self.0.capacity() {
            let mut bigger = Zeroizing::new(String::with_capacity((self.0.len() + text.len()) * 2));
            bigger.push_str(&self.0);
            // The old buffer is zeroized when `Zeroizing` drops it.
            self.0 = bigger;
        }
        self.0.push_str(text);
    }

    /// Removes the last character, wiping its bytes.
    pub fn pop(&mut self) {
        if let Some(c) = self.0.pop() {
            // `pop` only moved the length: write NULs over the freed bytes (the capacity is
            // there, so nothing moves), then cut them off again.
            let len = self.0.len();
            self.0.push_str(&"\0\0\0\0"[..c.len_utf8()]);
            self.0.truncate(len);
        }
    }

    /// Wipes the text, keeping the reserved buffer.
    pub fn clear(&mut self) {
        self.0.zeroize();
    }

    /// Hands the secret over, leaving this field empty.
    pub fn take(&mut self) -> Zeroizing<String> {
        std::mem::take(self).0
    }
}

/// Draws the field and applies this frame's typing while it has focus. Single-line fields
/// ignore line breaks; the return value's `lost_focus()` with Enter works as for TextEdit.
/// A passphrase row: its label, then the hidden field the label names.
pub fn passphrase_row(ui: &mut egui::Ui, label: &str, secret: &mut SecretText) -> egui::Response {
    ui.horizontal(|ui| {
        let label = ui.label(label);
        secret_field(ui, secret, false, 1, 280.0).labelled_by(label.id)
    })
    .inner
}

pub fn secret_field(ui: &mut egui::Ui, secret: &mut SecretText, reveal: bool, rows: usize, width: f32) -> egui::Response {
    let row_height = ui.text_style_height(&egui::TextStyle::Monospace);
    let size = egui::vec2(width.min(ui.available_width()), row_height * rows as f32 + 8.0);
    let (rect, mut response) = ui.allocate_exact_size(size, egui::Sense::click());
    if response.clicked() {
        response.request_focus();
    }
    if response.has_focus() {
        let events = ui.input(|i| i.events.clone());
        for event in events {
            match event {
                egui::Event::Text(text) | egui::Event::Paste(text) => {
                    let text: String = text.chars().filter(|c| !c.is_control() || (rows > 1 && *c == '\n')).collect();
                    secret.push_str(&text);
                    response.mark_changed();
                }
                egui::Event::Key { key: egui::Key::Backspace, pressed: true, .. } => {
                    secret.pop();
                    response.mark_changed();
                }
                egui::Event::Key { key: egui::Key::Enter, pressed: true, .. } if rows > 1 => {
                    secret.push_str("\n");
                    response.mark_changed();
                }
                egui::Event::Key { key: egui::Key::Escape, pressed: true, .. } => response.surrender_focus(),
                _ => {}
            }
        }
    }
    let masked = "•".repeat(secret.as_str().chars().count());
    // Screen readers and the tests see the bullets, never the secret.
    response.widget_info(|| egui::WidgetInfo::text_edit(ui.is_enabled(), &masked, &masked, ""));
    if ui.is_rect_visible(rect) {
        let visuals = ui.style().interact(&response);
        let stroke = if response.has_focus() { ui.visuals().selection.stroke } else { visuals.bg_stroke };
        ui.painter().rect(rect, visuals.corner_radius, ui.visuals().extreme_bg_color, stroke, egui::StrokeKind::Inside);
        let inner = rect.shrink(4.0);
        let font = egui::TextStyle::Monospace.resolve(ui.style());
        let color = ui.visuals().text_color();
        let shown = if reveal { egui::WidgetText::from(egui::RichText::new(secret.as_str()).monospace()) } else { egui::WidgetText::from(egui::RichText::new(&masked).monospace()) };
        let galley = shown.into_galley(ui, Some(egui::TextWrapMode::Wrap), inner.width(), font);
        let end = inner.min + galley.rect.max.to_vec2();
        ui.painter().galley(inner.min, galley, color);
        if response.has_focus() {
            let caret = egui::Rect::from_min_size(egui::pos2(end.x + 1.0, end.y - row_height), egui::vec2(2.0, row_height));
            ui.painter().rect_filled(caret, 0.0, color);
        }
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typing_stays_in_one_buffer_and_is_wiped() {
        let mut s = SecretText::default();
        let start = s.as_str().as_ptr();
        for _ in 0..100 {
            s.push_str("word ");
        }
        assert_eq!(s.as_str().as_ptr(), start, "no reallocation within the reserve");
        s.pop();
        assert!(s.as_str().ends_with("word"));
        s.push_str("é");
        s.pop();
        assert!(s.as_str().ends_with("word"));
        let taken = s.take();
        assert_eq!(taken.len(), 499);
        assert!(s.is_empty());
    }

    #[test]
    fn growing_past_the_reserve_keeps_the_text() {
        let mut s = SecretText::default();
        let long = "x".repeat(RESERVED + 10);
        s.push_str("ab");
        s.push_str(&long);
        assert_eq!(s.as_str().len(), RESERVED + 12);
        assert!(s.as_str().starts_with("abx"));
        s.clear();
        assert!(s.is_empty());
    }
}
