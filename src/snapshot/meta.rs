//! The layout of a snapshot, resolved by name from `snapshot.meta`.
//!
//! Producers differ (Node 20 writes 7 node fields, Chromium 6, Node 8 six
//! without `detachedness`; 12 to 15 node types; 4 or 5 location fields), so
//! no offset or type number is ever hard-coded: every one is looked up by
//! name here, as DevTools does in `HeapSnapshot.initialize`.

use serde::Deserialize;

use super::error::SnapshotError;

/// Raw numbers of the node and edge types DevTools gives meaning to.
/// A type the producer does not list gets `ABSENT` and never matches.
#[derive(Debug, Clone)]
pub struct Types {
    pub hidden: u8,
    pub array: u8,
    pub string: u8,
    pub object: u8,
    pub code: u8,
    pub closure: u8,
    pub regexp: u8,
    pub native: u8,
    pub synthetic: u8,
    pub cons_string: u8,
    pub sliced_string: u8,
    pub edge_context: u8,
    pub edge_element: u8,
    pub edge_property: u8,
    pub edge_internal: u8,
    pub edge_hidden: u8,
    pub edge_shortcut: u8,
    pub edge_weak: u8,
}

/// Raw type value that no node or edge carries.
pub const ABSENT: u8 = u8::MAX;

/// Where each field sits in the flat arrays, plus the type names.
#[derive(Debug, Clone)]
pub struct Layout {
    pub node_field_count: usize,
    pub node_type: usize,
    pub node_name: usize,
    pub node_id: usize,
    pub node_self_size: usize,
    pub node_edge_count: usize,
    pub node_detachedness: Option<usize>,
    pub edge_field_count: usize,
    pub edge_type: usize,
    pub edge_name: usize,
    pub edge_to_node: usize,
    pub node_type_names: Vec<String>,
    pub edge_type_names: Vec<String>,
    pub location: Option<LocationLayout>,
    pub types: Types,
}

/// Offsets inside one `locations` entry.
#[derive(Debug, Clone)]
pub struct LocationLayout {
    pub field_count: usize,
    pub object_index: usize,
    pub script_id: usize,
    pub line: usize,
    pub column: usize,
}

/// The `snapshot` header object.
#[derive(Debug, Clone)]
pub struct Header {
    pub layout: Layout,
    pub node_count: u64,
    pub edge_count: u64,
    pub extra_native_bytes: u64,
    pub root_index: u64,
}

#[derive(Deserialize)]
struct HeaderJson {
    meta: MetaJson,
    node_count: Option<f64>,
    edge_count: Option<f64>,
    extra_native_bytes: Option<f64>,
    root_index: Option<f64>,
}

#[derive(Deserialize)]
struct MetaJson {
    node_fields: Option<Vec<String>>,
    node_types: Option<Vec<serde_json::Value>>,
    edge_fields: Option<Vec<String>>,
    edge_types: Option<Vec<serde_json::Value>>,
    location_fields: Option<Vec<String>>,
}

impl Header {
    /// Parses the JSON text of the `snapshot` object.
    pub fn parse(json: &[u8]) -> Result<Header, SnapshotError> {
        let raw: HeaderJson = serde_json::from_slice(json)
            .map_err(|e| SnapshotError::Meta(format!("{e} in the \"snapshot\" header")))?;
        let meta = raw.meta;
        let node_fields = meta.node_fields.ok_or(missing("node_fields"))?;
        let edge_fields = meta.edge_fields.ok_or(missing("edge_fields"))?;
        let node_types = meta.node_types.ok_or(missing("node_types"))?;
        let edge_types = meta.edge_types.ok_or(missing("edge_types"))?;
        let field = |fields: &[String], list: &str, name: &str| {
            fields
                .iter()
                .position(|f| f == name)
                .ok_or_else(|| SnapshotError::Meta(format!("{list} lacks \"{name}\"")))
        };
        let node_type = field(&node_fields, "node_fields", "type")?;
        let edge_type = field(&edge_fields, "edge_fields", "type")?;
        let node_type_names = type_names(&node_types, node_type, "node_types")?;
        let edge_type_names = type_names(&edge_types, edge_type, "edge_types")?;
        let types = Types::resolve(&node_type_names, &edge_type_names);
        let layout = Layout {
            node_field_count: node_fields.len(),
            node_type,
            node_name: field(&node_fields, "node_fields", "name")?,
            node_id: field(&node_fields, "node_fields", "id")?,
            node_self_size: field(&node_fields, "node_fields", "self_size")?,
            node_edge_count: field(&node_fields, "node_fields", "edge_count")?,
            node_detachedness: node_fields.iter().position(|f| f == "detachedness"),
            edge_field_count: edge_fields.len(),
            edge_type,
            edge_name: field(&edge_fields, "edge_fields", "name_or_index")?,
            edge_to_node: field(&edge_fields, "edge_fields", "to_node")?,
            node_type_names,
            edge_type_names,
            location: meta
                .location_fields
                .map(|f| LocationLayout::resolve(&f))
                .transpose()?,
            types,
        };
        Ok(Header {
            layout,
            node_count: count(raw.node_count, "node_count")?,
            edge_count: count(raw.edge_count, "edge_count")?,
            extra_native_bytes: native_bytes(raw.extra_native_bytes)?,
            root_index: raw.root_index.map_or(0, |r| r.max(0.0) as u64),
        })
    }
}

