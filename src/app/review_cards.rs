//! The review before signing, laid out for checking rather than reading: one card per
//! transaction, what leaves the wallet and the fee in large type, each destination's
//! address in groups of four characters beside its amount and marked when it is our own,
//! and the warnings as banners above the approve button. Rendered from the chain's review
//! model (`chain::monero::review::Review`), which the CLI prints as text.
//!
//! "Approve and sign" waits until the last card has been on screen: in a batch, the user
//! has scrolled past every transaction before signing any.

use crate::chain::monero::keys::Network;
use crate::chain::monero::review::{format_xmr, Review, DECOY_NOTE};
use eframe::egui;

const WARN: egui::Color32 = egui::Color32::from_rgb(200, 120, 0);

/// "4AdU fiXk …": groups of four characters, which the eye compares with another screen or
/// a written address far better than a 95-character run.
pub fn group4(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    chars.chunks(4).map(|c| c.iter().collect::<String>()).collect::<Vec<_>>().join(" ")
}

/// A warning across the width, above the approve button.
pub fn banner(ui: &mut egui::Ui, color: egui::Color32, text: &str) {
    egui::Frame::new().fill(color.gamma_multiply(0.18)).stroke(egui::Stroke::new(1.5, color)).inner_margin(8.0).corner_radius(4.0).show(ui, |ui| {
        ui.set_width(ui.available_width());
        ui.label(egui::RichText::new(text).color(color).strong());
    });
}

/// The Monero review as cards; returns whether the last card has been on screen.
pub fn monero(ui: &mut egui::Ui, r: &Review) -> bool {
    let destinations: usize = r.transactions.iter().map(|t| t.destinations.iter().filter(|d| d.ours.is_none()).count()).sum();
    let network = egui::RichText::new(r.network.name()).size(18.0).strong();
    ui.horizontal_wrapped(|ui| {
        ui.label(egui::RichText::new(format!("Sending {} XMR to {destinations} other address(es), fee {} XMR, on", format_xmr(r.sent_to_others), format_xmr(r.fee))).size(18.0).strong());
        ui.label(if r.network == Network::Mainnet { network } else { network.color(WARN) });
    });
    let n = r.transactions.len();
    let mut last_seen = false;
    for (i, t) in r.transactions.iter().enumerate() {
        let leaving: u64 = t.destinations.iter().filter(|d| d.ours.is_none()).map(|d| d.amount).sum();
        let card = egui::Frame::group(ui.style()).inner_margin(10.0).show(ui, |ui| {
            ui.set_width(ui.available_width());
            ui.label(egui::RichText::new(format!("Transaction {} of {n}", i + 1)).weak());
            ui.label(egui::RichText::new(format!("{} XMR leaves this wallet", format_xmr(leaving))).size(26.0).strong());
            ui.label(egui::RichText::new(format!("fee {} XMR", format_xmr(t.fee))).size(20.0));
            ui.separator();
            for d in &t.destinations {
                destination(ui, d.amount, &d.address, d.ours.map(|(a, b)| format!("this wallet, subaddress {a}/{b}")));
            }
            match &t.change {
                Some(c) => destination(ui, c.amount, &c.address, Some("change back to this wallet (checked with its keys)".into())),
                None => {
                    ui.label("change: none");
                }
            }
            ui.collapsing(format!("{} input(s), {} XMR", t.inputs.len(), format_xmr(t.inputs.iter().map(|i| i.amount).sum())), |ui| {
                for input in &t.inputs {
                    ui.label(
                        egui::RichText::new(format!(
                            "{} XMR, ring of {}, subaddress {}/{}, key image {}…",
                            format_xmr(input.amount),
                            input.ring_size,
                            input.subaddress.0,
                            input.subaddress.1,
                            &input.key_image[..16.min(input.key_image.len())]
                        ))
                        .monospace(),
                    );
                }
            });
            if let Some(p) = &t.payment_id {
                ui.label(format!("payment ID {p} (the recipient's reference)"));
            }
        });
        if i + 1 == n {
            // Seen once its bottom edge is in view: the whole of the last card has scrolled by.
            let (view, rect) = (ui.clip_rect(), card.response.rect);
            last_seen = rect.max.y <= view.max.y && rect.max.y >= view.min.y;
        }
    }
    ui.label(egui::RichText::new(format!("Total sent to others {} XMR · total fee {} XMR", format_xmr(r.sent_to_others), format_xmr(r.fee))).strong());
    // Banners: what could make this signature a mistake, then what is trusted, not verified.
    if r.network != Network::Mainnet {
        banner(ui, WARN, &format!("This is a {} transaction, not mainnet: its coins have no value on mainnet.", r.network.name()));
    }
    for note in &r.notes {
        let text = if note == DECOY_NOTE { format!("Trusted, not verified: {note}") } else { note.clone() };
        banner(ui, WARN, &text);
    }
    last_seen
}

/// One destination: the amount, then the address in groups of four, and whose it is.
fn destination(ui: &mut egui::Ui, amount: u64, address: &str, ours: Option<String>) {
    ui.horizontal_wrapped(|ui| {
        ui.label(egui::RichText::new(format!("{} XMR", format_xmr(amount))).size(18.0).strong());
        match &ours {
            Some(o) => ui.label(egui::RichText::new(format!("to {o}")).color(egui::Color32::from_rgb(0, 140, 60))),
            None => ui.label("to"),
        };
    });
    ui.add(egui::Label::new(egui::RichText::new(group4(address)).monospace().size(15.0)).wrap());
}

#[cfg(test)]
mod tests {
    use super::group4;

    #[test]
    fn addresses_are_grouped_by_four() {
        assert_eq!(group4("4AdUndXHHZ9"), "4AdU ndXH HZ9");
        assert_eq!(group4(""), "");
        assert_eq!(group4("abcd"), "abcd");
    }
}
