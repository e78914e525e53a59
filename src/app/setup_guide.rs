//! The offline app's first run: a short guided path to a new wallet, one question per step
//! (what it holds, the network, create or restore, name and passphrase), and for a new
//! wallet the backup words shown once and three of them typed back before anything is
//! stored. The guide only gathers; the app stores the result (Argon2id on a worker thread)
//! and then shows what the online side needs.

use super::secret_field::{passphrase_row, secret_field, SecretText};
use super::widgets::text_row;
use crate::chain::monero::keys::{Network, WalletKeys};
use crate::chain::xrpl::keys::{wallet_propose, KeyType, Seed};
use eframe::egui;
use zeroize::Zeroizing;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Chain {
    Monero,
    Xrpl,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Origin {
    Create,
    Restore,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Step {
    Chain,
    Network,
    Origin,
    Protect,
    Words,
    Confirm,
}

/// The keys the guide made or restored.
pub enum NewSecret {
    Monero(WalletKeys),
    Xrpl(Seed),
}

/// What the guide hands the app to store.
pub struct NewWallet {
    pub name: String,
    pub passphrase: Zeroizing<String>,
    pub secret: NewSecret,
    /// Made here (the words were shown and checked) rather than restored.
    pub created: bool,
}

pub enum Outcome {
    Continue,
    Cancel,
    Store(NewWallet),
}

/// How many words the user types back: enough to catch a skipped or misspelt word, few
/// enough not to be a chore (Sparrow and Cake ask for a handful too).
const CHECKED_WORDS: usize = 3;

pub struct SetupGuide {
    step: Step,
    chain: Chain,
    network: Network,
    origin: Origin,
    backup: SecretText,
    show_backup: bool,
    name: String,
    passphrase: SecretText,
    again: SecretText,
    /// A new wallet's keys and their words, made when the name and passphrase are chosen.
    made: Option<(NewSecret, Zeroizing<String>)>,
    /// The 1-based positions asked for, in order, with what was typed.
    quiz: Vec<(usize, SecretText)>,
    error: Option<String>,
}

impl Default for SetupGuide {
    fn default() -> Self {
        SetupGuide {
            step: Step::Chain,
            chain: Chain::Monero,
            network: Network::Mainnet,
            origin: Origin::Create,
            backup: SecretText::default(),
            show_backup: false,
            name: String::new(),
            passphrase: SecretText::default(),
            again: SecretText::default(),
            made: None,
            quiz: Vec::new(),
            error: None,
        }
    }
}

impl SetupGuide {
    fn steps(&self) -> Vec<Step> {
        let mut steps = vec![Step::Chain];
        if self.chain == Chain::Monero {
            steps.push(Step::Network);
        }
        steps.extend([Step::Origin, Step::Protect]);
        if self.origin == Origin::Create {
            steps.extend([Step::Words, Step::Confirm]);
        }
        steps
    }

    fn go(&mut self, by: isize) {
        let steps = self.steps();
        let at = steps.iter().position(|s| *s == self.step).unwrap_or(0) as isize;
        if let Some(s) = usize::try_from(at + by).ok().and_then(|i| steps.get(i)) {
            self.step = *s;
        }
        self.error = None;
    }

    /// Draws the current step. `taken` says whether a wallet name is already in the keystore.
    pub fn ui(&mut self, ui: &mut egui::Ui, taken: &dyn Fn(&str) -> bool) -> Outcome {
        let steps = self.steps();
        let at = steps.iter().position(|s| *s == self.step).unwrap_or(0);
        let title = match self.step {
            Step::Chain => "what the wallet holds",
            Step::Network => "the network",
            Step::Origin => "a new wallet, or one you have",
            Step::Protect => "a name and a passphrase",
            Step::Words => "write the words down",
            Step::Confirm => "check your copy",
        };
        ui.heading(format!("Set up a wallet · step {} of {}: {title}", at + 1, steps.len()));
        ui.add_space(6.0);
        let mut outcome = Outcome::Continue;
        let (mut next, mut back) = (false, false);
        match self.step {
            Step::Chain => {
                ui.radio_value(&mut self.chain, Chain::Monero, "Monero");
                ui.radio_value(&mut self.chain, Chain::Xrpl, "XRP Ledger");
                ui.label("You can add wallets for the other later: the keystore holds several.");
            }
            Step::Network => {
                for (n, note) in [
                    (Network::Mainnet, "real XMR"),
                    (Network::Stagenet, "coins without value, for practice; addresses start with 5"),
                    (Network::Testnet, "coins without value, for developers; addresses start with 9"),
                ] {
                    ui.radio_value(&mut self.network, n, format!("{} ({note})", n.name()));
                }
                ui.label("The network is part of every address: a stagenet wallet cannot receive real XMR.");
            }
            Step::Origin => {
                ui.radio_value(&mut self.origin, Origin::Create, "Create a new wallet (new words are made on this computer)");
                ui.radio_value(&mut self.origin, Origin::Restore, "Restore a wallet from its backup");
                if self.origin == Origin::Restore {
                    let what = match self.chain {
                        Chain::Monero => "Its 25 words",
                        Chain::Xrpl => "Its secret (s..., 12 RFC 1751 words, or hex)",
                    };
                    let label = ui
                        .horizontal(|ui| {
                            let label = ui.label(what);
                            ui.checkbox(&mut self.show_backup, "show them as I type");
                            label
                        })
                        .inner;
                    secret_field(ui, &mut self.backup, self.show_backup, 3, f32::INFINITY).labelled_by(label.id);
                }
            }
            Step::Protect => {
                ui.label("The passphrase encrypts the keys on this computer (Argon2id): you type it each time you unlock. It is not part of the backup words.");
                text_row(ui, "Wallet name", &mut self.name);
                passphrase_row(ui, "Passphrase", &mut self.passphrase);
                passphrase_row(ui, "Passphrase again", &mut self.again);
            }
            Step::Words => {
                ui.label("These words are the wallet: anyone who has them can spend, and without them a lost computer means lost funds. Write them on paper, in order. They are shown only now and never stored in clear.");
                if let Some((_, words)) = &self.made {
                    ui.add(egui::Label::new(egui::RichText::new(numbered(words)).monospace().size(18.0)).wrap());
                }
            }
            Step::Confirm => {
                ui.label("Type these words from your paper copy, to be sure it is complete and readable.");
                for (position, typed) in &mut self.quiz {
                    ui.horizontal(|ui| {
                        let label = ui.label(format!("Word {position}"));
                        secret_field(ui, typed, true, 1, 200.0).labelled_by(label.id);
                    });
                }
            }
        }
        if let Some(e) = &self.error {
            ui.colored_label(egui::Color32::RED, e);
        }
        ui.add_space(6.0);
        ui.horizontal(|ui| {
            let first = at == 0;
            if ui.button(if first { "Cancel" } else { "Back" }).clicked() {
                if first {
                    outcome = Outcome::Cancel;
                } else {
                    back = true;
                }
            }
            let label = match self.step {
                Step::Words => "I have written them down",
                Step::Confirm => "Confirm and store",
                Step::Protect if self.origin == Origin::Restore => "Restore and store",
                _ => "Next",
            };
            next = ui.button(label).clicked();
        });
        if back {
            if self.step == Step::Words {
                // Going back past the words forgets them: a new wallet gets new words.
                self.made = None;
            }
            self.go(-1);
        } else if next {
            match self.advance(taken) {
                Ok(Some(done)) => outcome = Outcome::Store(done),
                Ok(None) => {}
                Err(e) => self.error = Some(e),
            }
        }
        outcome
    }

    /// The checks of the current step, then the next step (or the wallet, at the end).
    fn advance(&mut self, taken: &dyn Fn(&str) -> bool) -> Result<Option<NewWallet>, String> {
        match self.step {
            Step::Origin if self.origin == Origin::Restore => {
                self.restored()?;
            }
            Step::Protect => {
                let name = self.name.trim();
                if name.is_empty() || name.contains(['/', '\\']) {
                    return Err("choose a name (letters, digits; no slashes)".into());
                }
                if taken(name) {
                    return Err(format!("the keystore already has a wallet named '{name}'"));
                }
                if self.passphrase.is_empty() {
                    return Err("choose a passphrase".into());
                }
                if self.passphrase.as_str() != self.again.as_str() {
                    self.again.clear();
                    return Err("the two passphrases differ: type it again".into());
                }
                if self.origin == Origin::Restore {
                    let secret = self.restored()?;
                    return Ok(Some(self.finish(secret, false)));
                }
                self.made = Some(self.make()?);
            }
            Step::Words => {
                let count = self.made.as_ref().map_or(0, |(_, w)| w.split_whitespace().count());
                self.quiz = quiz_positions(count, CHECKED_WORDS)?.into_iter().map(|p| (p, SecretText::default())).collect();
            }
            Step::Confirm => {
                let Some((_, words)) = &self.made else { return Err("the words are gone: go back".into()) };
                let words: Vec<&str> = words.split_whitespace().collect();
                for (position, typed) in &mut self.quiz {
                    let expected = words.get(*position - 1).copied().unwrap_or_default();
                    if !typed.as_str().trim().eq_ignore_ascii_case(expected) {
                        // Emptied, so the next try is typed afresh rather than appended.
                        typed.clear();
                        return Err(format!("word {position} is not the one shown: check your copy (Back shows the words again)"));
                    }
                }
                let Some((secret, _)) = self.made.take() else { return Err("the words are gone: go back".into()) };
                return Ok(Some(self.finish(secret, true)));
            }
            _ => {}
        }
        self.go(1);
        Ok(None)
    }

    fn restored(&self) -> Result<NewSecret, String> {
        let text = self.backup.as_str().trim();
        if text.is_empty() {
            return Err("type the backup first".into());
        }
        match self.chain {
            Chain::Monero => WalletKeys::from_mnemonic(text, self.network).map(NewSecret::Monero).map_err(|e| e.to_string()),
            Chain::Xrpl => Seed::parse(text, None).map(NewSecret::Xrpl).map_err(|e| e.to_string()),
        }
    }

    fn make(&self) -> Result<(NewSecret, Zeroizing<String>), String> {
        match self.chain {
            Chain::Monero => {
                let keys = WalletKeys::generate(self.network).map_err(|e| e.to_string())?;
                let words = keys.mnemonic();
                Ok((NewSecret::Monero(keys), words))
            }
            Chain::Xrpl => {
                let seed = Seed::random(KeyType::Secp256k1).map_err(|e| e.to_string())?;
                let words = wallet_propose(&seed).master_key;
                Ok((NewSecret::Xrpl(seed), words))
            }
        }
    }

    fn finish(&mut self, secret: NewSecret, created: bool) -> NewWallet {
        self.backup.clear();
        self.again.clear();
        NewWallet { name: self.name.trim().to_owned(), passphrase: self.passphrase.take(), secret, created }
    }
}

/// "1. word  2. word ..." in rows of four, so a word's position is read off, not counted.
fn numbered(words: &str) -> String {
    let list: Vec<String> = words.split_whitespace().enumerate().map(|(i, w)| format!("{:>2}. {w:<12}", i + 1)).collect();
    list.chunks(4).map(|row| row.concat().trim_end().to_owned()).collect::<Vec<_>>().join("\n")
}

/// `n` distinct positions in 1..=count, in increasing order, from the OS's randomness.
fn quiz_positions(count: usize, n: usize) -> Result<Vec<usize>, String> {
    if count < n {
        return Err("no words to check".into());
    }
    let mut picked = Vec::with_capacity(n);
    while picked.len() < n {
        let mut b = [0u8; 8];
        getrandom::fill(&mut b).map_err(|e| e.to_string())?;
        let p = (u64::from_le_bytes(b) % count as u64) as usize + 1;
        if !picked.contains(&p) {
            picked.push(p);
        }
    }
    picked.sort_unstable();
    Ok(picked)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_words_are_numbered_in_rows_of_four() {
        let text = numbered("a b c d e");
        assert_eq!(text, " 1. a            2. b            3. c            4. d\n 5. e");
    }

    #[test]
    fn quiz_positions_are_distinct_sorted_and_in_range() {
        for _ in 0..200 {
            let p = quiz_positions(25, 3).unwrap();
            assert_eq!(p.len(), 3);
            assert!(p.windows(2).all(|w| w[0] < w[1]));
            assert!(p.iter().all(|&x| (1..=25).contains(&x)));
        }
        assert!(quiz_positions(2, 3).is_err());
    }
}