fn missing(name: &str) -> SnapshotError {
    SnapshotError::Meta(format!("\"{name}\" is missing"))
}

fn count(value: Option<f64>, name: &str) -> Result<u64, SnapshotError> {
    let value = value.ok_or_else(|| SnapshotError::Meta(format!("snapshot.{name} is missing")))?;
    if value < 0.0 || value.fract() != 0.0 || value > 2f64.powi(53) {
        return Err(SnapshotError::Meta(format!(
            "snapshot.{name} is {value}, not a count"
        )));
    }
    Ok(value as u64)
}

/// `extra_native_bytes`, 0 when absent or negative. Above 2^53 it is no
/// byte count, and adding it to the heap's total would overflow.
fn native_bytes(value: Option<f64>) -> Result<u64, SnapshotError> {
    match value {
        Some(b) if b > 2f64.powi(53) => Err(SnapshotError::Meta(format!(
            "snapshot.extra_native_bytes is {b}, not a byte count"
        ))),
        Some(b) => Ok(b.max(0.0) as u64),
        None => Ok(0),
    }
}

fn type_names(
    types: &[serde_json::Value],
    at: usize,
    list: &str,
) -> Result<Vec<String>, SnapshotError> {
    let names = types.get(at).and_then(|v| v.as_array()).ok_or_else(|| {
        SnapshotError::Meta(format!("{list}[{at}] is not the list of type names"))
    })?;
    Ok(names
        .iter()
        .map(|n| n.as_str().unwrap_or_default().to_owned())
        .collect())
}

impl Types {
    fn resolve(node: &[String], edge: &[String]) -> Types {
        let find = |list: &[String], name: &str| {
            list.iter()
                .position(|t| t == name)
                .and_then(|p| u8::try_from(p).ok())
                .filter(|&p| p != ABSENT)
                .unwrap_or(ABSENT)
        };
        Types {
            hidden: find(node, "hidden"),
            array: find(node, "array"),
            string: find(node, "string"),
            object: find(node, "object"),
            code: find(node, "code"),
            closure: find(node, "closure"),
            regexp: find(node, "regexp"),
            native: find(node, "native"),
            synthetic: find(node, "synthetic"),
            cons_string: find(node, "concatenated string"),
            sliced_string: find(node, "sliced string"),
            edge_context: find(edge, "context"),
            edge_element: find(edge, "element"),
            edge_property: find(edge, "property"),
            edge_internal: find(edge, "internal"),
            edge_hidden: find(edge, "hidden"),
            edge_shortcut: find(edge, "shortcut"),
            edge_weak: find(edge, "weak"),
        }
    }
}

impl LocationLayout {
    fn resolve(fields: &[String]) -> Result<LocationLayout, SnapshotError> {
        let find = |name: &str| {
            fields
                .iter()
                .position(|f| f == name)
                .ok_or_else(|| SnapshotError::Meta(format!("location_fields lacks \"{name}\"")))
        };
        Ok(LocationLayout {
            field_count: fields.len(),
            object_index: find("object_index")?,
            script_id: find("script_id")?,
            line: find("line")?,
            column: find("column")?,
        })
    }
}

impl Layout {
    /// The type name DevTools shows for a raw node type (`undefined` when the
    /// producer used a number its list lacks, as old V8 does for symbols).
    pub fn node_type_name(&self, raw: u8) -> &str {
        self.node_type_names
            .get(usize::from(raw))
            .map_or("undefined", String::as_str)
    }

    /// The edge type name for a raw edge type.
    pub fn edge_type_name(&self, raw: u8) -> &str {
        self.edge_type_names
            .get(usize::from(raw))
            .map_or("undefined", String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(extra: &str) -> Result<Header, SnapshotError> {
        let json = format!(
            r#"{{"meta":{{"node_fields":["type","name","id","self_size","edge_count"],"node_types":[["hidden"]],"edge_fields":["type","name_or_index","to_node"],"edge_types":[["element"]]}},"node_count":1,"edge_count":0{extra}}}"#
        );
        Header::parse(json.as_bytes())
    }

    /// Found while fuzzing (by reading, then run through the fuzz target):
    /// `"extra_native_bytes":1e30` became u64::MAX, and the Summary's total
    /// (root retained + extra native bytes) overflowed.
    #[test]
    fn extra_native_bytes_must_be_a_byte_count() {
        let bytes = |extra: &str| header(extra).map(|h| h.extra_native_bytes);
        assert_eq!(bytes("").ok(), Some(0));
        assert_eq!(bytes(r#","extra_native_bytes":1234"#).ok(), Some(1234));
        assert_eq!(bytes(r#","extra_native_bytes":-5"#).ok(), Some(0));
        assert_eq!(
            bytes(r#","extra_native_bytes":9007199254740992"#).ok(),
            Some(1 << 53)
        );
        let err = bytes(r#","extra_native_bytes":1e30"#)
            .err()
            .map(|e| e.to_string());
        assert_eq!(
            err.as_deref(),
            Some("bad \"snapshot\" header: snapshot.extra_native_bytes is 1000000000000000000000000000000, not a byte count")
        );
    }
}
