//! The XRPL protocol definitions the codec is driven by: `definitions.json`, taken unchanged
//! from npm `ripple-binary-codec` 2.11.0 (`dist/enums/definitions.json`, its `hash` field
//! 0F89957938A9185335A2ACD799EDDF3965F349E2E482A0CDD97094A1E4DB9FE7).

use serde::Deserialize;
use std::collections::HashMap;
use std::sync::OnceLock;

const DEFINITIONS_JSON: &str = include_str!("definitions.json");

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldDef {
    pub name: String,
    pub nth: u16,
    pub type_name: String,
    pub type_code: u16,
    pub is_vl_encoded: bool,
    pub is_serialized: bool,
    pub is_signing: bool,
}

impl FieldDef {
    /// Canonical order of fields in an object: by type code, then field code.
    pub fn ordinal(&self) -> (u16, u16) {
        (self.type_code, self.nth)
    }
}

/// Whether a transaction format lists a field as required.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Optionality {
    Required,
    Optional,
    Default,
}

pub struct Definitions {
    fields: HashMap<String, FieldDef>,
    by_code: HashMap<(u16, u16), String>,
    transaction_types: HashMap<String, u16>,
    transaction_type_names: HashMap<u16, String>,
    ledger_entry_types: HashMap<String, u16>,
    ledger_entry_type_names: HashMap<u16, String>,
    results: HashMap<String, i16>,
    result_names: HashMap<i16, String>,
    formats: HashMap<String, Vec<(String, Optionality)>>,
    account_set_flags: HashMap<String, u32>,
    transaction_flags: HashMap<String, HashMap<String, u32>>,
}

#[derive(Deserialize)]
struct Raw {
    #[serde(rename = "TYPES")]
    types: HashMap<String, i32>,
    #[serde(rename = "FIELDS")]
    fields: Vec<(String, RawField)>,
    #[serde(rename = "TRANSACTION_TYPES")]
    transaction_types: HashMap<String, i32>,
    #[serde(rename = "LEDGER_ENTRY_TYPES")]
    ledger_entry_types: HashMap<String, i32>,
    #[serde(rename = "TRANSACTION_RESULTS")]
    results: HashMap<String, i32>,
    #[serde(rename = "TRANSACTION_FORMATS")]
    formats: HashMap<String, Vec<RawFormatField>>,
    #[serde(rename = "ACCOUNT_SET_FLAGS")]
    account_set_flags: HashMap<String, u32>,
    #[serde(rename = "TRANSACTION_FLAGS")]
    transaction_flags: HashMap<String, HashMap<String, u32>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawField {
    nth: i32,
    #[serde(rename = "isVLEncoded")]
    is_vl_encoded: bool,
    is_serialized: bool,
    is_signing_field: bool,
    #[serde(rename = "type")]
    type_name: String,
}

#[derive(Deserialize)]
struct RawFormatField {
    name: String,
    optionality: i32,
}

/// The definitions, parsed once.
pub fn definitions() -> &'static Definitions {
    static DEFS: OnceLock<Definitions> = OnceLock::new();
    DEFS.get_or_init(|| Definitions::parse(DEFINITIONS_JSON).expect("bundled definitions.json parses"))
}

impl Definitions {
    fn parse(json: &str) -> Result<Self, serde_json::Error> {
        let raw: Raw = serde_json::from_str(json)?;
        let mut fields = HashMap::new();
        let mut by_code = HashMap::new();
        for (name, f) in raw.fields {
            let Some(&type_code) = raw.types.get(&f.type_name) else { continue };
            // Negative or virtual codes (Invalid, Transaction, ...) never appear on the wire.
            if f.nth < 0 || !(0..=255).contains(&type_code) || f.nth > 255 {
                continue;
            }
            let def = FieldDef {
                name: name.clone(),
                nth: f.nth as u16,
                type_name: f.type_name,
                type_code: type_code as u16,
                is_vl_encoded: f.is_vl_encoded,
                is_serialized: f.is_serialized,
                is_signing: f.is_signing_field,
            };
            by_code.insert(def.ordinal(), name.clone());
            fields.insert(name, def);
        }
        let invert = |m: &HashMap<String, i32>| -> (HashMap<String, u16>, HashMap<u16, String>) {
            let fwd: HashMap<String, u16> =
                m.iter().filter(|(_, v)| (0..=u16::MAX as i32).contains(*v)).map(|(k, v)| (k.clone(), *v as u16)).collect();
            let back = fwd.iter().map(|(k, v)| (*v, k.clone())).collect();
            (fwd, back)
        };
        let (transaction_types, transaction_type_names) = invert(&raw.transaction_types);
        let (ledger_entry_types, ledger_entry_type_names) = invert(&raw.ledger_entry_types);
        let results: HashMap<String, i16> = raw.results.iter().map(|(k, v)| (k.clone(), *v as i16)).collect();
        let result_names = results.iter().map(|(k, v)| (*v, k.clone())).collect();
        let formats = raw
            .formats
            .into_iter()
            .map(|(tx, list)| {
                let list = list
                    .into_iter()
                    .map(|f| {
                        let o = match f.optionality {
                            0 => Optionality::Required,
                            1 => Optionality::Optional,
                            _ => Optionality::Default,
                        };
                        (f.name, o)
                    })
                    .collect();
                (tx, list)
            })
            .collect();
        Ok(Self {
            fields,
            by_code,
            transaction_types,
            transaction_type_names,
            ledger_entry_types,
            ledger_entry_type_names,
            results,
            result_names,
            formats,
            account_set_flags: raw.account_set_flags,
            transaction_flags: raw.transaction_flags,
        })
    }

