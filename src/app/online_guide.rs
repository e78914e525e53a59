//! The online app's first run: what this computer watches, the node it asks, then the
//! offline side's QR (the view-only wallet or the account), after which the first sync
//! starts by itself. The guide draws the first two steps; the last hands over to the
//! screens that already do the work (the Monero area's create-by-scan, the account scan).

use super::widgets::Job;
use eframe::egui;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Watch {
    Monero,
    Xrpl,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Step {
    Chain,
    Node,
    Scan,
}

/// What the guide asks the app to do.
pub enum Action {
    None,
    /// Leave the guide for the full home screen.
    Skip,
}

pub struct OnlineGuide {
    pub step: Step,
    pub watch: Watch,
    /// A node check in flight, or what the last one found.
    check: Option<Job<String>>,
    checked: Option<Result<String, String>>,
}

impl Default for OnlineGuide {
    fn default() -> Self {
        OnlineGuide { step: Step::Chain, watch: Watch::Monero, check: None, checked: None }
    }
}

/// Asks the node for its height: enough to know the URL is right and the node is up.
fn check_node(watch: Watch, url: String) -> Result<String, String> {
    match watch {
        Watch::Monero => {
            let daemon = crate::wallet::monero::daemon::Daemon::connect(&url).map_err(|e| e.to_string())?;
            let height = daemon.height().map_err(|e| e.to_string())?;
            Ok(format!("monerod answers: {height} blocks"))
        }
        Watch::Xrpl => {
            let client = crate::wallet::xrpl::RippledClient::new(crate::wallet::xrpl::HttpTransport::new(&url));
            let ledger = client.validated_ledger_index().map_err(|e| e.to_string())?;
            Ok(format!("rippled answers: validated ledger {ledger}"))
        }
    }
}

impl OnlineGuide {
    fn heading(&self, ui: &mut egui::Ui) {
        let (n, title) = match self.step {
            Step::Chain => (1, "what this computer watches"),
            Step::Node => (2, "the node"),
            Step::Scan => (3, "the offline side's QR"),
        };
        ui.heading(format!("Set up · step {n} of 3: {title}"));
        ui.add_space(6.0);
    }

    /// Steps 1 and 2. `url` is the node URL field of the chosen chain (the app's own, so
    /// that what is typed here is what the app uses afterwards).
    pub fn ui(&mut self, ui: &mut egui::Ui, url: &mut String) -> Action {
        self.heading(ui);
        let mut action = Action::None;
        match self.step {
            Step::Chain => {
                ui.label("This computer talks to the network and never holds keys: it watches what the offline computer's keys own and carries transactions to and fro.");
                ui.radio_value(&mut self.watch, Watch::Monero, "Monero (a view-only wallet)");
                ui.radio_value(&mut self.watch, Watch::Xrpl, "XRP Ledger (an account)");
                ui.horizontal(|ui| {
                    if ui.button("Skip the guide").clicked() {
                        action = Action::Skip;
                    }
                    if ui.button("Next").clicked() {
                        self.step = Step::Node;
                        self.checked = None;
                    }
                });
            }
            Step::Node => {
                let (label, hint, why) = match self.watch {
                    Watch::Monero => ("monerod URL", "http://127.0.0.1:18081", "Your own node is best: a remote node learns which outputs you ask about and when you broadcast."),
                    Watch::Xrpl => ("rippled URL", "https://s1.ripple.com:51234", "The node reports your account's Sequence and ledger, and submits what the offline side signed."),
                };
                ui.label(why);
                ui.horizontal(|ui| {
                    let l = ui.label(label);
                    ui.add(egui::TextEdit::singleline(url).hint_text(hint).desired_width(360.0)).labelled_by(l.id);
                });
                if url.trim().is_empty() {
                    *url = hint.to_owned();
                }
                if let Some(job) = &mut self.check {
                    if let Some(done) = job.ui(ui) {
                        self.checked = Some(done);
                        self.check = None;
                    }
                }
                match &self.checked {
                    Some(Ok(s)) => {
                        ui.colored_label(egui::Color32::from_rgb(0, 130, 0), s);
                    }
                    Some(Err(e)) => {
                        ui.colored_label(egui::Color32::RED, format!("no answer: {e}"));
                    }
                    None => {}
                }
                ui.horizontal(|ui| {
                    if ui.button("Back").clicked() {
                        self.step = Step::Chain;
                    }
                    if ui.add_enabled(self.check.is_none(), egui::Button::new("Check the node")).clicked() {
                        let (watch, url) = (self.watch, url.trim().to_owned());
                        self.checked = None;
                        self.check = Some(Job::spawn("asking the node", move || check_node(watch, url)));
                    }
                    if ui.button("Next").clicked() {
                        self.step = Step::Scan;
                    }
                });
            }
            Step::Scan => {}
        }
        action
    }

    /// The heading and the words of step 3; the app draws the scan controls under them.
    pub fn scan_intro(&self, ui: &mut egui::Ui) {
        self.heading(ui);
        match self.watch {
            Watch::Monero => {
                ui.label("On the offline computer: unlock the wallet and choose Show view-only wallet (a new wallet shows it at the end of its set-up). Choose a passphrase here to seal the view key on this computer, then scan. The first sync starts by itself.");
            }
            Watch::Xrpl => {
                ui.label("On the offline computer: unlock the account and choose Show account (a new account shows it at the end of its set-up). Then scan it here; airsign reads the account's state from the node right after.");
            }
        }
    }
}
