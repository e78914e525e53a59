//! Checks before signing, as xrpl.js `validate`: the transaction type is known, every field
//! its format (and the common format) requires is present, and it is not already signed.
//! Field types are checked by the codec when the transaction is encoded.

use super::definitions::{definitions, Optionality};
use serde_json::{Map, Value};

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ValidationError {
    #[error("TransactionType is missing or not a string")]
    NoTransactionType,
    #[error("unknown TransactionType '{0}'")]
    UnknownTransactionType(String),
    #[error("{tx_type} requires the field {field}")]
    MissingField { tx_type: String, field: String },
    #[error("the transaction already has a TxnSignature")]
    AlreadySigned,
    #[error("the transaction already has Signers: single-signing it would drop them")]
    HasSigners,
}

/// A transaction about to be single-signed must carry no signature yet.
pub fn no_signatures(tx: &Map<String, Value>) -> Result<(), ValidationError> {
    if tx.contains_key("TxnSignature") {
        return Err(ValidationError::AlreadySigned);
    }
    if tx.contains_key("Signers") {
        return Err(ValidationError::HasSigners);
    }
    Ok(())
}

/// Required fields of the type and of every transaction.
pub fn transaction(tx: &Value) -> Result<(), ValidationError> {
    let tx_type = tx.get("TransactionType").and_then(Value::as_str).ok_or(ValidationError::NoTransactionType)?;
    let defs = definitions();
    let format = defs.format(tx_type).filter(|_| tx_type != "common").ok_or_else(|| ValidationError::UnknownTransactionType(tx_type.to_owned()))?;
    let common = defs.format("common").unwrap_or_default();
    for (field, optionality) in common.iter().chain(format) {
        if *optionality == Optionality::Required && tx.get(field).is_none() {
            return Err(ValidationError::MissingField { tx_type: tx_type.to_owned(), field: field.clone() });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn required_fields() {
        let ok = json!({"TransactionType": "Payment", "Account": "r", "Sequence": 1, "Fee": "12", "SigningPubKey": "", "Destination": "r", "Amount": "1"});
        assert_eq!(transaction(&ok), Ok(()));
        let mut missing = ok.clone();
        missing.as_object_mut().unwrap().remove("Destination");
        assert_eq!(transaction(&missing), Err(ValidationError::MissingField { tx_type: "Payment".into(), field: "Destination".into() }));
        let mut no_seq = ok.clone();
        no_seq.as_object_mut().unwrap().remove("Sequence");
        assert!(matches!(transaction(&no_seq), Err(ValidationError::MissingField { field, .. }) if field == "Sequence"));
        assert_eq!(transaction(&json!({"TransactionType": "Teleport"})), Err(ValidationError::UnknownTransactionType("Teleport".into())));
        assert_eq!(transaction(&json!({"TransactionType": "common"})), Err(ValidationError::UnknownTransactionType("common".into())));
    }
}