    pub fn field(&self, name: &str) -> Option<&FieldDef> {
        self.fields.get(name)
    }

    pub fn field_by_code(&self, type_code: u16, nth: u16) -> Option<&FieldDef> {
        self.by_code.get(&(type_code, nth)).and_then(|n| self.fields.get(n))
    }

    pub fn transaction_type_code(&self, name: &str) -> Option<u16> {
        self.transaction_types.get(name).copied()
    }

    pub fn transaction_type_name(&self, code: u16) -> Option<&str> {
        self.transaction_type_names.get(&code).map(String::as_str)
    }

    pub fn ledger_entry_type_code(&self, name: &str) -> Option<u16> {
        self.ledger_entry_types.get(name).copied()
    }

    pub fn ledger_entry_type_name(&self, code: u16) -> Option<&str> {
        self.ledger_entry_type_names.get(&code).map(String::as_str)
    }

    pub fn result_code(&self, name: &str) -> Option<i16> {
        self.results.get(name).copied()
    }

    pub fn result_name(&self, code: i16) -> Option<&str> {
        self.result_names.get(&code).map(String::as_str)
    }

    /// An AccountSet flag (`asfRequireDest`...) by name.
    pub fn account_set_flag(&self, name: &str) -> Option<u32> {
        self.account_set_flags.get(name).copied()
    }

    /// The name of an AccountSet flag number (`1` is asfRequireDest).
    pub fn account_set_flag_name(&self, value: u32) -> Option<&str> {
        self.account_set_flags.iter().find(|(_, v)| **v == value).map(|(k, _)| k.as_str())
    }

    /// The named `Flags` bits of a transaction type (`tfPartialPayment`...), and the ones
    /// every transaction may carry (under "universal"), as (name, bit) sorted by bit.
    pub fn transaction_flags(&self, transaction_type: &str) -> Vec<(&str, u32)> {
        let mut flags: Vec<(&str, u32)> = ["universal", transaction_type]
            .iter()
            .filter_map(|t| self.transaction_flags.get(*t))
            .flat_map(|m| m.iter().map(|(k, v)| (k.as_str(), *v)))
            .collect();
        flags.sort_by_key(|(_, v)| *v);
        flags
    }

    /// Every transaction type the definitions name (Invalid excluded).
    pub fn transaction_type_names(&self) -> impl Iterator<Item = &str> {
        self.transaction_types.keys().map(String::as_str)
    }

    /// The fields a transaction type lists, with their optionality; the fields every
    /// transaction shares are under "common".
    pub fn format(&self, transaction_type: &str) -> Option<&[(String, Optionality)]> {
        self.formats.get(transaction_type).map(Vec::as_slice)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_fields_and_types() {
        let d = definitions();
        let account = d.field("Account").unwrap();
        assert_eq!((account.type_name.as_str(), account.type_code, account.nth, account.is_vl_encoded), ("AccountID", 8, 1, true));
        assert!(!d.field("Signers").unwrap().is_signing);
        assert_eq!(d.field_by_code(2, 4).unwrap().name, "Sequence");
        assert_eq!(d.transaction_type_code("Payment"), Some(0));
        assert_eq!(d.transaction_type_name(3), Some("AccountSet"));
        assert_eq!(d.result_code("tesSUCCESS"), Some(0));
        assert!(d.format("Payment").unwrap().contains(&("Destination".into(), Optionality::Required)));
    }
}
